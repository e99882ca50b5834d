"""The dispatcher: claim due events, deliver them, record the outcome (at-least-once, in order).

Claim (one short transaction): the *heads* — pending, due, not leased, and with no earlier
event of the same (destination, aggregate) that is not delivered (pending, in flight or dead) —
with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers claim disjoint events without
waiting on each other (SQLite has one writer: its IMMEDIATE transaction is the claim). Then the
events following each head in its aggregate: nobody else can claim them, since their head is
not delivered. All of them get a lease (`claimed_until`, `claim_token`) and are loaded by the
same statement (`UPDATE … RETURNING`).

Deliver (no transaction, no lock held): the destination sends the batch.

Record (one short transaction): delivered → `delivered_at`; a retryable error → attempts + 1 and
`next_attempt_at` = now + a random delay in [0, min(cap, base·2^attempts)] ("full jitter"), or
the dead-letter state `failed` after OUTBOX_MAX_ATTEMPTS attempts and OUTBOX_RETRY_HOURS hours;
a permanent error → `failed` at once
with `last_error`; not attempted → released (deferred: released and due again later, attempts
unchanged). A worker killed between claim and record leaves
its events leased: when the lease expires another worker claims them and delivers them again;
the receiver drops the repeat by the idempotency key.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import circuit
from .destinations import (
    DELIVERED,
    REGISTRY,
    SKIPPED,
    Deferred,
    DeliveryError,
    Outcome,
    destination_for,
)
from .models import OutboxEvent, OutboxStatus

log = logging.getLogger(__name__)

_rng = random.SystemRandom()


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempts`-th failure: uniform in [0, min(cap, base·2^(n−1))]."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    cap = settings.OUTBOX_BACKOFF_CAP_SECONDS
    ceiling = min(cap, base * 2 ** min(max(attempts - 1, 0), 30))
    return (rng or _rng).uniform(0, ceiling)


@dataclass
class Claim:
    token: str
    events: list[OutboxEvent]
    until: dt.datetime


def _blocked_by_earlier() -> Exists:
    return Exists(
        OutboxEvent.objects.filter(
            destination=OuterRef("destination"),
            aggregate_type=OuterRef("aggregate_type"),
            aggregate_id=OuterRef("aggregate_id"),
            aggregate_seq__lt=OuterRef("aggregate_seq"),
        ).exclude(status=OutboxStatus.DELIVERED)
    )


def outbox_claim(*, destination: str, limit: int, now: dt.datetime | None = None) -> Claim:
    """Claim up to `limit` due events of `destination` (heads first, then their followers)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    until = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        heads = list(
            OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(destination=destination, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .filter(~_blocked_by_earlier())
            .order_by("next_attempt_at", "id")
            .only("id", "aggregate_type", "aggregate_id", "aggregate_seq")[:limit]
        )
        claimed = {e.pk for e in heads}
        room = limit - len(heads)
        if heads and room > 0:
            next_seq = {(e.aggregate_type, e.aggregate_id): e.aggregate_seq + 1 for e in heads}
            followers = (
                OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    destination=destination,
                    status=OutboxStatus.PENDING,
                    aggregate_id__in={agg_id for _, agg_id in next_seq},
                )
                .exclude(pk__in=claimed)
                .order_by("aggregate_id", "aggregate_seq")
                .only("id", "aggregate_type", "aggregate_id", "aggregate_seq")
            )
            for e in followers:
                key = (e.aggregate_type, e.aggregate_id)
                # Only an unbroken run after the head: a gap means an event not yet visible.
                if room > 0 and next_seq.get(key) == e.aggregate_seq:
                    claimed.add(e.pk)
                    next_seq[key] += 1
                    room -= 1
        events = _lease(claimed, until=until, token=token) if claimed else []
    return Claim(token=token, events=events, until=until)


def _ids(ids: Collection[int]) -> tuple[str, list]:
    """`id` matching these ids as one bound parameter (an array on PostgreSQL, a JSON array on
    SQLite), not one placeholder per id: a batch's statement stays short and its text the same."""
    if connection.vendor == "postgresql":
        return "id = ANY(%s)", [list(ids)]
    return "id IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


# Not loaded with a claimed event: the lease is set from what was written, and nothing that
# delivers or records reads the others (loaded on access if ever read: deferred fields).
_LEASE_SKIPS = {"claimed_until", "claim_token", "next_attempt_at", "delivered_at"}


def _lease(ids: Collection[int], *, until: dt.datetime, token: str) -> list[OutboxEvent]:
    """Lease the claimed events and load them, in one statement (UPDATE … RETURNING)."""
    table = OutboxEvent._meta.db_table
    columns = ", ".join(
        f.column for f in OutboxEvent._meta.concrete_fields if f.name not in _LEASE_SKIPS
    )
    match, params = _ids(ids)
    leased = list(
        OutboxEvent.objects.raw(
            f"UPDATE {table} SET claimed_until = %s, claim_token = %s "  # noqa: S608 — our table
            f"WHERE {match} RETURNING {columns}",
            [connection.ops.adapt_datetimefield_value(until), token, *params],
        )
    )
    for event in leased:
        event.claimed_until, event.claim_token = until, token
    return sorted(leased, key=lambda e: e.pk)


def outbox_record(claim: Claim, outcomes: dict[int, Outcome], *, now: dt.datetime) -> dict:
    """Write what happened to each claimed event; returns the counts."""
    counts = {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0}
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    retry_until = now - dt.timedelta(hours=settings.OUTBOX_RETRY_HOURS)
    with transaction.atomic():
        delivered = [pk for pk, o in outcomes.items() if o == DELIVERED]
        if delivered:
            # Delivered is delivered, even if the lease ran out and another worker holds it now.
            counts["delivered"] = _mark_delivered(delivered, now=now)
        mine = OutboxEvent.objects.filter(claim_token=claim.token, status=OutboxStatus.PENDING)
        for event in claim.events:
            outcome = outcomes.get(event.pk, SKIPPED)
            if outcome == DELIVERED:
                continue
            if isinstance(outcome, Deferred):
                counts["skipped"] += mine.filter(pk=event.pk).update(
                    next_attempt_at=now + dt.timedelta(seconds=outcome.seconds),
                    last_error=outcome.reason[:4000],
                    claimed_until=None,
                    claim_token="",
                )
                continue
            if outcome == SKIPPED or not isinstance(outcome, DeliveryError):
                counts["skipped"] += mine.filter(pk=event.pk).update(
                    claimed_until=None, claim_token=""
                )
                continue
            attempts = event.attempts + 1
            # A retryable failure becomes a dead letter only when the event has been tried
            # OUTBOX_MAX_ATTEMPTS times *and* is older than OUTBOX_RETRY_HOURS: a central
            # system down for a day (its circuit probed every few seconds) is waited for, not
            # turned into thousands of dead letters for an operator to replay.
            expired = attempts >= max_attempts and event.created_at <= retry_until
            if outcome.permanent or expired:
                counts["failed"] += mine.filter(pk=event.pk).update(
                    status=OutboxStatus.FAILED,
                    attempts=attempts,
                    last_error=outcome.message[:4000],
                    claimed_until=None,
                    claim_token="",
                )
                log.warning(
                    "outbox dead letter",
                    extra={"event_id": event.pk, "idempotency_key": event.idempotency_key},
                )
            else:
                counts["retry"] += mine.filter(pk=event.pk).update(
                    attempts=attempts,
                    next_attempt_at=now + dt.timedelta(seconds=backoff_delay(attempts)),
                    last_error=outcome.message[:4000],
                    claimed_until=None,
                    claim_token="",
                )
    return counts


def _mark_delivered(ids: list[int], *, now: dt.datetime) -> int:
    """One UPDATE for the batch's delivered events (those still pending); returns the count."""
    table = OutboxEvent._meta.db_table
    match, params = _ids(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, delivered_at = %s, claimed_until = NULL, "  # noqa: S608
            f"claim_token = '', last_error = '' WHERE status = %s AND {match}",
            [
                OutboxStatus.DELIVERED.value,
                connection.ops.adapt_datetimefield_value(now),
                OutboxStatus.PENDING.value,
                *params,
            ],
        )
        return cursor.rowcount


@dataclass
class DispatchReport:
    batches: int = 0
    delivered: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, counts: dict) -> None:
        self.batches += 1
        for key in ("delivered", "retry", "failed", "skipped"):
            setattr(self, key, getattr(self, key) + counts[key])


def dispatch_once(
    destination: str,
    *,
    batch_size: int | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> dict | None:
    """One batch for one destination: None when there was nothing to do (or the circuit is open)."""
    clock = clock or timezone.now
    now = clock()
    gate = circuit.circuit_allow(destination, now)
    if gate is None:
        return None
    probe = gate == circuit.PROBE
    claim = outbox_claim(
        destination=destination, limit=1 if probe else (batch_size or settings.OUTBOX_BATCH_SIZE)
    )
    if not claim.events:
        if probe:
            circuit.circuit_release_probe(destination, now)
        return None
    target = destination_for(destination)
    try:
        outcomes = target.deliver(claim.events)
    except Exception as exc:  # a bug in a destination must not stop delivery to the others
        log.exception("outbox destination %s crashed", destination)
        outcomes = {
            e.pk: DeliveryError(f"{exc.__class__.__name__}: {exc}"[:500]) for e in claim.events
        }
    counts = outbox_record(claim, outcomes, now=clock())
    errors = [o for o in outcomes.values() if isinstance(o, DeliveryError)]
    retryable = [o for o in errors if not o.permanent]
    if retryable:
        circuit.circuit_failure(destination, clock(), probe=probe, error=retryable[0].message)
    else:
        circuit.circuit_success(destination)
    return counts


def outbox_dispatch(
    *,
    destinations: list[str] | None = None,
    budget_seconds: float | None = None,
    batch_size: int | None = None,
) -> DispatchReport:
    """Deliver batches until nothing is due (or the circuits are open) or the budget is spent."""
    budget = settings.OUTBOX_DISPATCH_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    report = DispatchReport()
    active = list(destinations or REGISTRY)
    while active and time.monotonic() < deadline:
        for name in list(active):
            counts = dispatch_once(name, batch_size=batch_size)
            if counts is not None:
                report.add(counts)
            if counts is None or (counts["delivered"] == 0 and counts["failed"] == 0):
                # Nothing due, circuit open, or only retries: wait for the next run.
                active.remove(name)
    return report
