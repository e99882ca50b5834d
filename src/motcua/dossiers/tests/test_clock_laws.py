"""Laws of the processing clock (motcua.dossiers.clock), on generated runs of a dossier:
accepted at an office-hour or off-hour moment of 2025–2027, then stopped and started again
(restarting the full time or not), extended by apology letters, and finished.

The three defects of the clock kept in dossiers/services.py (issue 11 §3) are pinned down by
the example tests at the end, on the 2026 national calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.tests.test_workcalendar_laws import calendars
from motcua.core.workcalendar import (
    DAYS,
    MONTHS,
    TZ,
    WORKING_DAYS,
    WORKING_HOURS,
    WorkCalendar,
    calendar_end,
    national_calendar,
)
from motcua.dossiers.clock import EARLY, LATE, ON_TIME, Clock, Limit, carry_deadline

LAWS = settings(max_examples=150, deadline=None)

NATIONAL = WorkCalendar(*national_calendar(range(2024, 2031)))
FIRST, LAST = date(2025, 1, 1), date(2027, 12, 31)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# Strategies ------------------------------------------------------------------------------------

any_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31, 23, 59), timezones=st.just(TZ)
)


@st.composite
def office_moments(draw, cal: WorkCalendar = NATIONAL) -> datetime:
    """A moment inside an office period of a working day (to the minute)."""
    day = draw(st.dates(min_value=FIRST, max_value=LAST))
    start, end = draw(st.sampled_from(cal.periods))
    length = (datetime.combine(day, end) - datetime.combine(day, start)) // timedelta(minutes=1)
    moment = datetime.combine(day, start, tzinfo=TZ) + timedelta(
        minutes=draw(st.integers(min_value=0, max_value=length - 1))
    )
    return cal.next_working_moment(moment)


moments = st.one_of(office_moments(), any_moments)

limits = st.one_of(
    st.builds(
        Limit,
        st.integers(min_value=0, max_value=30),
        st.just(WORKING_DAYS),
        st.sampled_from([None, time(15, 0)]),
    ),
    st.builds(Limit, st.integers(min_value=1, max_value=80), st.just(WORKING_HOURS)),
    st.builds(Limit, st.integers(min_value=0, max_value=90), st.just(DAYS)),
    st.builds(Limit, st.integers(min_value=0, max_value=6), st.just(MONTHS)),
)

gaps = st.one_of(
    st.just(timedelta(0)),
    st.integers(min_value=1, max_value=600).map(lambda m: timedelta(minutes=m)),
    st.integers(min_value=1, max_value=100).map(lambda h: timedelta(hours=h)),
    st.tuples(st.integers(1, 45), st.integers(0, 24 * 60 - 1)).map(
        lambda dm: timedelta(days=dm[0], minutes=dm[1])
    ),
)

# An operation: "stop" stops the clock (restarting the full time on resume or not) when it runs
# and starts it again when it is stopped; "extend" issues an apology letter moving the
# appointment later; "look" only looks at the clock.
operations = st.one_of(
    st.tuples(st.just("stop"), st.booleans()),
    st.tuples(
        st.just("extend"),
        st.integers(min_value=1, max_value=20 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    ),
    st.tuples(st.just("look"), st.none()),
)


@dataclass(frozen=True)
class Step:
    at: datetime
    op: str
    before: Clock
    after: Clock


@dataclass(frozen=True)
class Scenario:
    cal: WorkCalendar
    accepted_at: datetime
    limit: Limit
    plan: tuple[tuple[timedelta, bool, tuple[str, object]], ...]
    finish_gap: timedelta

    def run(self, *, without_extensions: bool = False) -> tuple[Clock, list[Step], datetime]:
        """Play the plan: (gap, snap to office hours, operation) after acceptance; return the
        first clock, the steps and the finishing moment."""
        cal = self.cal
        clock = first = Clock.accept(self.accepted_at, self.limit, cal)
        now = self.accepted_at
        steps = []
        for gap, snap, (op, arg) in self.plan:
            now = now + gap
            if snap:
                now = cal.next_working_moment(now)
            before = clock
            if op == "stop" and clock.paused_at is None:
                op, clock = "pause", clock.pause(now, restart_on_resume=bool(arg))
            elif op == "stop":
                op, clock = "resume", clock.resume(now, cal)
            elif op == "extend" and not without_extensions:
                clock = clock.extend(clock.due_at + arg)
            steps.append(Step(now, op, before, clock))
        return first, steps, now + self.finish_gap


@st.composite
def scenarios(draw, *, calendars_=None, limits_=limits) -> Scenario:
    cal = draw(calendars_ if calendars_ is not None else st.just(NATIONAL))
    plan = draw(st.lists(st.tuples(gaps, st.booleans(), operations), max_size=8))
    return Scenario(
        cal=cal,
        accepted_at=draw(moments),
        limit=draw(limits_),
        plan=tuple(plan),
        finish_gap=draw(gaps),
    )


national_or_any = st.one_of(st.just(NATIONAL), calendars())


def _resumes(steps: list[Step]):
    return [s for s in steps if s.op == "resume"]


# Acceptance ------------------------------------------------------------------------------------


@LAWS
@given(moments, limits)
def test_acceptance_sets_the_appointments_with_the_working_calendar(now, limit):
    clock = Clock.accept(now, limit, NATIONAL)
    due = NATIONAL.add(now, limit.amount, limit.unit, cutoff=limit.cutoff)
    assert clock.original_due_at == clock.due_at == clock.statutory_due_at == due
    assert clock.started_at == NATIONAL.counted_from(now, limit.unit, cutoff=limit.cutoff)
    assert clock.paused_at is None and not clock.late and clock.held == timedelta(0)


# Law 1: the receipt's appointment ----------------------------------------------------------------


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_the_receipts_appointment_is_set_once_and_never_changes(scenario):
    first, steps, _finish = scenario.run()
    assert all(s.after.original_due_at == first.original_due_at for s in steps)


# Law 2: lateness is never reduced ----------------------------------------------------------------


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_pauses_and_restarts_never_reduce_lateness(scenario):
    cal = scenario.cal
    first, steps, finish = scenario.run()
    # Every look at the clock, in time order: after each operation, and before the next one.
    looks = [(scenario.accepted_at, first)]
    for s in steps:
        looks += [(s.at, s.before), (s.at, s.after)]
    looks.append((finish, steps[-1].after if steps else first))
    overdue = [clock.overdue(moment, cal) for moment, clock in looks]
    late = [clock.is_late(moment) for moment, clock in looks]
    assert overdue == sorted(overdue)
    assert late == sorted(late)  # False, ..., False, True, ..., True


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_a_dossier_late_when_the_clock_stopped_stays_late_by_as_much(scenario):
    cal = scenario.cal
    _first, steps, finish = scenario.run()
    last = steps[-1].after if steps else _first
    for s in _resumes(steps):
        stopped = s.before
        overdue_at_pause = stopped.overdue(stopped.paused_at, cal)
        if stopped.paused_at > stopped.statutory_due_at:
            assert s.after.is_late(s.at)
            assert s.after.late or s.at == stopped.paused_at  # an empty pause changes nothing
            # Resumed or restarted: passed by the same amount, office or calendar time.
            assert s.after.overdue(s.at, cal) == overdue_at_pause
            assert last.timeliness(finish) == LATE
            assert last.overdue(finish, cal) >= overdue_at_pause
        else:
            assert overdue_at_pause == timedelta(0)
            assert s.after.overdue(s.at, cal) == timedelta(0)


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_timeliness_is_late_exactly_when_the_clock_says_late(scenario):
    _first, steps, finish = scenario.run()
    clock = steps[-1].after if steps else _first
    verdict = clock.timeliness(finish)
    assert verdict in (EARLY, ON_TIME, LATE)
    assert (verdict == LATE) == clock.is_late(finish)
    if verdict == ON_TIME:
        counted = min(finish, clock.paused_at or finish)
        assert counted.astimezone(TZ).date() == clock.statutory_due_at.astimezone(TZ).date()


@LAWS
@given(scenarios(limits_=limits.filter(lambda lim: lim.in_office_time)))
def test_resuming_leaves_the_office_time_that_was_left(scenario):
    cal = scenario.cal
    _first, steps, _finish = scenario.run()
    for s in _resumes(steps):
        if s.before.restart_on_resume:
            continue
        left = s.before.remaining(s.before.paused_at, cal)
        assert s.after.remaining(s.at, cal) == left  # negative: overdue by as much
        held = cal.working_time_between(s.before.paused_at, s.at)
        assert s.after.held == s.before.held + held


# Law 3: an apology moves the appointment only ----------------------------------------------------


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_an_apology_moves_the_appointment_never_the_receipt_nor_the_statutory_deadline(scenario):
    _first, steps, finish = scenario.run()
    _first, plain, _finish = scenario.run(without_extensions=True)
    for s, p in zip(steps, plain, strict=True):
        if s.op == "extend":
            assert s.after.due_at > s.before.due_at
            assert s.after.statutory_due_at == s.before.statutory_due_at
            assert s.after.original_due_at == s.before.original_due_at
        # Whatever letters were issued, the indicators judge the same deadline.
        assert s.after.statutory_due_at == p.after.statutory_due_at
        assert s.after.late == p.after.late
        assert s.after.due_at >= s.after.statutory_due_at
    if steps:
        assert steps[-1].after.timeliness(finish) == plain[-1].after.timeliness(finish)


# Law 4: a restart gives the full time again, lateness stays ---------------------------------------


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_a_restart_gives_the_full_time_again_but_keeps_lateness(scenario):
    cal = scenario.cal
    limit = scenario.limit
    _first, steps, finish = scenario.run()
    last = steps[-1].after if steps else _first
    for s in _resumes(steps):
        if not s.before.restart_on_resume or s.at == s.before.paused_at:
            continue
        fresh = cal.add(s.at, limit.amount, limit.unit, cutoff=limit.cutoff)
        assert s.after.due_at == fresh
        assert s.after.started_at == cal.counted_from(s.at, limit.unit, cutoff=limit.cutoff)
        assert s.after.held == timedelta(0)
        if s.before.late or s.before.paused_at > s.before.statutory_due_at:
            assert s.after.late and s.after.is_late(s.at)
            assert last.timeliness(finish) == LATE
        else:
            assert s.after.statutory_due_at == fresh
            assert not s.after.late


# Law 5: calendar days stay calendar days ----------------------------------------------------------


@LAWS
@given(scenarios(limits_=limits.filter(lambda lim: not lim.in_office_time)))
def test_calendar_day_limits_stay_in_calendar_days_across_a_pause(scenario):
    cal = scenario.cal
    _first, steps, _finish = scenario.run()
    for s in _resumes(steps):
        stopped, held = s.before, s.at - s.before.paused_at
        if stopped.restart_on_resume:
            continue
        assert s.after.held == stopped.held + held  # calendar time, not office minutes
        deadline, resumed = stopped.statutory_due_at, s.after.statutory_due_at
        if stopped.paused_at > deadline:
            assert resumed == deadline + held
            continue
        own_end = calendar_end(stopped.started_at, stopped.limit.amount, stopped.limit.unit)
        if not stopped.late:
            # Never earlier than the limit's own end plus the time held, never later than the
            # rolled deadline plus it; exactly that when no day off was in the way.
            assert own_end + s.after.held <= resumed
        assert resumed <= cal.next_working_moment(deadline + held)
        assert resumed >= s.at  # not passed when it stopped, not passed when it starts
        if cal.next_working_moment(deadline + held) == deadline + held and deadline == (
            own_end + stopped.held
        ):
            assert resumed == deadline + held


# Rebuilding a stored clock (the backfill of dossiers stored before `held` and `late`) ----------


@LAWS
@given(scenarios(calendars_=national_or_any))
def test_a_clock_rebuilt_from_its_stored_deadlines_is_the_same_clock(scenario):
    cal = scenario.cal
    _first, steps, finish = scenario.run()
    clock = steps[-1].after if steps else _first
    restored = Clock.restore(
        limit=clock.limit,
        started_at=clock.started_at,
        statutory_due_at=clock.statutory_due_at,
        due_at=clock.due_at,
        original_due_at=clock.original_due_at,
        paused_at=clock.paused_at,
        restart_on_resume=clock.restart_on_resume,
        cal=cal,
    )
    if clock.late:
        return  # lateness erased before the backfill cannot be found again
    own_end = calendar_end if not clock.limit.in_office_time else None
    unrolled = own_end is None or clock.statutory_due_at == (
        own_end(clock.started_at, clock.limit.amount, clock.limit.unit) + clock.held
    )
    if unrolled:
        assert restored == clock
    else:
        # The roll past days off counts as held: later deadlines, never earlier ones.
        assert restored.held > clock.held
    if clock.paused_at is not None:
        assert (
            restored.resume(finish, cal).statutory_due_at
            >= clock.resume(finish, cal).statutory_due_at
        )


def test_a_stored_30_day_clock_paused_before_keeps_its_pauses():
    # Accepted Monday 2/2/2026 09:00 for 30 days, stopped 12 days already (due 16/3 09:00).
    restored = Clock.restore(
        limit=Limit(30, DAYS),
        started_at=at(2026, 2, 2, 9),
        statutory_due_at=at(2026, 3, 16, 9),
        due_at=at(2026, 3, 16, 9),
        original_due_at=at(2026, 3, 4, 9),
        paused_at=at(2026, 3, 2, 9),
        cal=NATIONAL,
    )
    assert restored.held == timedelta(days=12)
    assert not restored.late
    resumed = restored.resume(at(2026, 3, 5, 9), NATIONAL)
    assert resumed.statutory_due_at == at(2026, 3, 19, 9)
    stopped_late = Clock.restore(
        limit=Limit(5, WORKING_DAYS),
        started_at=at(2026, 3, 2, 9),
        statutory_due_at=at(2026, 3, 9, 9),
        due_at=at(2026, 3, 9, 9),
        original_due_at=at(2026, 3, 9, 9),
        paused_at=at(2026, 3, 10, 9),
        cal=NATIONAL,
    )
    assert stopped_late.is_late(at(2026, 3, 10, 9)) and stopped_late.held == timedelta(0)
    assert stopped_late.resume(at(2026, 3, 11, 9), NATIONAL).late


# Law 6: an empty pause, and pauses out of turn ----------------------------------------------------


@LAWS
@given(scenarios(calendars_=national_or_any), st.booleans())
def test_a_pause_ending_when_it_starts_changes_nothing(scenario, restart):
    _first, steps, _finish = scenario.run()
    clock = steps[-1].after if steps else _first
    now = steps[-1].at if steps else scenario.accepted_at
    if clock.paused_at is not None:
        clock = clock.resume(now, scenario.cal)
    assert clock.pause(now, restart_on_resume=restart).resume(now, scenario.cal) == clock


def test_resuming_a_running_clock_or_pausing_a_stopped_one_is_an_error():
    clock = Clock.accept(at(2026, 3, 2, 9), Limit(5, WORKING_DAYS), NATIONAL)
    with pytest.raises(ValueError, match="no pause"):
        clock.resume(at(2026, 3, 3, 9), NATIONAL)
    stopped = clock.pause(at(2026, 3, 3, 9), restart_on_resume=False)
    with pytest.raises(ValueError, match="stop twice"):
        stopped.pause(at(2026, 3, 4, 9), restart_on_resume=True)
    with pytest.raises(ValueError, match="before it stopped"):
        stopped.resume(at(2026, 3, 2, 10), NATIONAL)
    with pytest.raises(ValueError, match="after the current one"):
        clock.extend(clock.due_at)


# Law 7: naive datetimes ---------------------------------------------------------------------------


def test_naive_datetimes_are_refused_everywhere():
    naive = datetime(2026, 3, 3, 9, 0)
    limit = Limit(5, WORKING_DAYS)
    clock = Clock.accept(at(2026, 3, 2, 9), limit, NATIONAL)
    stopped = clock.pause(at(2026, 3, 3, 9), restart_on_resume=False)
    calls = [
        lambda: Clock.accept(naive, limit, NATIONAL),
        lambda: clock.pause(naive, restart_on_resume=False),
        lambda: stopped.resume(naive, NATIONAL),
        lambda: clock.extend(naive),
        lambda: clock.timeliness(naive),
        lambda: clock.is_late(naive),
        lambda: clock.overdue(naive, NATIONAL),
        lambda: clock.remaining(naive, NATIONAL),
        lambda: clock.within_working_days_of_start(naive, 3, NATIONAL),
        lambda: Clock(limit, naive, clock.due_at, clock.due_at, clock.due_at),
        lambda: carry_deadline(
            naive, paused_at=naive, resumed_at=naive, unit=WORKING_HOURS, cal=NATIONAL
        ),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


def test_limits_are_checked():
    for amount, unit in [(-1, DAYS), (1.5, DAYS), (True, DAYS), (3, "fortnights")]:
        with pytest.raises(ValueError):
            Limit(amount, unit)


def test_the_verdicts_are_the_timeliness_choices():
    from motcua.dossiers.constants import Timeliness

    assert (
        Timeliness.EARLY.value,
        Timeliness.ON_TIME.value,
        Timeliness.LATE.value,
    ) == (EARLY, ON_TIME, LATE)


# The reproduced defects (issue 11 §3), on the 2026 national calendar ------------------------------


def test_defect_a_apology_then_payment_wait_after_the_deadline_stays_late():
    # 5 working days from Monday 2/3 09:00: the receipt says Monday 9/3 09:00.
    clock = Clock.accept(at(2026, 3, 2, 9), Limit(5, WORKING_DAYS), NATIONAL)
    assert clock.original_due_at == at(2026, 3, 9, 9)
    # Apology letter on Friday 6/3: new appointment Friday 13/3 09:00.
    clock = clock.extend(at(2026, 3, 13, 9))
    # Payment requested on Tuesday 10/3 10:00, after the deadline; paid on Wed 11/3 10:00.
    clock = clock.pause(at(2026, 3, 10, 10), restart_on_resume=False)
    overdue_at_pause = clock.overdue(at(2026, 3, 10, 10), NATIONAL)
    assert overdue_at_pause == timedelta(minutes=450 + 60)  # a working day and an hour
    clock = clock.resume(at(2026, 3, 11, 10), NATIONAL)
    # The services' maths made the receipt's appointment 16/3 and called a result returned on
    # Thursday 12/3 (three working days after 9/3) early. The receipt is untouched, the
    # deadline is carried by the working day held and is still passed by as much.
    assert clock.original_due_at == at(2026, 3, 9, 9)
    assert clock.statutory_due_at == at(2026, 3, 10, 9)
    assert clock.overdue(at(2026, 3, 11, 10), NATIONAL) == overdue_at_pause
    assert clock.due_at == at(2026, 3, 16, 9)  # the letter's appointment, carried too
    assert clock.late
    assert clock.timeliness(at(2026, 3, 12, 10)) == LATE
    assert clock.overdue(at(2026, 3, 12, 10), NATIONAL) == timedelta(hours=16)


def test_defect_b_supplement_requested_after_the_deadline_keeps_the_lateness():
    # 3 working days from Monday 2/3 09:00: Thursday 5/3 09:00.
    clock = Clock.accept(at(2026, 3, 2, 9), Limit(3, WORKING_DAYS), NATIONAL)
    requested = at(2026, 3, 6, 10)  # Friday, after the deadline and the 3-day window
    assert not clock.within_working_days_of_start(requested, 3, NATIONAL)
    clock = clock.pause(requested, restart_on_resume=False)
    clock = clock.resume(at(2026, 3, 13, 10), NATIONAL)  # the supplement, a week later
    # Not reset to "now" (13/3 10:00): passed by the same working day and hour.
    assert clock.statutory_due_at == at(2026, 3, 12, 9)
    assert clock.due_at == clock.statutory_due_at
    assert clock.overdue(at(2026, 3, 13, 10), NATIONAL) == timedelta(minutes=510)
    assert clock.timeliness(at(2026, 3, 13, 15)) == LATE


def test_defect_b_with_a_restart_the_appointment_restarts_and_the_lateness_stays():
    # 4 working hours from Monday 2/3 09:00: 15:00 the same day.
    clock = Clock.accept(at(2026, 3, 2, 9), Limit(4, WORKING_HOURS), NATIONAL)
    assert clock.statutory_due_at == at(2026, 3, 2, 15)
    requested = at(2026, 3, 3, 10)  # next morning: late, but within the 3-day window
    assert clock.within_working_days_of_start(requested, 3, NATIONAL)
    clock = clock.pause(requested, restart_on_resume=True)
    clock = clock.resume(at(2026, 3, 5, 8), NATIONAL)
    assert clock.due_at == at(2026, 3, 5, 14)  # the full 4 hours again for the applicant
    assert clock.late
    assert clock.overdue(at(2026, 3, 5, 8), NATIONAL) == timedelta(hours=4, minutes=30)
    assert clock.timeliness(at(2026, 3, 5, 9)) == LATE


def test_defect_c_calendar_day_limits_stay_in_calendar_days():
    # 30 days from Monday 2/2/2026 09:00: Wednesday 4/3 09:00.
    clock = Clock.accept(at(2026, 2, 2, 9), Limit(30, DAYS), NATIONAL)
    assert clock.statutory_due_at == at(2026, 3, 4, 9)
    # Payment awaited from Thursday 12/2 to Tuesday 24/2: 12 calendar days, Tết in between.
    clock = clock.pause(at(2026, 2, 12, 9), restart_on_resume=False)
    clock = clock.resume(at(2026, 2, 24, 9), NATIONAL)
    assert clock.statutory_due_at == at(2026, 3, 16, 9)  # 12 days later
    assert clock.held == timedelta(days=12)
    # The services' maths turned the 20 days left into office minutes and gave 9/3.
    left = NATIONAL.working_minutes_between(at(2026, 2, 12, 9), at(2026, 3, 4, 9))
    assert NATIONAL.add_working_hours(at(2026, 2, 24, 9), left / 60) == at(2026, 3, 9, 9)


def test_a_calendar_limit_rolled_past_a_sunday_is_carried_from_its_own_end():
    # 30 days from Friday 6/3 10:00 end on Sunday 5/4, so Monday 6/4 07:30 (art. 148(5)).
    clock = Clock.accept(at(2026, 3, 6, 10), Limit(30, DAYS), NATIONAL)
    assert clock.statutory_due_at == at(2026, 4, 6, 7, 30)
    clock = clock.pause(at(2026, 3, 16, 10), restart_on_resume=False)
    clock = clock.resume(at(2026, 3, 26, 10), NATIONAL)
    # 10 days held: Wednesday 15/4 10:00, not the rolled Monday plus 10 days (Thursday 16/4).
    assert clock.statutory_due_at == at(2026, 4, 15, 10)


def test_a_working_day_deadline_at_half_past_one_keeps_its_time_of_day():
    clock = Clock.accept(at(2026, 3, 2, 13, 30), Limit(5, WORKING_DAYS), NATIONAL)
    assert clock.statutory_due_at == at(2026, 3, 9, 13, 30)
    # Stopped Tuesday 13:30 to Wednesday 13:30: one working day held.
    clock = clock.pause(at(2026, 3, 3, 13, 30), restart_on_resume=False)
    clock = clock.resume(at(2026, 3, 4, 13, 30), NATIONAL)
    assert clock.statutory_due_at == at(2026, 3, 10, 13, 30)


def test_a_step_deadline_is_carried_like_the_clock():
    # A 16-working-hour step due Wednesday 4/3 11:00; stopped Tuesday 3/3 10:00 to Thursday
    # 5/3 10:00 (two working days): due Friday 6/3 11:00. One that had passed an hour before
    # the stop is still passed by an hour.
    carried = carry_deadline(
        at(2026, 3, 4, 11),
        paused_at=at(2026, 3, 3, 10),
        resumed_at=at(2026, 3, 5, 10),
        unit=WORKING_HOURS,
        cal=NATIONAL,
    )
    assert carried == at(2026, 3, 6, 11)
    passed = carry_deadline(
        at(2026, 3, 3, 9),
        paused_at=at(2026, 3, 3, 10),
        resumed_at=at(2026, 3, 5, 10),
        unit=WORKING_HOURS,
        cal=NATIONAL,
    )
    assert passed == at(2026, 3, 5, 9)
    assert NATIONAL.working_time_between(passed, at(2026, 3, 5, 10)) == timedelta(hours=1)
