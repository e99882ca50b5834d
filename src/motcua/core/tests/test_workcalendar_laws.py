"""Laws of the working-time calendar, checked on generated calendars and moments.

The fast arithmetic (weekday counting, binary searches) is also compared with a naive walk
over days, which is obviously right and too slow for the hot path.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motcua.core.workcalendar import (
    DEFAULT_PERIODS,
    TZ,
    WorkCalendar,
    national_calendar,
)

LAWS = settings(max_examples=300, deadline=None)

FIRST, LAST = date(2025, 1, 1), date(2027, 12, 31)
NATIONAL = national_calendar(range(2024, 2033))

PERIOD_SETS = [
    DEFAULT_PERIODS,
    ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))),
    ((time(7, 0), time(11, 0)), (time(13, 30), time(16, 30))),
    ((time(7, 30), time(11, 30)), (time(11, 30), time(17, 0))),  # no lunch break
    ((time(8, 0), time(16, 45)),),
    ((time(6, 0), time(9, 0)), (time(10, 0), time(12, 0)), (time(14, 0), time(18, 15))),
]

days_in_range = st.dates(min_value=FIRST, max_value=LAST)


@st.composite
def calendars(draw) -> WorkCalendar:
    """The national calendar, or random extra days off and make-up days, with some hours."""
    off, work = NATIONAL if draw(st.booleans()) else (frozenset(), frozenset())
    extra_off = draw(st.frozensets(days_in_range, max_size=60))
    extra_work = draw(st.frozensets(days_in_range.filter(lambda d: d.weekday() >= 5), max_size=20))
    return WorkCalendar(off | extra_off, work | extra_work, draw(st.sampled_from(PERIOD_SETS)))


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(TZ)
)
# Hours the calendar counts exactly: whole and quarter hours.
hour_amounts = st.one_of(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=800).map(lambda q: Decimal(q) / 4),
)


def in_office(cal: WorkCalendar, moment: datetime, *, end_inclusive: bool = False) -> bool:
    local = moment.astimezone(TZ)
    t = local.time()
    return cal.is_working_day(local.date()) and any(
        start <= t < end or (end_inclusive and t == end) for start, end in cal.periods
    )


def naive_nth_after(cal: WorkCalendar, d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        n -= cal.is_working_day(d)
    return d


def naive_minutes(cal: WorkCalendar, a: datetime, b: datetime) -> int:
    """Office time in [a, b), summed day by day."""
    a, b = a.astimezone(TZ), b.astimezone(TZ)
    total = timedelta()
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            for start, end in cal.periods:
                lo = max(a, datetime.combine(day, start, tzinfo=TZ))
                hi = min(b, datetime.combine(day, end, tzinfo=TZ))
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return int(total.total_seconds() // 60)


# Working days ----------------------------------------------------------------------------------


@LAWS
@given(calendars(), moments, moments, st.integers(min_value=0, max_value=400))
def test_adding_working_days_is_monotonic(cal, a, b, n):
    a, b = min(a, b), max(a, b)
    assert cal.add_working_days(a, n) <= cal.add_working_days(b, n)


@LAWS
@given(calendars(), moments, st.integers(min_value=0, max_value=300), st.integers(0, 300))
def test_adding_working_days_composes(cal, start, a, b):
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(
        start, a + b
    )


@LAWS
@given(calendars(), moments, st.integers(min_value=0, max_value=400))
def test_working_days_end_in_office_hours_at_the_same_time_of_day(cal, start, n):
    due = cal.add_working_days(start, n)
    counted = cal.next_working_moment(start)
    assert in_office(cal, due)
    assert due.time() == counted.time()
    assert due.utcoffset() == timedelta(hours=7)


@LAWS
@given(calendars(), moments, st.integers(min_value=1, max_value=400))
def test_working_days_match_a_walk_over_days(cal, start, n):
    counted = cal.next_working_moment(start)
    assert cal.add_working_days(start, n).date() == naive_nth_after(cal, counted.date(), n)


@LAWS
@given(calendars(), moments, st.integers(min_value=0, max_value=300))
def test_subtracting_working_days_inverts_adding(cal, any_moment, n):
    x = cal.next_working_moment(any_moment)
    back = cal.subtract_working_days(x, n)
    assert back <= x
    assert in_office(cal, back)
    assert cal.add_working_days(back, n) == x


@LAWS
@given(calendars(), moments, st.integers(min_value=0, max_value=30))
def test_subtracting_never_lands_after_the_moment(cal, at, n):
    back = cal.subtract_working_days(at, n)
    assert back <= at
    assert in_office(cal, back, end_inclusive=True)


@LAWS
@given(calendars(), moments)
def test_next_working_moment_is_the_first_office_moment(cal, at):
    moment = cal.next_working_moment(at)
    assert moment >= at
    assert in_office(cal, moment)
    if in_office(cal, at):
        assert moment == at
    else:
        # Nothing in between was office time.
        assert naive_minutes(cal, at, moment) == 0


# Working hours ---------------------------------------------------------------------------------


@LAWS
@given(calendars(), moments, moments, hour_amounts)
def test_adding_working_hours_is_monotonic(cal, a, b, hours):
    a, b = min(a, b), max(a, b)
    assert cal.add_working_hours(a, hours) <= cal.add_working_hours(b, hours)


@LAWS
@given(calendars(), moments, hour_amounts, hour_amounts.filter(lambda h: h > 0))
def test_adding_working_hours_composes(cal, start, a, b):
    # b > 0: a result exactly at a period's end (11:30) restarts at 13:30 when normalised, so
    # adding zero hours to it moves it; any positive amount lands where a + b does.
    assert cal.add_working_hours(cal.add_working_hours(start, a), b) == cal.add_working_hours(
        start, a + b
    )


@LAWS
@given(calendars(), moments, hour_amounts)
def test_working_hours_count_exactly_the_office_minutes(cal, start, hours):
    due = cal.add_working_hours(start, hours)
    assert cal.working_minutes_between(start, due) == hours * 60
    assert in_office(cal, due, end_inclusive=True)
    if hours:
        # The earliest such moment: a period's end, never the start of the next one.
        assert cal.working_minutes_between(start, due - timedelta(minutes=1)) == hours * 60 - 1


@LAWS
@given(calendars(), moments, moments)
def test_working_minutes_match_a_walk_over_days(cal, a, b):
    assume(abs(b - a) < timedelta(days=120))
    assert cal.working_minutes_between(a, b) == (naive_minutes(cal, a, b) if b > a else 0)


# Calendar days and months ----------------------------------------------------------------------


@LAWS
@given(
    calendars(),
    moments,
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["days", "months"]),
)
def test_calendar_units_end_on_a_working_day_in_office_hours(cal, start, n, unit):
    due = cal.add(start, n % 40 if unit == "months" else n, unit)
    assert due >= start
    assert in_office(cal, due)


@LAWS
@given(calendars(), moments, moments, st.integers(min_value=0, max_value=400))
def test_calendar_days_are_monotonic(cal, a, b, n):
    a, b = min(a, b), max(a, b)
    assert cal.add(a, n, "days") <= cal.add(b, n, "days")


@LAWS
@given(calendars(), moments, st.sampled_from([None, time(15)]))
def test_same_day_procedures_end_at_the_close_of_a_working_day(cal, start, cutoff):
    due = cal.add(start, 0, "working_days", cutoff=cutoff)
    assert cal.is_working_day(due.date())
    assert due.time() == cal.periods[-1][1]
    assert due >= start


# Input checks and speed ------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    cal = WorkCalendar()
    with pytest.raises(ValueError):
        cal.next_working_moment(datetime(2026, 3, 9, 10, 0))
    with pytest.raises(ValueError):
        cal.add_working_days(datetime(2026, 3, 9, 10, 0), 1)


def test_negative_amounts_and_unknown_units_are_refused():
    cal = WorkCalendar()
    start = datetime(2026, 3, 9, 10, 0, tzinfo=TZ)
    with pytest.raises(ValueError):
        cal.add_working_days(start, -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(start, -1)
    with pytest.raises(ValueError):
        cal.add(start, 1, "fortnights")
    with pytest.raises(ValueError):
        cal.add(start, Decimal("1.5"), "working_days")


def test_overlapping_office_periods_are_refused():
    with pytest.raises(ValueError):
        WorkCalendar(periods=((time(8), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError):
        WorkCalendar(periods=())


def test_other_time_zones_are_converted():
    cal = WorkCalendar()
    # 03:00 UTC is 10:00 in Hà Nội.
    start = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
    assert cal.add_working_days(start, 1) == datetime(2026, 3, 10, 10, 0, tzinfo=TZ)


def test_ten_years_of_working_days_take_well_under_a_millisecond():
    off, work = national_calendar(range(2026, 2045))
    cal = WorkCalendar(off, work)
    start = datetime(2026, 2, 13, 10, 0, tzinfo=TZ)
    runs = 500
    began = _time.perf_counter()
    for _ in range(runs):
        cal.add_working_days(start, 3650)
        cal.add_working_hours(start, 3650 * 8)
    per_call = (_time.perf_counter() - began) / (2 * runs)
    assert per_call < 0.0005
    assert cal.add_working_days(start, 3650).date() == naive_nth_after(cal, start.date(), 3650)
