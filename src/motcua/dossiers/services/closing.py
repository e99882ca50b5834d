"""The end of the road: return of the result, withdrawal, stop."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import InvalidInput

from ..constants import EventKind, ReturnMethod, Status
from ..lifecycle import Context, Op, Rule
from ..models import Consultation, Dossier
from . import clocking
from .events import Transition, opened
from .results import result_check_return


def dossier_return(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    method: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Trả kết quả: at the desk, by post or online; a workflow with a signing step hands over
    the signed result, and is refused without one (results.py)."""
    now = now or timezone.now()
    with transaction.atomic():
        d, rule = opened(Op.RETURN_RESULT, actor, dossier, expected_version, Context(now=now))
        result = result_check_return(d)
        if method is not None and method not in ReturnMethod.values:
            raise InvalidInput(
                _("Unknown way of returning the result."),
                errors={"method": [_("Unknown way of returning the result.")]},
            )
        t = Transition(rule, d, actor, now)
        d.return_method = method or d.return_method
        d.status = Status.RETURNED
        d.returned_at = now
        step_key = d.step_key
        d.step_key = ""
        d.step_name = ""
        d.step_due_at = None
        d.assignee = None
        t.event(
            EventKind.RETURN_RESULT,
            from_status=Status.DONE,
            from_step=step_key,
            from_agency=d.return_agency,
            to_agency=d.return_agency,
            timeliness=clocking.timeliness_of(d, d.finished_at or now),
            note=note,
            data={"method": d.return_method}
            | ({"result": {"document": result.pk, "sha256": result.sha256}} if result else {}),
        )
        return t.commit(expected_version)


def dossier_withdraw(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Rút hồ sơ at the applicant's request, before a result is issued."""
    now = now or timezone.now()
    with transaction.atomic():
        d, rule = opened(Op.WITHDRAW, actor, dossier, expected_version, Context(now=now))
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
        return _close(rule, d, actor, now, Status.WITHDRAWN, EventKind.WITHDRAW, reason, {})


def dossier_stop(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    requested_by: str = "agency",
    now: dt.datetime | None = None,
) -> Dossier:
    """Thông báo dừng giải quyết hồ sơ: decided by the competent agency's leadership, before a
    result is issued (DOMAIN-legal-2025.md §5)."""
    now = now or timezone.now()
    with transaction.atomic():
        d, rule = opened(Op.STOP, actor, dossier, expected_version, Context(now=now))
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
        if requested_by not in ("applicant", "agency"):
            raise InvalidInput(
                _("Say who asked to stop."), errors={"requested_by": [_("applicant or agency")]}
            )
        return _close(
            rule,
            d,
            actor,
            now,
            Status.STOPPED,
            EventKind.STOP,
            reason,
            {"requested_by": requested_by, "decided_by": actor.full_name or actor.username},
        )


def _close(
    rule: Rule,
    d: Dossier,
    actor: User,
    now: dt.datetime,
    status: str,
    kind: str,
    reason: str,
    data: dict[str, Any],
) -> Dossier:
    t = Transition(rule, d, actor, now)
    from_status, step_key = d.status, d.step_key
    d.status = status
    d.supplement_phase = ""
    d.closed_reason = reason.strip()
    d.finished_at = now
    d.clock_paused_at = None
    d.clock_restart_on_resume = False
    d.step_key = ""
    d.step_name = ""
    d.step_due_at = None
    d.assignee = None
    t.event(
        kind,
        from_status=from_status,
        from_step=step_key,
        from_agency=d.step_agency,
        note=reason.strip(),
        data={"reason": reason.strip(), **data},
    )
    # Opinions still asked are called off, not erased: the record keeps who was asked.
    Consultation.objects.filter(
        dossier=d, answered_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    return t.commit(d.version)
