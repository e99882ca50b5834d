"""Delivered events are kept OUTBOX_KEEP_DELIVERED_DAYS, then deleted: the outbox is a queue,
not an archive (the dossier's history is the record of what happened; the national portal
keeps what it was told). At two million dossiers a year, about twelve million events a year
would otherwise pile up behind the dispatcher's indexes.

Only delivered events go: pending, in-flight and dead ones stay whatever their age. After the
purge a dossier whose old events are gone is still sent correctly: a create that the portal
answers "already exists" is sent again as an update (adapters/national_portal/sync.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import OutboxEvent, OutboxStatus

BATCH = 10_000


def outbox_purge(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Delete the events delivered more than OUTBOX_KEEP_DELIVERED_DAYS ago, `batch` rows a
    statement (each its own short transaction). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_KEEP_DELIVERED_DAYS)
    deleted = 0
    for destination in (
        OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED)
        .values_list("destination", flat=True)
        .distinct()
        .order_by()
    ):
        old = OutboxEvent.objects.filter(
            destination=destination, status=OutboxStatus.DELIVERED, delivered_at__lt=cutoff
        )
        while True:
            ids = list(old.order_by("delivered_at").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            deleted += OutboxEvent.objects.filter(pk__in=ids).delete()[0]
    return deleted
