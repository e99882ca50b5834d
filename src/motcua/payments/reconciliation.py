"""Đối soát: our payments of a day against the payment platform's list of that day.

The day is a calendar day in Asia/Ho_Chi_Minh; a payment belongs to the day it was paid. The
platform's list (the adapter's `statement`) is UNCONFIRMED: the real exchange is not public; our
design is a signed JSON list of the day's transactions, each line shaped and signed like a
confirmation. Differences found and stored as rows of the run:
- paid here, not on the platform's list (`missing_platform`);
- paid on the platform, not here: an unknown reference or one we do not hold as paid (a lost
  confirmation the status check has not yet recovered: `missing_here`);
- both paid, different amounts (`amount`);
- both hold it, one as refunded and the other not, or refunded amounts differ (`status`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.adapters.payment_platform import (
    GatewayError,
    PaymentPlatformClient,
    client_from_settings,
)
from motcua.core.audit import audit_record
from motcua.core.errors import NotAllowed
from motcua.core.workcalendar import TZ

from .constants import DifferenceKind, PaymentStatus, ReconciliationState
from .models import Payment, PaymentReconciliation, ReconciliationDifference


def may_reconcile(actor: User | None) -> bool:
    return actor is not None and has_any(actor, {Action.SYSTEM_OPERATE})


def payments_reconcile(
    *,
    day: dt.date,
    actor: User | None = None,
    now: dt.datetime | None = None,
    client: PaymentPlatformClient | None = None,
) -> PaymentReconciliation:
    """Compare and store the report of `day`. `actor` None: the scheduler or a command; an
    official needs `system.operate`. A platform that does not answer gives a failed run."""
    now = now or timezone.now()
    if actor is not None and not may_reconcile(actor):
        raise NotAllowed(_("You do not have permission for this action."))
    start = dt.datetime.combine(day, dt.time(), tzinfo=TZ)
    ours = {
        p.reference: p
        for p in Payment.objects.filter(
            paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1)
        )
    }
    try:
        with client or client_from_settings() as c:
            lines = c.statement(day=day, now=now)
    except GatewayError as exc:
        with transaction.atomic():
            return PaymentReconciliation.objects.create(
                day=day,
                state=ReconciliationState.FAILED,
                started_at=now,
                finished_at=timezone.now(),
                ours=len(ours),
                error=exc.message[:500],
                run_by=actor,
            )
    theirs = {str(line.get("MaThamChieu")): line for line in lines}
    # A reference the platform lists but we hold as unpaid, or paid another day.
    elsewhere = {
        p.reference: p for p in Payment.objects.filter(reference__in=set(theirs) - set(ours))
    }
    differences: list[tuple[str, str, str, str]] = []
    for ref, payment in ours.items():
        line = theirs.get(ref)
        if line is None:
            differences.append(
                (ref, DifferenceKind.MISSING_ON_PLATFORM, _state(payment), _("not listed"))
            )
            continue
        if str(line.get("SoTien")) != str(payment.amount_vnd):
            differences.append(
                (ref, DifferenceKind.AMOUNT, str(payment.amount_vnd), str(line.get("SoTien")))
            )
        elif str(line.get("SoTienHoan", 0)) != str(payment.refunded_vnd):
            differences.append((ref, DifferenceKind.STATUS, _state(payment), _line_state(line)))
    for ref, line in theirs.items():
        if ref in ours:
            continue
        payment = elsewhere.get(ref)
        if payment is None or payment.paid_at is None:
            mine = _state(payment) if payment is not None else _("unknown reference")
            differences.append((ref, DifferenceKind.MISSING_HERE, mine, _line_state(line)))
        else:  # paid here on another day: the platform's day and ours differ
            differences.append((ref, DifferenceKind.STATUS, _state(payment), _line_state(line)))
    with transaction.atomic():
        run = PaymentReconciliation.objects.create(
            day=day,
            state=ReconciliationState.DONE,
            started_at=now,
            finished_at=timezone.now(),
            ours=len(ours),
            theirs=len(theirs),
            matching=len(set(ours) & set(theirs))
            - sum(1 for d in differences if d[0] in ours and d[0] in theirs),
            differing=len(differences),
            run_by=actor,
        )
        ReconciliationDifference.objects.bulk_create(
            ReconciliationDifference(
                run=run, reference=ref[:60], kind=kind, ours=mine[:200], platform=plat[:200]
            )
            for ref, kind, mine, plat in differences
        )
        if actor is not None:
            audit_record(
                actor=actor, action="payment.reconcile", obj=run, note=f"{day}: {len(differences)}"
            )
    return run


def _state(payment: Payment) -> str:
    text = f"{PaymentStatus(payment.status).label} {payment.amount_vnd}"
    if payment.refunded_vnd:
        text += f" (−{payment.refunded_vnd})"
    return text


def _line_state(line: dict) -> str:
    text = f"{line.get('TrangThai', '')} {line.get('SoTien', '')}"
    if str(line.get("SoTienHoan", 0)) not in ("0", ""):
        text += f" (−{line.get('SoTienHoan')})"
    return text
