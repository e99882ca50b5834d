"""Write outbox events (only inside the transaction of the change being reported), and put dead
letters back in the queue. Delivery is outbox/dispatch.py."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import InvalidInput, NotAllowed

from .models import OutboxEvent, OutboxStatus


def outbox_add(
    *,
    destination: str,
    kind: str,
    aggregate_type: str,
    aggregate_id: str | int,
    aggregate_seq: int,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Append one event; its idempotency key is stable for the same aggregate and sequence."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_add must run inside the transaction of the change.")
    key = f"{destination}:{aggregate_type}:{aggregate_id}:{aggregate_seq}"
    _kick_on_commit()
    return OutboxEvent.objects.create(
        destination=destination,
        kind=kind,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        aggregate_seq=aggregate_seq,
        idempotency_key=key,
        payload=payload,
    )


@dataclass(frozen=True)
class OutboxItem:
    destination: str
    kind: str
    aggregate_type: str
    aggregate_id: str | int
    aggregate_seq: int
    payload: dict[str, Any]


def outbox_add_many(items: list[OutboxItem]) -> list[OutboxEvent]:
    """Append several events in one INSERT, in the order given (their ids follow it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_add_many must run inside the transaction of the change.")
    if items:
        _kick_on_commit()
    return OutboxEvent.objects.bulk_create(
        OutboxEvent(
            destination=i.destination,
            kind=i.kind,
            aggregate_type=i.aggregate_type,
            aggregate_id=str(i.aggregate_id),
            aggregate_seq=i.aggregate_seq,
            idempotency_key=f"{i.destination}:{i.aggregate_type}:{i.aggregate_id}:{i.aggregate_seq}",
            payload=i.payload,
        )
        for i in items
    )


def _kick() -> None:
    """Wake the dispatcher now rather than at the next beat (the rows are committed already;
    if the broker is down, the beat's next run delivers them)."""
    from .tasks import dispatch

    try:
        dispatch.delay()
    except Exception:  # the broker being away must not fail the change that was committed
        logging.getLogger(__name__).warning("outbox: could not kick the dispatcher", exc_info=True)


def _kick_on_commit() -> None:
    if settings.OUTBOX_KICK_ON_COMMIT:
        transaction.on_commit(_kick)


def outbox_replay(*, actor: User, ids: list[int], now: dt.datetime | None = None) -> int:
    """Put dead letters (`failed`) back in the queue: due now, attempts from zero. Audited.

    Only the IT team (`system.operate`) replays. Events that are not dead letters are left as
    they are; the number replayed is returned.
    """
    if not has_any(actor, {Action.SYSTEM_OPERATE}):
        raise NotAllowed(_("You do not have permission for this action."))
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise InvalidInput(_("Choose at least one event."), errors={"ids": [_("Required.")]})
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update()
            .filter(pk__in=ids, status=OutboxStatus.FAILED)
            .order_by("id")
        )
        for event in events:
            audit_record(
                actor=actor,
                action="outbox.replay",
                obj=event,
                before={"status": event.status, "attempts": event.attempts},
                after={"status": OutboxStatus.PENDING},
                note=event.last_error[:255],
            )
        OutboxEvent.objects.filter(pk__in=[e.pk for e in events]).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            claim_token="",
        )
        if events:
            _kick_on_commit()
    return len(events)
