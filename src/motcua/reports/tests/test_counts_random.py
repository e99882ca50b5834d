"""After any sequence of lifecycle actions on several dossiers over several days, the counts
kept by the transitions equal their recomputation from the history (`counts_rebuild`'s), and
both equal what the dossiers' final states say, the clock judging timeliness."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import clocking
from motcua.dossiers.tests.factories import local
from motcua.reports.models import DailyCount
from motcua.reports.rules import COUNTERS, local_day
from motcua.reports.selectors import month_counts
from motcua.reports.services import counts_check, counts_recompute, counts_rollup

from .drive import OPS, act, submit

pytestmark = pytest.mark.django_db

START = local(2026, 3, 2, 8, 0)  # Monday
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 4, 30)

# Weighted towards the way forward, so that many dossiers reach a result.
WEIGHTED = [*OPS, "accept", "forward", "forward", "forward", "forward", "return"]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.sampled_from(["desk", "desk_accept", "online", "sandbox"])),
        st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 3)),
        st.tuples(st.sampled_from(WEIGHTED), st.integers(0, 3)),
    ),
    min_size=6,
    max_size=30,
)
# Hours between two actions: the same day, the next, or past the deadline.
gaps = st.lists(st.sampled_from([0, 0, 1, 3, 20, 50]), min_size=30, max_size=30)


def stored() -> dict:
    return {
        (r.agency_id, r.procedure_id, r.day): {c: getattr(r, c) for c in COUNTERS}
        for r in DailyCount.objects.all()
    }


def from_final_states() -> Counter:
    """The counts per (column, day) as the dossiers' final states say them, not the history."""
    want: Counter = Counter()
    for d in Dossier.objects.filter(is_sandbox=False):
        want["received", local_day(d.submitted_at)] += 1
        if d.channel == Channel.ONLINE:
            want["online", local_day(d.submitted_at)] += 1
        if d.received_at is not None:
            want["accepted", local_day(d.received_at)] += 1
            want["in_progress_change", local_day(d.received_at)] += 1
        end = local_day(d.finished_at) if d.finished_at else None
        if d.status == Status.REFUSED:
            want["refused", local_day(d.events.get(kind="refuse").at)] += 1
        if d.status in (Status.WITHDRAWN, Status.STOPPED):
            want[str(d.status), end] += 1
        if d.status in (Status.DONE, Status.RETURNED):
            want["settled", end] += 1
            judged = clocking.timeliness_of(d, d.finished_at)
            want["settled_late" if judged == "late" else "settled_on_time", end] += 1
            if judged == "early":
                want["settled_early", end] += 1
        if d.status == Status.RETURNED:
            want["returned", local_day(d.returned_at)] += 1
        if d.received_at is not None and end is not None:
            want["in_progress_change", end] -= 1
    return Counter({k: n for k, n in want.items() if n})


def counted_by_day() -> Counter:
    out: Counter = Counter()
    for (_a, _p, day), counters in stored().items():
        for column, n in counters.items():
            if n:
                column = {"withdrawn": Status.WITHDRAWN, "stopped": Status.STOPPED}.get(
                    column, column
                )
                out[str(column), day] += n
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, gaps=gaps)
def test_counts_equal_the_recomputation_after_random_actions(world, intake, steps, gaps):
    with transaction.atomic():
        now = START
        # Two dossiers to work on from the start: one accepted at the desk, one online.
        dossiers = [submit(world, now, accept=True), submit(world, now, intake=intake)]
        for (op, arg), gap in zip(steps, gaps, strict=False):
            now += dt.timedelta(hours=gap)
            if op == "submit":
                dossiers.append(
                    submit(
                        world,
                        now,
                        intake=intake if arg == "online" else None,
                        accept=arg == "desk_accept",
                        is_sandbox=arg == "sandbox",
                    )
                )
            elif dossiers:
                act(world, op, dossiers[arg % len(dossiers)], now)

        assert stored() == counts_recompute(FIRST, LAST)
        assert counts_check(FIRST, LAST) == []
        assert counted_by_day() == from_final_states()

        # The month read through the roll-up equals the month read from its days.
        from_days = month_counts(2026, 3)
        counts_rollup(2026, 3)
        rolled = month_counts(2026, 3)
        assert rolled.rolled_up and not from_days.rolled_up
        assert rolled.total == from_days.total
        open_now = (
            Dossier.objects.filter(is_sandbox=False, received_at__isnull=False)
            .exclude(status__in=[Status.DONE, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED])
            .count()
        )
        if now < local(2026, 4, 1):
            assert rolled.total["in_progress"] == open_now
        transaction.set_rollback(True)
