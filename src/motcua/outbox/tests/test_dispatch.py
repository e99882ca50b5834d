"""The dispatcher delivers outbox events to the national portal's simulator over real HTTP:
once each at the receiver, in order per dossier, through retries, outages and dead workers."""

from __future__ import annotations

import random
import time

import pytest
from django.utils import timezone

from motcua.outbox import circuit
from motcua.outbox.dispatch import backoff_delay, dispatch_once, outbox_claim, outbox_dispatch
from motcua.outbox.models import CircuitState, DeliveryCircuit, OutboxEvent, OutboxStatus
from motcua.simulators.national_portal import sync as sim
from motcua.simulators.national_portal.models import SimDossier, SimProgress

from .conftest import add_events, faults, received

pytestmark = pytest.mark.django_db(transaction=True)

FOUR = ["1", "2", "4", "9"]


def statuses(code: str) -> list[str]:
    return [status for _, status in received(code)]


def test_events_are_delivered_once_in_order_and_in_batches(portal):
    codes = [f"000.01.31.H20-260302-{n:04d}" for n in range(1, 6)]
    for code in codes:
        add_events(code, FOUR)
    calls = sim.counters["calls"]

    report = outbox_dispatch()

    assert report.delivered == 20 and report.failed == 0
    assert OutboxEvent.objects.filter(status=OutboxStatus.DELIVERED).count() == 20
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    for code in codes:
        assert received(code) == [(1, "1"), (2, "2"), (3, "4"), (4, "9")]
        held = SimDossier.objects.get(code=code)
        assert held.data["TrangThaiHoSo"] == "9" and held.creates == 1
    assert set(SimProgress.objects.values_list("times_received", flat=True)) == {1}
    # One batch: DongBoHoSoMC (the five dossiers) and CapNhatTienDoHoSoMC (the 20 rows).
    assert sim.counters["calls"] - calls == 2
    # A later change of a dossier the portal holds is an update, not a second create.
    add_events(codes[0], ["10"], start=5)
    assert outbox_dispatch().delivered == 1
    held = SimDossier.objects.get(code=codes[0])
    assert (held.creates, held.updates, held.data["TrangThaiHoSo"]) == (1, 1, "10")
    assert statuses(codes[0]) == ["1", "2", "4", "9", "10"]


def test_a_later_status_waits_for_the_earlier_one(portal):
    code = "000.01.31.H20-260302-0001"
    first, second = add_events(code, ["1", "2"])
    OutboxEvent.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now() + _seconds(60))

    claim = outbox_claim(destination="dvcqg", limit=10)

    assert claim.events == []  # seq 2 is due, but seq 1 is not delivered yet
    assert OutboxEvent.objects.get(pk=second.pk).status == OutboxStatus.PENDING


def test_backoff_grows_exponentially_with_full_jitter(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 2
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 600
    rng = random.Random(7)
    samples = {n: [backoff_delay(n, rng=rng) for _ in range(400)] for n in (1, 2, 3, 4, 10, 20)}
    for n, values in samples.items():
        ceiling = min(600, 2 * 2 ** (n - 1))
        assert all(0 <= v <= ceiling for v in values)
        assert max(values) > 0.9 * ceiling  # the whole range is used…
        assert len({round(v, 6) for v in values}) > 390  # …at random (jitter)
    means = [sum(samples[n]) / 400 for n in (1, 2, 3, 4, 10)]
    assert means == sorted(means) and means[3] > 6 * means[0]
    assert max(samples[20]) <= 600  # capped


def test_a_retryable_failure_counts_an_attempt_and_waits_a_backoff(portal, settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 100
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 1000
    (event,) = add_events("000.01.31.H20-260302-0001", ["1"])
    faults(portal, error="500", error_count=1)

    before = timezone.now()
    assert dispatch_once("dvcqg")["retry"] == 1

    event.refresh_from_db()
    assert event.status == OutboxStatus.PENDING and event.attempts == 1
    assert "HTTP 500" in event.last_error and event.claimed_until is None
    assert before <= event.next_attempt_at <= timezone.now() + _seconds(100)


def test_retryable_failures_make_a_dead_letter_only_after_enough_attempts_and_hours(
    portal, settings
):
    """A portal down for a day is waited for: an event tried its OUTBOX_MAX_ATTEMPTS times but
    younger than OUTBOX_RETRY_HOURS stays pending; one older becomes a dead letter."""
    import datetime as dt

    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_HOURS = 72
    young, old = (
        add_events("000.01.31.H20-260302-0001", ["1"])[0],
        add_events("000.01.31.H20-260302-0002", ["1"])[0],
    )
    OutboxEvent.objects.filter(pk__in=[young.pk, old.pk]).update(attempts=2)
    OutboxEvent.objects.filter(pk=young.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=71)
    )
    OutboxEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=73))
    faults(portal, error="503", error_count=0)

    outbox_dispatch()

    young.refresh_from_db()
    old.refresh_from_db()
    assert young.status == OutboxStatus.PENDING and young.attempts >= 3
    assert old.status == OutboxStatus.FAILED and "503" in old.last_error


def test_portal_outage_opens_the_circuit_then_everything_arrives_once_in_order(portal, settings):
    settings.OUTBOX_CIRCUIT_THRESHOLD = 3
    settings.OUTBOX_CIRCUIT_COOLDOWN_SECONDS = 1
    settings.OUTBOX_BATCH_SIZE = 8
    codes = [f"000.01.31.H20-260302-{n:04d}" for n in range(1, 31)]
    for code in codes:
        add_events(code, FOUR)
    faults(portal, outage_seconds=3)
    calls = sim.counters["calls"]

    saw_open = False
    deadline = time.monotonic() + 30
    while OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists():
        assert time.monotonic() < deadline, "not drained 27 s after the outage"
        outbox_dispatch(budget_seconds=0.5)
        state = DeliveryCircuit.objects.get(pk="dvcqg").state
        if state == CircuitState.OPEN:
            saw_open = True
            # While the circuit is open nobody calls the portal. (If the cooldown ends during
            # this dispatch, its probe fails and opens the circuit again, with a new opened_at:
            # that one call is allowed.)
            before = sim.counters["calls"]
            opened_at = DeliveryCircuit.objects.get(pk="dvcqg").opened_at
            outbox_dispatch(budget_seconds=0.1)
            after = DeliveryCircuit.objects.get(pk="dvcqg")
            if after.state == CircuitState.OPEN and after.opened_at == opened_at:
                assert sim.counters["calls"] == before
        time.sleep(0.2)

    assert saw_open
    assert DeliveryCircuit.objects.get(pk="dvcqg").state == CircuitState.CLOSED
    assert SimProgress.objects.count() == 120
    assert set(SimProgress.objects.values_list("times_received", flat=True)) == {1}
    for code in codes:
        assert statuses(code) == FOUR
    assert not OutboxEvent.objects.filter(status=OutboxStatus.FAILED).exists()
    # The outage cost a handful of calls, not one per event and retry.
    assert sim.counters["calls"] - calls < 60


def test_a_permanent_error_is_a_dead_letter_that_holds_only_its_dossier_until_replayed(
    portal, superuser
):
    from motcua.outbox.services import outbox_replay

    bad, good = "000.01.31.H20-260302-0001", "000.01.31.H20-260302-0002"
    add_events(bad, ["1", "2"], procedure="1.999999")
    add_events(good, ["1", "2"])
    faults(portal, reject_procedures=["1.999999"])

    report = outbox_dispatch()

    assert report.failed == 1 and report.delivered == 2
    head, follower = OutboxEvent.objects.filter(aggregate_id=bad).order_by("aggregate_seq")
    assert head.status == OutboxStatus.FAILED and "không tồn tại" in head.last_error
    assert follower.status == OutboxStatus.PENDING and follower.attempts == 0
    assert statuses(good) == ["1", "2"] and statuses(bad) == []
    # The circuit is not the portal's fault: it answered.
    assert DeliveryCircuit.objects.get(pk="dvcqg").state == CircuitState.CLOSED
    assert outbox_dispatch().delivered == 0  # the follower waits behind its dead letter

    faults(portal)  # the portal's catalog now knows the procedure
    assert outbox_replay(actor=superuser, ids=[head.pk, follower.pk]) == 1
    assert outbox_dispatch().delivered == 2
    assert statuses(bad) == ["1", "2"]


def test_a_claim_whose_worker_died_is_taken_again_when_its_lease_expires(portal, settings):
    settings.OUTBOX_LEASE_SECONDS = 1
    code = "000.01.31.H20-260302-0001"
    add_events(code, ["1", "2"])

    dead = outbox_claim(destination="dvcqg", limit=10)  # …and the worker is killed here
    assert len(dead.events) == 2

    assert outbox_dispatch().delivered == 0  # leased: in flight elsewhere
    time.sleep(1.2)
    assert outbox_dispatch().delivered == 2
    assert statuses(code) == ["1", "2"]


def drain(seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists():
        assert time.monotonic() < deadline, "not delivered in time"
        outbox_dispatch()
        time.sleep(0.05)


def test_lost_acknowledgements_mean_repeated_deliveries_applied_once(portal):
    code = "000.01.31.H20-260302-0001"
    add_events(code, FOUR[:2])
    # The portal creates the dossier but its answer is lost: the repeat is an update.
    faults(portal, ack_lost_count=1)
    drain()
    held = SimDossier.objects.get(code=code)
    assert (held.creates, held.updates) == (1, 1)
    # The progress rows are applied, then their answer is lost twice: three deliveries.
    add_events(code, FOUR[2:], start=3)
    faults(portal, ack_lost_count=2, ack_lost_only="CapNhatTienDoHoSoMC")
    drain()

    assert statuses(code) == FOUR  # each applied once, in order
    times = dict(SimProgress.objects.values_list("key", "times_received"))
    assert times == {
        f"dvcqg:dossier:{code}:1": 1,
        f"dvcqg:dossier:{code}:2": 1,
        f"dvcqg:dossier:{code}:3": 3,
        f"dvcqg:dossier:{code}:4": 3,
    }


def test_a_dropped_connection_and_a_timeout_are_retried(portal, settings):
    settings.NATIONAL_PORTAL_SYNC_TIMEOUT = 0.5
    code = "000.01.31.H20-260302-0001"
    (event,) = add_events(code, ["1"])
    faults(portal, drop_count=1)
    assert dispatch_once("dvcqg")["retry"] == 1
    event.refresh_from_db()
    assert "HTTP 502" in event.last_error
    faults(portal, timeout=1)
    event.refresh_from_db()
    time.sleep(max(0.0, (event.next_attempt_at - timezone.now()).total_seconds()))
    assert dispatch_once("dvcqg")["retry"] == 1
    event.refresh_from_db()
    assert "Timed out" in event.last_error and event.attempts == 2
    faults(portal)
    time.sleep(1.1)  # the held call finishes on the server side first
    drain()
    assert statuses(code) == ["1"]


def test_an_expired_session_is_renewed_by_logging_in_again(portal):
    add_events("000.01.31.H20-260302-0001", ["1"])
    assert outbox_dispatch().delivered == 1
    logins = sim.counters["logins"]
    add_events("000.01.31.H20-260302-0002", ["1"])
    assert outbox_dispatch().delivered == 1
    assert sim.counters["logins"] == logins  # the session is reused
    faults(portal, expire_sessions=True)
    add_events("000.01.31.H20-260302-0003", ["1"])
    assert outbox_dispatch().delivered == 1
    assert sim.counters["logins"] == logins + 1


def test_wrong_credentials_are_a_permanent_error(portal, settings):
    settings.NATIONAL_PORTAL_PASSWORD = "wrong"
    (event,) = add_events("000.01.31.H20-260302-0001", ["1"])
    assert outbox_dispatch().failed == 1
    event.refresh_from_db()
    assert event.status == OutboxStatus.FAILED and "Log-in refused" in event.last_error
    assert "wrong" not in event.last_error


def test_dossiers_born_on_the_portal_report_their_status_back(portal):
    code, national = "000.01.31.H20-260302-0001", "G22.99-260302-0000123"
    add_events(code, ["1", "2", "4"], external=national)

    assert outbox_dispatch().delivered == 3

    rows = SimProgress.objects.filter(code=national).order_by("id")
    assert [r.service for r in rows] == ["DongBoTrangThaiHoSo"] * 3
    assert [r.status for r in rows] == ["1", "2", "4"]
    assert rows[0].data["MaHoSoDonVi"] == code
    assert not SimDossier.objects.exists()  # never created with DongBoHoSoMC


def test_style_b_creates_updates_and_sends_progress_in_chunks_of_ten(portal, settings):
    settings.NATIONAL_PORTAL_SYNC_STYLE = "B"
    code = "000.01.31.H20-260302-0001"
    statuses_sent = ["1", "2"] + ["4"] * 11 + ["9"]
    add_events(code, statuses_sent)
    calls = sim.counters["calls"]

    assert outbox_dispatch().delivered == 14

    assert statuses(code) == statuses_sent
    assert SimDossier.objects.get(code=code).style == "B"
    assert sim.counters["calls"] - calls == 3  # create, then progress in 10 + 4
    add_events(code, ["10"], start=15)
    assert outbox_dispatch().delivered == 1
    assert SimDossier.objects.get(code=code).data["TrangThaiHoSo"] == "10"


def test_a_probe_after_the_cooldown_closes_the_circuit(portal, settings):
    settings.OUTBOX_CIRCUIT_THRESHOLD = 1
    settings.OUTBOX_CIRCUIT_COOLDOWN_SECONDS = 1
    add_events("000.01.31.H20-260302-0001", ["1"])
    add_events("000.01.31.H20-260302-0002", ["1"])
    faults(portal, error="503", error_count=1)
    assert dispatch_once("dvcqg")["retry"] == 2
    assert DeliveryCircuit.objects.get(pk="dvcqg").state == CircuitState.OPEN
    assert circuit.circuit_allow("dvcqg", timezone.now()) is None
    time.sleep(1.1)
    counts = dispatch_once("dvcqg")  # the probe: one event only
    assert counts["delivered"] == 1
    assert DeliveryCircuit.objects.get(pk="dvcqg").state == CircuitState.CLOSED
    assert outbox_dispatch().delivered == 1


def _seconds(n: float):
    import datetime as dt

    return dt.timedelta(seconds=n)
