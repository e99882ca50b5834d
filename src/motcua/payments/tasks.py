"""Background work of the payments: recover lost confirmations, reconcile each day."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .reconciliation import payments_reconcile
from .services import payments_check_pending


@shared_task(name="motcua.payments.tasks.check_pending")
def check_pending() -> dict[str, int]:
    """Ask the platform about payments pending longer than PAYMENT_CHECK_AFTER_MINUTES (a
    confirmation that never came)."""
    return payments_check_pending()


@shared_task(name="motcua.payments.tasks.reconcile_yesterday")
def reconcile_yesterday() -> int:
    """Compare yesterday's payments with the platform's list; the run's id."""
    return payments_reconcile(day=timezone.localdate() - dt.timedelta(days=1)).pk
