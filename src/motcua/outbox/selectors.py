"""Reads of the outbox for the operators: the state of each destination (page and /metrics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action

from .destinations import REGISTRY
from .models import CircuitState, DeliveryCircuit, OutboxEvent, OutboxStatus


@dataclass(frozen=True)
class DestinationStats:
    destination: str
    backlog: int  # pending, due or waiting for a retry (in flight included)
    in_flight: int  # pending under a live lease
    oldest_pending_seconds: float  # 0 when nothing waits
    delivered_last_minute: int
    delivered_last_hour: int
    retrying: int  # pending after at least one failed attempt
    dead_letters: int  # failed: waiting for an operator
    circuit: str
    circuit_failures: int


def outbox_stats(*, now: dt.datetime | None = None) -> list[DestinationStats]:
    """Per destination: backlog, oldest pending event's age, deliveries per minute and hour,
    failures and circuit state. Reads the small undelivered part of the table by its partial
    indexes, and the deliveries of the last hour by (destination, delivered_at)."""
    now = now or timezone.now()
    pending = {
        row["destination"]: row
        for row in OutboxEvent.objects.filter(status=OutboxStatus.PENDING)
        .values("destination")
        .annotate(
            n=Count("id"),
            oldest=Min("created_at"),
            in_flight=Count("id", filter=Q(claimed_until__gt=now)),
            retrying=Count("id", filter=Q(attempts__gt=0)),
        )
    }
    dead = dict(
        OutboxEvent.objects.filter(status=OutboxStatus.FAILED)
        .values("destination")
        .annotate(n=Count("id"))
        .values_list("destination", "n")
    )
    recent = {
        row["destination"]: row
        for row in OutboxEvent.objects.filter(delivered_at__gte=now - dt.timedelta(hours=1))
        .values("destination")
        .annotate(
            hour=Count("id"),
            minute=Count("id", filter=Q(delivered_at__gte=now - dt.timedelta(minutes=1))),
        )
    }
    circuits = {c.destination: c for c in DeliveryCircuit.objects.all()}
    names = sorted(set(REGISTRY) | set(pending) | set(dead) | set(recent))
    stats = []
    for name in names:
        p = pending.get(name) or {}
        r = recent.get(name) or {}
        c = circuits.get(name)
        oldest = p.get("oldest")
        stats.append(
            DestinationStats(
                destination=name,
                backlog=p.get("n", 0),
                in_flight=p.get("in_flight", 0),
                oldest_pending_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
                delivered_last_minute=r.get("minute", 0),
                delivered_last_hour=r.get("hour", 0),
                retrying=p.get("retrying", 0),
                dead_letters=dead.get(name, 0),
                circuit=c.state if c else CircuitState.CLOSED,
                circuit_failures=c.failures if c else 0,
            )
        )
    return stats


def outbox_operator(user) -> bool:
    """May this user read the outbox and replay dead letters (the IT team, `system.operate`)?"""
    return has_any(user, {Action.SYSTEM_OPERATE})
