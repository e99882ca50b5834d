"""Defects reproduced from outside on the engine (issue 11 §2), each pinned by a test that
failed on the code before the lifecycle table."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import Client

from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.dossiers.constants import Outcome, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import (
    dossier_accept,
    dossier_act,
    dossier_apology_issue,
    dossier_payment_received,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_return,
    dossier_stop,
    dossier_submit,
    dossier_supplement_received,
)

from .conftest import THREE, citizen, local
from .factories import draft_result

pytestmark = pytest.mark.django_db

MON = local(2026, 3, 2, 9, 0)


def register(world, **kw):
    t = world.tree
    return dossier_submit(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        now=MON,
        **kw,
    )


def v(d):
    return {"dossier": d, "expected_version": d.version}


def test_an_officials_session_cannot_create_and_accept_an_online_dossier(world, make_official):
    t = world.tree
    inspector = make_official("thanh.tra", t["root"], [("inspector", t["root"], True)])
    payload = {
        "procedure": world.birth.code,
        "applicant": {
            "kind": "citizen",
            "name": "Trần Văn Bình",
            "id_number": "087190009999",
            "commune": t["commune"].commune_id,
        },
        "components": [{"name": "Tờ khai", "originals": 1}],
        "channel": "online",
        "accept": True,
    }
    for user in (inspector, world["commune_officer"], world["desk_officer"]):
        client = Client()
        client.force_login(user)
        for accept in (True, False):
            r = client.post(
                "/api/v1/dossiers",
                json.dumps({**payload, "accept": accept}),
                content_type="application/json",
            )
            assert r.status_code in (403, 422), (user.username, accept, r.status_code)
    assert Dossier.objects.count() == 0


def test_recording_a_payment_needs_the_step_or_the_desk_not_a_viewer(world, make_official):
    t = world.tree
    inspector = make_official("thanh.tra", t["root"], [("inspector", t["root"], True)])
    d = dossier_accept(actor=world["commune_officer"], **v(register(world)), now=MON)
    d = dossier_request_payment(
        actor=world["commune_specialist"],
        **v(d),
        amount_vnd=100_000,
        authority="Thuế cơ sở 1 tỉnh Thái Nguyên",
        notice_number="TB-0001",
        note="Thuế",
        now=MON,
    )
    for actor in (inspector, None):
        with pytest.raises(NotAllowed):
            dossier_payment_received(actor=actor, **v(d), now=local(2026, 3, 3, 9))
    d.refresh_from_db()
    assert d.status == Status.AWAITING_PAYMENT and d.clock_paused_at is not None
    d = dossier_payment_received(actor=world["commune_officer"], **v(d), now=local(2026, 3, 3, 9))
    assert d.status == Status.PROCESSING


def test_a_send_back_withdraws_a_refusal_proposal(world):
    spec, head = world["commune_specialist"], world["commune_chair"]
    d = dossier_accept(actor=world["commune_officer"], **v(register(world)), now=MON)
    d = dossier_act(actor=spec, **v(d), action="refuse", note="Thiếu căn cứ", now=MON)
    assert d.outcome == Outcome.DENIED
    d = dossier_act(actor=head, **v(d), action="return", note="Xem lại", now=MON)
    assert d.outcome == ""
    d = dossier_act(actor=spec, **v(d), action="forward", now=MON)
    draft_result(spec, d)  # the chair signs it (R28)
    d = dossier_act(actor=head, **v(d), action="forward", now=MON)
    assert (d.status, d.outcome) == (Status.DONE, Outcome.GRANTED)


def test_no_apology_nor_stop_for_a_dossier_never_accepted(world):
    d = register(world)
    d = dossier_request_supplement(
        actor=world["commune_officer"], **v(d), items=["CCCD"], reason="Thiếu", now=MON
    )
    with pytest.raises(Conflict):
        dossier_apology_issue(
            actor=world["commune_chair"],
            **v(d),
            reason="Chậm",
            new_due_at=local(2026, 3, 20, 9),
            now=MON,
        )
    with pytest.raises(Conflict):
        dossier_stop(actor=world["commune_chair"], **v(d), reason="Dừng", now=MON)
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT and d.extensions == 0
    assert not d.letters.exists()


def test_a_national_code_is_delivered_once(world, intake):
    t = world.tree

    def deliver():
        return dossier_submit(
            actor=intake,
            procedure=world.birth,
            applicant=citizen(t["commune"].commune_id),
            components=THREE,
            channel="online",
            external_code="G22.99-260302-0001",
            now=MON,
        )

    first = deliver()
    for _ in range(3):
        with pytest.raises(Conflict) as again:
            deliver()
        assert again.value.code == "duplicate" and first.code in str(again.value)
    assert Dossier.objects.filter(external_code="G22.99-260302-0001").count() == 1
    # The database holds the rule too, whatever the caller.
    with pytest.raises(IntegrityError), transaction.atomic():
        clone = Dossier.objects.get(pk=first.pk)
        clone.pk = None
        clone.code = "X-1"
        clone.save(force_insert=True)


def test_history_is_append_only_and_every_operation_is_audited(world):
    d = dossier_accept(actor=world["commune_officer"], **v(register(world)), now=MON)
    d = dossier_act(actor=world["commune_specialist"], **v(d), action="forward", now=MON)
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    d = dossier_act(actor=world["commune_chair"], **v(d), action="forward", now=MON)
    d = dossier_return(actor=world["commune_officer"], **v(d), now=MON)
    audited = list(
        AuditEntry.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert audited == [
        ("dossier.register", "tn.xa"),
        ("dossier.accept", "tn.xa"),
        ("dossier.step", "cv.tuphap"),
        ("dossier.step", "ct.xa"),
        ("dossier.return_result", "tn.xa"),
    ]
    with pytest.raises(ProtectedError):
        d.delete()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 — the engine's own error
        DossierEvent.objects.filter(dossier=d).update(note="sửa lịch sử")
    assert not DossierEvent.objects.filter(note="sửa lịch sử").exists()
    # Nor deleted, even past the model (the database refuses, on both engines).
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        DossierEvent.objects.filter(dossier=d)._raw_delete(DossierEvent.objects.db)
    assert DossierEvent.objects.filter(dossier=d).count() == d.event_seq


def test_a_naive_moment_in_the_api_is_a_422_not_a_500(world):
    d = dossier_accept(actor=world["commune_officer"], **v(register(world)), now=MON)
    client = Client()
    client.force_login(world["commune_chair"])
    for moment in ("2026-03-20T09:00:00", "2026-03-20 09:00"):
        r = client.post(
            f"/api/v1/dossiers/{d.pk}/apology",
            json.dumps({"version": d.version, "reason": "Chậm", "new_due_at": moment}),
            content_type="application/json",
        )
        assert r.status_code == 422, (moment, r.status_code)
    with pytest.raises(InvalidInput):
        dossier_apology_issue(
            actor=world["commune_chair"],
            **v(d),
            reason="Chậm",
            new_due_at=dt.datetime(2026, 3, 20, 9),
            now=MON,
        )
    assert not d.letters.exists()


def _to_result(world, d, now):
    d = dossier_act(actor=world["commune_specialist"], **v(d), action="forward", now=now)
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    return dossier_act(actor=world["commune_chair"], **v(d), action="forward", now=now)


def test_an_apology_then_a_payment_wait_does_not_hide_lateness(world):
    """Returned three working days after the receipt's appointment, extended by a letter and
    paused one working day for a payment: late, and the receipt's appointment unchanged."""
    desk = world["commune_officer"]
    d = dossier_accept(actor=desk, **v(register(world)), now=MON)
    assert d.original_due_at == local(2026, 3, 5, 9, 0)  # 3 working days
    dossier_apology_issue(
        actor=world["commune_chair"],
        **v(d),
        reason="Chờ xác minh",
        new_due_at=local(2026, 3, 9, 9, 0),
        now=local(2026, 3, 3, 8, 0),
    )
    d.refresh_from_db()
    d = dossier_request_payment(
        actor=world["commune_specialist"],
        **v(d),
        amount_vnd=50_000,
        authority="Thuế cơ sở 1 tỉnh Thái Nguyên",
        notice_number="TB-0002",
        note="Tiền sử dụng đất",
        now=local(2026, 3, 3, 10, 0),
    )
    d = dossier_payment_received(actor=desk, **v(d), now=local(2026, 3, 4, 10, 0))
    assert d.original_due_at == local(2026, 3, 5, 9, 0)
    assert d.statutory_due_at == local(2026, 3, 6, 9, 0)  # one working day held
    assert d.due_at == local(2026, 3, 10, 9, 0)  # the letter's date, carried too
    d = _to_result(world, d, local(2026, 3, 10, 8, 0))
    d = dossier_return(actor=desk, **v(d), now=local(2026, 3, 10, 8, 30))
    returned = d.events.get(kind="return_result")
    assert returned.timeliness == "late"


def test_a_supplement_asked_after_the_deadline_keeps_the_dossier_late(world):
    desk, spec = world["commune_officer"], world["commune_specialist"]
    d = dossier_accept(actor=desk, **v(register(world)), now=MON)
    asked = local(2026, 3, 6, 9, 0)  # a working day after the appointment (Thu 5/3 09:00)
    d = dossier_request_supplement(actor=spec, **v(d), items=["Bản sao"], reason="Thiếu", now=asked)
    back = local(2026, 3, 9, 9, 0)
    d = dossier_supplement_received(actor=desk, **v(d), now=back)
    assert d.clock_late is True
    assert d.due_at != back and d.statutory_due_at < back  # never reset to "now"
    assert d.statutory_due_at == local(2026, 3, 6, 9, 0)  # passed by the same amount
    d = _to_result(world, d, local(2026, 3, 9, 10, 0))
    d = dossier_return(actor=desk, **v(d), now=local(2026, 3, 9, 11, 0))
    assert d.events.get(kind="return_result").timeliness == "late"
