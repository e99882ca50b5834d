"""Write outbox events. Call only inside the transaction of the change being reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .models import OutboxEvent


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
