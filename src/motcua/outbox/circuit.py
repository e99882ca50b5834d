"""The circuit breaker per destination, kept in the database so every worker shares it.

closed ─(THRESHOLD retryable failures in a row)─► open ─(COOLDOWN)─► half_open: one probe
  ▲                                                  ▲                         │
  └──────────────── probe delivered ─────────────────┴──── probe failed ───────┘

Only retryable failures count: a permanent error means the destination answered. Every change
is a conditional UPDATE on the state read, so two workers never both take the probe and no lock
is held while a destination is called.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F

from .models import CircuitState, DeliveryCircuit

CLOSED = "closed"
PROBE = "probe"


def circuit_get(destination: str) -> DeliveryCircuit:
    circuit = DeliveryCircuit.objects.filter(pk=destination).first()
    if circuit is None:
        DeliveryCircuit.objects.bulk_create(
            [DeliveryCircuit(destination=destination)], ignore_conflicts=True
        )
        circuit = DeliveryCircuit.objects.get(pk=destination)
    return circuit


def circuit_allow(destination: str, now: dt.datetime) -> str | None:
    """CLOSED: deliver; PROBE: this worker sends one event; None: leave the destination alone."""
    c = circuit_get(destination)
    if c.state == CircuitState.CLOSED:
        return CLOSED
    lease = now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    cooldown = dt.timedelta(seconds=settings.OUTBOX_CIRCUIT_COOLDOWN_SECONDS)
    if c.state == CircuitState.OPEN and c.opened_at is not None and now >= c.opened_at + cooldown:
        taken = DeliveryCircuit.objects.filter(
            pk=destination, state=CircuitState.OPEN, opened_at=c.opened_at
        ).update(state=CircuitState.HALF_OPEN, probe_until=lease)
        return PROBE if taken else None
    if c.state == CircuitState.HALF_OPEN and (c.probe_until is None or c.probe_until <= now):
        # The worker holding the probe died (or had nothing to send): take it over.
        taken = DeliveryCircuit.objects.filter(
            pk=destination, state=CircuitState.HALF_OPEN, probe_until=c.probe_until
        ).update(probe_until=lease)
        return PROBE if taken else None
    return None


def circuit_release_probe(destination: str, now: dt.datetime) -> None:
    """The probe found nothing to send: let the next run probe at once."""
    DeliveryCircuit.objects.filter(pk=destination, state=CircuitState.HALF_OPEN).update(
        probe_until=now
    )


def circuit_success(destination: str) -> None:
    DeliveryCircuit.objects.filter(pk=destination).exclude(
        state=CircuitState.CLOSED, failures=0
    ).update(state=CircuitState.CLOSED, failures=0, opened_at=None, probe_until=None)


def circuit_failure(destination: str, now: dt.datetime, *, probe: bool, error: str) -> None:
    qs = DeliveryCircuit.objects.filter(pk=destination)
    if probe:
        qs.update(
            state=CircuitState.OPEN,
            opened_at=now,
            probe_until=None,
            failures=F("failures") + 1,
            last_error=error[:2000],
        )
        return
    qs.update(failures=F("failures") + 1, last_error=error[:2000])
    qs.filter(state=CircuitState.CLOSED, failures__gte=settings.OUTBOX_CIRCUIT_THRESHOLD).update(
        state=CircuitState.OPEN, opened_at=now
    )
