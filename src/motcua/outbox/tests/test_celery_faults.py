"""Delivery by real Celery workers through a real Redis broker to the national portal's
simulator over real HTTP, under faults: a worker killed with SIGKILL in the middle of its
batches, the broker killed and started again empty, acknowledgements lost (the portal applied
the call, the answer never came: a duplicate delivery) and answered out of order (random
latency on concurrent calls). The portal applies every status once, in order, and none is lost.

PostgreSQL only: the worker processes must reach the test database. The broker is a private
`redis-server` this test starts, kills and starts again (the system Redis is not ours to
restart); skipped when `redis-server` is not installed.
"""

from __future__ import annotations

import shutil
import time

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.simulators.national_portal.models import SimProgress

from .conftest import add_events, faults, received
from .processes import CeleryProcesses, PrivateRedis, worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes must reach the test database (SQLite's is in this process)",
    ),
    pytest.mark.skipif(
        shutil.which("redis-server") is None, reason="needs redis-server to run a private broker"
    ),
]

FOUR = ["1", "2", "4", "9"]


def wait_for(predicate, *, seconds: float, what: str, procs: CeleryProcesses) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n}\n{procs.log(n)}" for n in list(procs.procs))
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.1)


@pytest.fixture
def broker():
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


def test_worker_sigkill_broker_restart_and_bad_acks_lose_and_duplicate_nothing(portal, broker):
    m = 40
    codes = [f"000.01.31.H20-261207-{n:04d}" for n in range(1, m + 1)]
    for code in codes:
        add_events(code, FOUR)
    # Slow, jittered calls (two workers' calls answered out of order, and the kill lands inside
    # a batch) and six progress calls applied but not acknowledged (repeated deliveries).
    faults(portal, latency=0.1, jitter=0.3, ack_lost_count=6, ack_lost_only="CapNhatTienDoHoSoMC")
    procs = CeleryProcesses(
        broker.url, worker_env(portal, OUTBOX_BATCH_SIZE="8", OUTBOX_LEASE_SECONDS="3")
    )
    try:
        procs.beat()
        procs.worker("w1", concurrency=2)

        def w1_in_a_batch() -> bool:  # w1 is the only worker: a live lease is its own
            return (
                SimProgress.objects.count() >= 8
                and OutboxEvent.objects.filter(
                    status=OutboxStatus.PENDING, claimed_until__gt=timezone.now()
                ).exists()
            )

        wait_for(w1_in_a_batch, seconds=60, what="w1 inside a batch", procs=procs)
        procs.kill("w1")  # SIGKILL to the worker and its pool: its batch in flight is orphaned
        orphaned = OutboxEvent.objects.filter(
            status=OutboxStatus.PENDING, claimed_until__gt=timezone.now()
        ).count()
        left = OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).count()
        procs.worker("w2", concurrency=2)

        broker.kill()  # the queue is gone with it; beat and w2 must reconnect
        time.sleep(1)
        broker.start()
        procs.worker("w3", concurrency=1)  # a new worker joins after the restart

        wait_for(
            lambda: not OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists(),
            seconds=90,
            what="every event delivered",
            procs=procs,
        )
        assert procs.alive("w2") and procs.alive("w3") and procs.alive("beat")
    finally:
        procs.stop_all()

    assert orphaned > 0 and left > 0  # killed inside a batch, with work left
    rows = SimProgress.objects.all()
    assert rows.count() == 4 * m
    assert rows.values("key").distinct().count() == 4 * m
    for code in codes:
        assert received(code) == list(enumerate(FOUR, start=1))
    # The repeats reached the portal and were dropped there by their idempotency key.
    assert rows.aggregate(n=Sum("times_received"))["n"] > 4 * m
