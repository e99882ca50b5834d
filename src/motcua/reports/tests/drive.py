"""Driving birth-registration dossiers through the real services, for the counts tests: each
operation is tried by the officials who may do it; one the lifecycle refuses changes nothing."""

from __future__ import annotations

import datetime as dt

from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    dossier_accept,
    dossier_act,
    dossier_payment_received,
    dossier_refuse,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_return,
    dossier_stop,
    dossier_supplement_received,
    dossier_withdraw,
)
from motcua.dossiers.services.results import draft_current
from motcua.dossiers.tests.factories import DossierFactory, citizen, draft_result

OPS = (
    "accept",
    "refuse",
    "supplement",
    "supplement_received",
    "forward",
    "propose_refusal",
    "send_back",
    "payment_request",
    "payment_received",
    "return",
    "withdraw",
    "stop",
)


def submit(world, now: dt.datetime, *, intake=None, accept: bool = False, **kw):
    """Registered at the commune's desk (accepted at once with `accept`), or delivered online
    by the national portal's `intake` identity."""
    t = world.tree
    if intake is not None:
        return DossierFactory(
            actor=intake,
            procedure=world.birth,
            applicant=citizen(t["osu"].commune_id),
            now=now,
            **kw,
        )
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=t["osu"],
        accept=accept,
        now=now,
        **kw,
    )


def _call(op: str, actor, d: Dossier, now: dt.datetime) -> Dossier:
    v = {"actor": actor, "dossier": d, "expected_version": d.version, "now": now}
    if op == "accept":
        return dossier_accept(**v)
    if op == "refuse":
        return dossier_refuse(**v, reasons=["Không đủ điều kiện"])
    if op == "supplement":
        return dossier_request_supplement(**v, items=["Giấy chứng sinh"], reason="Thiếu")
    if op == "supplement_received":
        return dossier_supplement_received(**v)
    if op in ("forward", "propose_refusal", "send_back"):
        action = {"forward": "forward", "propose_refusal": "refuse", "send_back": "return"}[op]
        return dossier_act(**v, action=action, note="Lý do")
    if op == "payment_request":
        return dossier_request_payment(
            **v, amount_vnd=50_000, authority="Thuế cơ sở 1", notice_number="TB-1", note="Thuế"
        )
    if op == "payment_received":
        return dossier_payment_received(**v)
    if op == "return":
        return dossier_return(**v)
    if op == "withdraw":
        return dossier_withdraw(**v, reason="Người dân xin rút")
    if op == "stop":
        return dossier_stop(**v, reason="Dừng theo đề nghị")
    raise ValueError(op)


def act(world, op: str, d: Dossier, now: dt.datetime) -> bool:
    """Do `op` on `d` as the first official allowed to; False if nobody may or it is refused."""
    d = Dossier.objects.get(pk=d.pk)
    if op == "forward" and d.step_key == "ky" and draft_current(d) is None:
        # The specialist uploads the draft result the chair signs (R28).
        draft_result(world["commune_specialist"], d)
    for key in ("commune_officer", "commune_specialist", "commune_chair"):
        try:
            _call(op, world[key], d, now)
        except NotAllowed:
            continue
        except (Conflict, InvalidInput):
            return False
        return True
    return False
