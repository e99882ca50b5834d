"""Several dispatchers at once claim disjoint events (SELECT … FOR UPDATE SKIP LOCKED): none is
delivered twice, none waits on another's lock, per-dossier order holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from motcua.outbox.dispatch import outbox_claim, outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.simulators.national_portal.models import SimProgress

from .conftest import add_events, faults, received

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time",
    ),
]

FOUR = ["1", "2", "4", "9"]


def test_two_claims_at_once_take_disjoint_events_without_waiting():
    for n in range(1, 41):
        add_events(f"000.01.31.H20-260302-{n:04d}", FOUR)
    got: dict[str, list[int]] = {}
    inside = threading.Barrier(2)

    def claim(name: str) -> None:
        try:
            from django.db import transaction

            with transaction.atomic():
                # Both claims' transactions are open at the same time: the second one skips
                # the rows the first one locked instead of waiting for them.
                inside.wait(timeout=10)
                got[name] = [e.pk for e in outbox_claim(destination="dvcqg", limit=30).events]
                inside.wait(timeout=10)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert got["a"] and got["b"]
    assert not set(got["a"]) & set(got["b"])
    # 30 each: the first takes 30 dossiers' first events, the second the 10 others' four.
    assert len(got["a"]) + len(got["b"]) == 60


def test_two_dispatchers_in_two_threads_never_deliver_an_event_twice(portal, settings):
    settings.OUTBOX_BATCH_SIZE = 7
    codes = [f"000.01.31.H20-260302-{n:04d}" for n in range(1, 51)]
    for code in codes:
        add_events(code, FOUR)
    # Calls take a random few milliseconds, so the two workers' batches interleave.
    faults(portal, jitter=0.02)
    reports = []

    def work() -> None:
        try:
            reports.append(outbox_dispatch(budget_seconds=60))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)

    assert all(r.batches > 0 for r in reports)  # both worked
    assert sum(r.delivered for r in reports) == 200
    assert OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count() == 200
    assert SimProgress.objects.count() == 200
    assert set(SimProgress.objects.values_list("times_received", flat=True)) == {1}
    for code in codes:
        assert [status for _, status in received(code)] == FOUR
