"""The counts kept by the dossier transitions: exact rows for simple paths, sandbox dossiers
never counted, the check finding a tampered row and the rebuild repairing it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers.tests.factories import local
from motcua.reports.models import DailyCount
from motcua.reports.rules import COUNTERS
from motcua.reports.services import counts_check, counts_rebuild, counts_recompute

from .drive import act, submit

pytestmark = pytest.mark.django_db

MON = local(2026, 3, 2, 9, 0)  # Monday 2/3/2026


def at(day, hour=9):
    return local(2026, 3, day, hour)


def row(world, day) -> dict[str, int]:
    r = DailyCount.objects.get(agency=world.tree["commune"], procedure=world.birth, day=day)
    return {c: getattr(r, c) for c in COUNTERS if getattr(r, c)}


def test_counts_each_day_of_a_dossier_path_on_the_competent_agency(world, intake):
    d = submit(world, MON, accept=True)  # registered and accepted at the desk
    refused = submit(world, MON)
    assert act(world, "refuse", refused, at(2, 10))
    submit(world, at(2, 11), intake=intake)  # delivered online, not yet received
    assert act(world, "forward", d, at(3, 9))  # checked
    assert act(world, "forward", d, at(3, 10))  # signed: result ready, before the deadline
    assert act(world, "return", d, at(4, 9))

    assert row(world, dt.date(2026, 3, 2)) == {
        "received": 3,
        "online": 1,
        "accepted": 1,
        "refused": 1,
        "in_progress_change": 1,
    }
    assert row(world, dt.date(2026, 3, 3)) == {
        "settled": 1,
        "settled_on_time": 1,
        "settled_early": 1,
        "in_progress_change": -1,
    }
    assert row(world, dt.date(2026, 3, 4)) == {"returned": 1}
    # Counted on the competent agency (the commune), not on the desk that received it.
    assert set(DailyCount.objects.values_list("agency", flat=True)) == {world.tree["commune"].pk}
    assert counts_check(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == []


def test_a_dossier_settled_after_its_deadline_counts_late(world):
    d = submit(world, MON, accept=True)  # appointment Thursday 5/3 09:00
    assert act(world, "forward", d, at(5, 15))
    assert act(world, "forward", d, at(6, 9))
    assert row(world, dt.date(2026, 3, 6)) == {
        "settled": 1,
        "settled_late": 1,
        "in_progress_change": -1,
    }


def test_withdrawal_closes_an_accepted_dossier_but_not_one_never_accepted(world):
    accepted = submit(world, MON, accept=True)
    waiting = submit(world, MON)
    assert act(world, "withdraw", accepted, at(3))
    assert act(world, "withdraw", waiting, at(3))
    assert row(world, dt.date(2026, 3, 3)) == {"withdrawn": 2, "in_progress_change": -1}


def test_sandbox_dossiers_are_never_counted(world):
    d = submit(world, MON, accept=True, is_sandbox=True)
    assert act(world, "forward", d, at(2, 10))
    assert not DailyCount.objects.exists()
    assert counts_recompute(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == {}


def test_a_refused_operation_counts_nothing(world):
    d = submit(world, MON)
    assert not act(world, "return", d, at(2, 10))  # no result yet
    assert row(world, dt.date(2026, 3, 2)) == {"received": 1}


def test_check_reports_a_tampered_row_and_rebuild_repairs_it(world):
    submit(world, MON, accept=True)
    submit(world, at(3), accept=True)
    DailyCount.objects.filter(day=dt.date(2026, 3, 2)).update(accepted=5)
    DailyCount.objects.filter(day=dt.date(2026, 3, 3)).delete()
    diffs = counts_check(dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert {(d.day, d.column, d.stored, d.expected) for d in diffs} == {
        (dt.date(2026, 3, 2), "accepted", 5, 1),
        (dt.date(2026, 3, 3), "received", 0, 1),
        (dt.date(2026, 3, 3), "accepted", 0, 1),
        (dt.date(2026, 3, 3), "in_progress_change", 0, 1),
    }
    with pytest.raises(CommandError, match="4 difference"):
        call_command("counts_check", "--from", "2026-03-02", "--to", "2026-03-03")
    assert counts_rebuild(dt.date(2026, 3, 2), dt.date(2026, 3, 3)) == 2
    assert counts_check(dt.date(2026, 3, 2), dt.date(2026, 3, 3)) == []
    assert row(world, dt.date(2026, 3, 2))["accepted"] == 1
    call_command("counts_check", "--from", "2026-03-02", "--to", "2026-03-03")


def test_rebuild_leaves_the_days_outside_its_range_alone(world):
    submit(world, MON, accept=True)
    submit(world, at(3), accept=True)
    DailyCount.objects.filter(day=dt.date(2026, 3, 3)).update(received=9)
    counts_rebuild(dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    assert row(world, dt.date(2026, 3, 3))["received"] == 9


def test_local_midnight_decides_the_day(world):
    submit(world, local(2026, 3, 2, 23, 59))
    submit(world, local(2026, 3, 3, 0, 1))  # 17:01 UTC on the 2nd
    assert row(world, dt.date(2026, 3, 2)) == {"received": 1}
    assert row(world, dt.date(2026, 3, 3)) == {"received": 1}
    assert counts_check(dt.date(2026, 3, 2), dt.date(2026, 3, 3)) == []


def test_lateness_once_incurred_counts_late_on_both_paths(world):
    """A dossier whose clock recorded lateness (a pause begun past the deadline) is late even
    if settled before its moved deadline: kept and recomputed alike."""
    from motcua.dossiers.models import Dossier

    d = submit(world, MON, accept=True)
    Dossier.objects.filter(pk=d.pk).update(clock_late=True)  # as a late pause leaves it
    assert act(world, "forward", d, at(2, 10))
    assert act(world, "forward", d, at(2, 11))
    assert row(world, dt.date(2026, 3, 2))["settled_late"] == 1
    assert counts_check(dt.date(2026, 3, 2), dt.date(2026, 3, 2)) == []


def test_rollup_of_ended_months_waits_past_midnight_and_carries_the_stock(world):
    from motcua.reports.models import CountedMonth, MonthlyCount
    from motcua.reports.selectors import month_counts
    from motcua.reports.services import counts_rollup_ended

    submit(world, MON, accept=True)  # in progress from March on
    assert counts_rollup_ended(now=local(2026, 4, 1, 0, 5)) == [dt.date(2026, 2, 1)]
    assert counts_rollup_ended(now=local(2026, 4, 1, 0, 20)) == [dt.date(2026, 3, 1)]
    assert counts_rollup_ended(now=local(2026, 5, 2)) == [dt.date(2026, 4, 1)]
    assert list(CountedMonth.objects.values_list("month", flat=True)) == [
        dt.date(2026, 4, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 2, 1),
    ]
    april = MonthlyCount.objects.get(month=dt.date(2026, 4, 1))
    assert april.in_progress == 1 and april.received == 0
    assert month_counts(2026, 4).total["in_progress"] == 1
    assert month_counts(2026, 3).total["received"] == 1
    assert month_counts(2026, 5).total["in_progress"] == 1  # not rolled up: April's stock
