"""The leaders' report (Báo cáo): figures equal a recomputation from the dossiers, what is held
now and the late and at-risk list follow `deadlines.py`, a leader sees only their units, and
nobody without `report.view` reads anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import NotAllowed
from motcua.dossiers.constants import Status
from motcua.dossiers.deadlines import LATE, MISSED, NEAR
from motcua.dossiers.models import OPEN_ROWS, Dossier
from motcua.dossiers.selectors import deadlines_of
from motcua.dossiers.services import clocking
from motcua.dossiers.tests.factories import local
from motcua.reports.rules import local_day
from motcua.reports.selectors import leader_report, report_at_risk
from motcua.reports.services import counts_rollup

from .drive import act, submit

pytestmark = pytest.mark.django_db

NOW = local(2026, 4, 15, 10, 0)  # Wednesday 15/4/2026
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
FIGURES = ("received", "settled", "settled_on_time", "settled_early", "settled_late")


def build(world, intake) -> dict[str, Dossier]:
    """March: one settled on time and returned, one settled late, one left open, one refused.
    April: one settled, one accepted on the 1st and left past its appointment, one online not
    yet received."""
    d = {}
    d["on_time"] = submit(world, local(2026, 3, 2, 9), accept=True)
    assert act(world, "forward", d["on_time"], local(2026, 3, 3, 9))
    assert act(world, "forward", d["on_time"], local(2026, 3, 3, 10))
    assert act(world, "return", d["on_time"], local(2026, 3, 4, 9))
    d["late"] = submit(world, local(2026, 3, 2, 9), accept=True)
    assert act(world, "forward", d["late"], local(2026, 3, 5, 15))
    assert act(world, "forward", d["late"], local(2026, 3, 6, 9))
    d["open"] = submit(world, local(2026, 3, 2, 10), accept=True)
    d["refused"] = submit(world, local(2026, 3, 2, 11))
    assert act(world, "refuse", d["refused"], local(2026, 3, 2, 14))
    d["april"] = submit(world, local(2026, 4, 13, 9), accept=True)
    assert act(world, "forward", d["april"], local(2026, 4, 14, 9))
    assert act(world, "forward", d["april"], local(2026, 4, 14, 10))
    d["missed"] = submit(world, local(2026, 4, 1, 9), accept=True)
    d["online"] = submit(world, local(2026, 4, 14, 9), intake=intake)
    return {k: Dossier.objects.get(pk=v.pk) for k, v in d.items()}


def recomputed(first: dt.date, end: dt.datetime) -> dict[str, int]:
    """A month's figures from the dossiers themselves (their final state, the clock judging
    timeliness), as of the moment `end` (the month's end, or now)."""
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)

    def within(moment) -> bool:
        return moment is not None and first <= local_day(moment) <= last

    out = dict.fromkeys(FIGURES, 0)
    out |= {"returned": 0, "in_progress": 0}
    for d in Dossier.objects.filter(is_sandbox=False):
        out["received"] += within(d.submitted_at)
        if d.status in (Status.DONE, Status.RETURNED) and within(d.finished_at):
            out["settled"] += 1
            judged = clocking.timeliness_of(d, d.finished_at)
            out["settled_late" if judged == "late" else "settled_on_time"] += 1
            out["settled_early"] += judged == "early"
        out["returned"] += within(d.returned_at)
        if d.received_at is not None and d.received_at < end:
            out["in_progress"] += d.finished_at is None or d.finished_at >= end
    return out


def picked(counts: dict) -> dict[str, int]:
    return {k: counts[k] for k in FIGURES} | {
        "returned": counts["returned"],
        "in_progress": counts["in_progress"],
    }


def test_figures_equal_a_recomputation_from_the_dossiers(world, intake):
    build(world, intake)
    commune = world.tree["commune"]
    r = leader_report(world["commune_chair"], now=NOW)
    assert (r.this_month, r.last_month) == (APRIL, MARCH)
    assert picked(r.total_last) == recomputed(MARCH, local(2026, 4, 1, 0))
    assert picked(r.total_this) == recomputed(APRIL, NOW)
    assert r.total_last["settled_on_time"] == 1 and r.total_last["settled_late"] == 1
    assert r.total_last["settled_early"] == 1  # settled on the 3rd, due on the 5th
    assert r.total_this["in_progress"] == 2  # the March one still open, the missed one
    # One competent agency and one procedure: their rows are the totals.
    assert [u.obj for u in r.counted_units] == [commune]
    assert [p.obj for p in r.procedures] == [world.birth]
    assert r.counted_units[0].this == r.total_this == r.procedures[0].this

    # Read through March's roll-up, the figures are the same.
    counts_rollup(2026, 3)
    rolled = leader_report(world["commune_chair"], now=NOW)
    assert (rolled.total_last, rolled.total_this) == (r.total_last, r.total_this)


def test_held_now_and_the_at_risk_list_follow_the_deadline_rule(world, intake):
    made = build(world, intake)
    r = leader_report(world["commune_chair"], now=NOW)
    open_ = list(Dossier.objects.filter(OPEN_ROWS))
    held = {}
    for d in open_:
        h = held.setdefault(d.step_agency_id, [0, 0, 0])
        state = deadlines_of(d, NOW).step
        h[0] += 1
        h[1] += state == LATE
        h[2] += state == NEAR
    got = {u.obj.pk: [u.now.held, u.now.overdue, u.now.near] for u in r.holding_units}
    assert got == {pk: h for pk, h in held.items() if pk == world.tree["commune"].pk}

    at_risk = list(report_at_risk(world["commune_chair"], now=NOW))
    expected = {
        d.pk
        for d in open_
        if deadlines_of(d, NOW).step in (LATE, NEAR) or deadlines_of(d, NOW).appointment == MISSED
    }
    assert {d.pk for d in at_risk} == expected
    # The March dossier still open and the one past its appointment are among them.
    assert {made["open"].pk, made["missed"].pk} <= expected
    # Soonest step deadline first.
    dues = [d.step_due_at for d in at_risk]
    assert dues == sorted(dues)


def test_a_leader_sees_only_their_units(world, intake, make_official):
    build(world, intake)
    t = world.tree
    other = make_official("ct.xa2", t["commune2"], [("agency_leader", t["commune2"], True)])
    r = leader_report(other, now=NOW)
    assert r.units == [] and r.procedures == []
    assert r.total_this["received"] == 0 and r.total_now.held == 0
    assert list(report_at_risk(other, now=NOW)) == []

    inspector = make_official("thanhtra", t["root"], [("inspector", t["root"], True)])
    seen = leader_report(inspector, now=NOW)
    assert seen.total_last == leader_report(world["commune_chair"], now=NOW).total_last
    assert {d.pk for d in report_at_risk(inspector, now=NOW)} == {
        d.pk for d in report_at_risk(world["commune_chair"], now=NOW)
    }


def test_a_province_administrator_reads_figures_but_no_dossier(world, intake, make_official):
    build(world, intake)
    t = world.tree
    admin = make_official("qt.tinh", t["root"], [("province_admin", t["root"], True)])
    assert leader_report(admin, now=NOW).total_last["received"] == 4
    assert list(report_at_risk(admin, now=NOW)) == []


def test_who_may_not_read_reports_is_refused(world):
    for who in (world["commune_specialist"], world["commune_officer"]):
        with pytest.raises(NotAllowed):
            leader_report(who, now=NOW)
        with pytest.raises(NotAllowed):
            report_at_risk(who, now=NOW)


def test_the_report_reads_a_fixed_number_of_queries_as_dossiers_grow(world, intake):
    chair = world["commune_chair"]
    submit(world, local(2026, 4, 1, 9), accept=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = leader_report(chair, now=NOW)
            list(report_at_risk(chair, now=NOW)[:25])
        assert r.total_this["received"] >= 1
        return len(ctx.captured_queries)

    queries()  # the grants, kept on the user for the request, are read once
    few = queries()
    build(world, intake)
    for day in (6, 7, 8):
        submit(world, local(2026, 4, day, 9), accept=True)
    assert queries() == few


def test_the_at_risk_list_holds_a_dossier_whose_appointment_is_near_though_its_step_is_not(world):
    """A first step settled slowly hands the next one a fresh step deadline while the
    appointment draws near: the appointment's own rule (`deadlines.near_from` with the apology
    notice) puts the dossier on the list, before it is missed."""
    d = submit(world, local(2026, 4, 6, 9), accept=True)
    forwarded_at = d.due_at - dt.timedelta(hours=2)
    assert act(world, "forward", d, forwarded_at)
    d.refresh_from_db()
    now = forwarded_at + dt.timedelta(minutes=5)
    state = deadlines_of(d, now)
    assert (state.step, state.appointment) == ("", NEAR)
    assert d.pk in {x.pk for x in report_at_risk(world["commune_chair"], now=now)}
    # Before the appointment's near moment, neither rule puts it on the list.
    early = submit(world, local(2026, 4, 6, 9), accept=True)
    early_state = deadlines_of(early, local(2026, 4, 6, 10))
    assert (early_state.step, early_state.appointment) == ("", "")
    assert early.pk not in {
        x.pk for x in report_at_risk(world["commune_chair"], now=local(2026, 4, 6, 10))
    }
