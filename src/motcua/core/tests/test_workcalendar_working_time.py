"""Laws of office time as an amount (timedelta): measuring it signed and exact, moving a moment
by it forwards or backwards (a deadline carried across a pause), and where a time limit in
calendar days ends (Civil Code 2015 art. 148(5))."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.tests.test_workcalendar_laws import calendars, in_office, moments
from motcua.core.workcalendar import (
    DAYS,
    MONTHS,
    TZ,
    WORKING_DAYS,
    WorkCalendar,
    calendar_end,
    national_calendar,
)

LAWS = settings(max_examples=200, deadline=None)

_DAY = 450 * 60 * 1_000_000  # office microseconds in a default working day
# Up to 300 working days either way: arbitrary microseconds, and whole minutes (the usual case).
amounts = st.one_of(
    st.integers(min_value=-300 * _DAY, max_value=300 * _DAY),
    st.integers(min_value=-300 * 450, max_value=300 * 450).map(lambda m: m * 60_000_000),
).map(lambda us: timedelta(microseconds=us))
nonzero_amounts = amounts.filter(bool)

CAL_2026 = WorkCalendar(*national_calendar([2025, 2026, 2027]))


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# Measuring ------------------------------------------------------------------------------------


@LAWS
@given(calendars(), moments, moments)
def test_working_time_is_signed_and_floors_to_the_minutes_count(cal, a, b):
    spent = cal.working_time_between(a, b)
    assert cal.working_time_between(b, a) == -spent
    if b > a:
        assert spent >= timedelta(0)
        assert cal.working_minutes_between(a, b) == spent // timedelta(minutes=1)


# Moving by office time ------------------------------------------------------------------------


@LAWS
@given(calendars(), moments, amounts)
def test_moving_by_office_time_is_exact(cal, start, amount):
    assert cal.working_time_between(start, cal.add_working_time(start, amount)) == amount


@LAWS
@given(calendars(), moments)
def test_moving_by_nothing_leaves_the_moment_alone(cal, start):
    assert cal.add_working_time(start, timedelta(0)) == start


@LAWS
@given(calendars(), moments, nonzero_amounts)
def test_a_moment_in_office_hours_stays_in_them_any_other_takes_the_earlier_end(cal, start, amount):
    moved = cal.add_working_time(start, amount)
    if in_office(cal, start):
        # 13:30 of a working-day deadline stays 13:30 (not 11:30), 07:30 stays 07:30.
        assert in_office(cal, moved)
    else:
        assert in_office(cal, moved, end_inclusive=True)
        # The earliest moment with that office time: a minute earlier has less of it.
        before = moved - timedelta(microseconds=1)
        assert cal.working_time_between(start, before) < amount


@LAWS
@given(calendars(), moments, amounts)
def test_moving_back_undoes_moving_forth_in_office_hours(cal, any_moment, amount):
    start = cal.next_working_moment(any_moment)
    assert cal.add_working_time(cal.add_working_time(start, amount), -amount) == start


@LAWS
@given(calendars(), moments, amounts, amounts)
def test_moving_is_monotonic_in_the_amount(cal, start, a, b):
    a, b = min(a, b), max(a, b)
    assert cal.add_working_time(start, a) <= cal.add_working_time(start, b)


@LAWS
@given(calendars(), moments, amounts, amounts)
def test_moving_composes(cal, start, a, b):
    twice = cal.add_working_time(cal.add_working_time(start, a), b)
    assert cal.working_time_between(start, twice) == a + b
    if in_office(cal, start):
        assert twice == cal.add_working_time(start, a + b)


@LAWS
@given(calendars(), moments, st.integers(min_value=1, max_value=200 * 60))
def test_moving_forward_agrees_with_adding_working_hours(cal, start, minutes):
    by_hours = cal.add_working_hours(start, Decimal(minutes) / 60)
    moved = cal.add_working_time(start, timedelta(minutes=minutes))
    if in_office(cal, start):
        assert moved == cal.next_working_moment(by_hours)
    else:
        assert moved == by_hours


def test_moving_across_tet_2026():
    # Friday 13/2 15:00 plus 4 office hours: 2 hours that day, Tết 14–22/2, 2 hours on 23/2.
    assert CAL_2026.add_working_time(at(2026, 2, 13, 15), timedelta(hours=4)) == at(
        2026, 2, 23, 9, 30
    )
    # And back again; 3 office days back from 10:00 on 24/2 (23/2, 13/2, 12/2) is 12/2.
    assert CAL_2026.add_working_time(at(2026, 2, 23, 9, 30), -timedelta(hours=4)) == at(
        2026, 2, 13, 15
    )
    assert CAL_2026.add_working_time(at(2026, 2, 24, 10), -timedelta(minutes=3 * 450)) == at(
        2026, 2, 12, 10
    )


def test_a_deadline_at_the_start_of_the_afternoon_keeps_its_time_of_day():
    # One working day is 450 office minutes; 13:30 plus one day is 13:30, not 11:30.
    assert CAL_2026.add_working_time(at(2026, 3, 9, 13, 30), timedelta(minutes=450)) == at(
        2026, 3, 10, 13, 30
    )
    # A deadline at the end of the morning (working hours) stays at an end.
    assert CAL_2026.add_working_time(at(2026, 3, 9, 11, 30), timedelta(minutes=450)) == at(
        2026, 3, 10, 11, 30
    )


def test_working_time_refuses_naive_datetimes_and_other_amounts():
    with pytest.raises(ValueError, match="naive"):
        CAL_2026.add_working_time(datetime(2026, 3, 9, 10), timedelta(hours=1))
    with pytest.raises(ValueError, match="naive"):
        CAL_2026.working_time_between(datetime(2026, 3, 9, 10), at(2026, 3, 9, 11))
    with pytest.raises(ValueError):
        CAL_2026.add_working_time(at(2026, 3, 9, 10), 60)  # minutes, not a timedelta


# Calendar days and months ---------------------------------------------------------------------


@LAWS
@given(calendars(), moments)
def test_a_calendar_limit_ends_on_a_working_day_never_earlier(cal, end):
    real = cal.end_on_working_day(end)
    assert real >= end
    assert cal.is_working_day(real.astimezone(TZ).date())
    if cal.is_working_day(end.astimezone(TZ).date()):
        assert real == end
    else:
        assert in_office(cal, real)


@LAWS
@given(
    calendars(), moments, st.integers(min_value=0, max_value=400), st.sampled_from([DAYS, MONTHS])
)
def test_adding_calendar_units_is_the_calendar_end_moved_to_a_working_day(cal, start, n, unit):
    n = n % 40 if unit == MONTHS else n
    counted = cal.counted_from(start, unit)
    assert cal.add(start, n, unit) == cal.end_on_working_day(calendar_end(counted, n, unit))


def test_a_limit_ending_in_tet_ends_after_it():
    # 30 days from Friday 16/1/2026 10:00 is Sunday 15/2, in Tết (14–22/2): Monday 23/2, 07:30.
    end = calendar_end(at(2026, 1, 16, 10), 30, DAYS)
    assert end == at(2026, 2, 15, 10)
    assert CAL_2026.end_on_working_day(end) == at(2026, 2, 23, 7, 30)
    # 31/1 plus one month is the last day of February (Civil Code art. 148(3)).
    assert calendar_end(at(2026, 1, 31, 9), 1, MONTHS) == at(2026, 2, 28, 9)


def test_calendar_end_refuses_working_units_and_naive_datetimes():
    with pytest.raises(ValueError):
        calendar_end(at(2026, 3, 9, 10), 3, WORKING_DAYS)
    with pytest.raises(ValueError, match="naive"):
        calendar_end(datetime(2026, 3, 9, 10), 3, DAYS)
    with pytest.raises(ValueError, match="naive"):
        CAL_2026.end_on_working_day(datetime.combine(date(2026, 3, 8), time(10)))
