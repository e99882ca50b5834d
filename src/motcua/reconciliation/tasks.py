"""Nightly reconciliation of yesterday's dossiers with the national portal."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .services import reconcile


@shared_task(name="motcua.reconciliation.tasks.reconcile_yesterday")
def reconcile_yesterday() -> int:
    """Compare and re-send the dossiers received yesterday and the day before (a change made
    late in the evening is compared once it has surely been delivered). Returns the run's id."""
    today = timezone.localdate()
    return reconcile(start=today - dt.timedelta(days=2), end=today - dt.timedelta(days=1)).pk
