"""Trước hạn / đúng hạn / quá hạn counted apart (Decision 766, the control sheet): a dossier
settled before its deadline's day counts early (and, as before, in `settled_on_time`), one
settled on that day on time but not early, one past it late — kept by the transitions,
recomputed alike from the history, rolled up into the month and read by `month_counts`."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers.constants import Timeliness
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import clocking
from motcua.dossiers.tests.factories import local
from motcua.reports.models import DailyCount, MonthlyCount
from motcua.reports.rules import COUNTERS
from motcua.reports.selectors import month_counts
from motcua.reports.services import counts_check, counts_rebuild, counts_recompute, counts_rollup

from .drive import act, submit

pytestmark = pytest.mark.django_db

MON = local(2026, 3, 2, 9, 0)  # Monday 2/3/2026; appointment Thursday 5/3 09:00
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def at(day, hour=9, minute=0):
    return local(2026, 3, day, hour, minute)


def row(world, day) -> dict[str, int]:
    r = DailyCount.objects.get(agency=world.tree["commune"], procedure=world.birth, day=day)
    return {c: getattr(r, c) for c in COUNTERS if getattr(r, c)}


def settle(world, d, first, second) -> Dossier:
    assert act(world, "forward", d, first)  # checked
    assert act(world, "forward", d, second)  # signed: result ready
    return Dossier.objects.get(pk=d.pk)


def three(world) -> dict[str, Dossier]:
    early = submit(world, MON, accept=True)
    on_time = submit(world, MON, accept=True)
    late = submit(world, MON, accept=True)
    return {
        Timeliness.EARLY: settle(world, early, at(3, 9), at(3, 10)),
        Timeliness.ON_TIME: settle(world, on_time, at(4, 9), at(5, 8, 30)),
        Timeliness.LATE: settle(world, late, at(5, 15), at(6, 9)),
    }


def test_early_on_time_and_late_are_counted_apart_by_the_transitions(world):
    made = three(world)
    # The clock's own judgement of each: the counts must say the same.
    assert {k: clocking.timeliness_of(d, d.finished_at) for k, d in made.items()} == {
        k: k for k in made
    }
    assert row(world, dt.date(2026, 3, 3)) == {
        "settled": 1,
        "settled_on_time": 1,
        "settled_early": 1,
        "in_progress_change": -1,
    }
    assert row(world, dt.date(2026, 3, 5)) == {
        "settled": 1,
        "settled_on_time": 1,  # on the deadline's own day: on time, not early
        "in_progress_change": -1,
    }
    assert row(world, dt.date(2026, 3, 6)) == {
        "settled": 1,
        "settled_late": 1,
        "in_progress_change": -1,
    }
    # The recomputation from the history agrees, column by column.
    assert counts_check(*MARCH) == []
    assert (
        counts_recompute(*MARCH)[world.tree["commune"].pk, world.birth.pk, dt.date(2026, 3, 3)][
            "settled_early"
        ]
        == 1
    )


def test_check_finds_a_lost_early_count_and_rebuild_restores_it(world):
    three(world)
    DailyCount.objects.update(settled_early=0)
    diffs = counts_check(*MARCH)
    assert [(d.day, d.column, d.stored, d.expected) for d in diffs] == [
        (dt.date(2026, 3, 3), "settled_early", 0, 1)
    ]
    counts_rebuild(*MARCH)
    assert counts_check(*MARCH) == []
    assert row(world, dt.date(2026, 3, 3))["settled_early"] == 1


def test_the_month_reads_early_the_same_from_its_days_and_its_rollup(world):
    three(world)
    from_days = month_counts(2026, 3)
    want = {"settled": 3, "settled_on_time": 2, "settled_early": 1, "settled_late": 1}
    assert {k: from_days.total[k] for k in want} == want
    counts_rollup(2026, 3)
    monthly = MonthlyCount.objects.get(month=dt.date(2026, 3, 1))
    assert (monthly.settled_early, monthly.settled_on_time) == (1, 2)
    rolled = month_counts(2026, 3)
    assert rolled.rolled_up and rolled.total == from_days.total


def test_the_migration_fills_early_on_the_rows_counted_before_it(world):
    """reports.0003 fills the new column of the daily rows, and of the months rolled up, as the
    rebuild would: the counts kept by the release before it had no early column (0 on every
    row); the other counters stay as they were."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.reports.migrations.0003_settled_early")
    three(world)
    counts_rollup(2026, 3)
    before = {r.pk: (r.settled, r.settled_on_time) for r in DailyCount.objects.all()}
    DailyCount.objects.update(settled_early=0)
    MonthlyCount.objects.update(settled_early=0)
    assert len(counts_check(*MARCH)) == 1

    migration.fill_settled_early(apps, None)

    assert counts_check(*MARCH) == []
    assert {r.pk: (r.settled, r.settled_on_time) for r in DailyCount.objects.all()} == before
    assert MonthlyCount.objects.get(month=dt.date(2026, 3, 1)).settled_early == 1
    assert month_counts(2026, 3).total["settled_early"] == 1


def test_the_migration_fills_nothing_where_no_counts_were_kept(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("motcua.reports.migrations.0003_settled_early")
    three(world)
    DailyCount.objects.all().delete()
    migration.fill_settled_early(apps, None)
    assert not DailyCount.objects.exists()
