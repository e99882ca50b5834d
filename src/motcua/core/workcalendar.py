"""Working-time calendar (lịch làm việc): every deadline of the system is computed here.

Pure: no database, no Django models. `motcua.core.selectors.calendar_for` builds a `WorkCalendar`
from the national holidays and the overrides stored in the database; everything else is maths.

Rules (DOMAIN.md decisions 6 and 7): Monday to Friday are working days unless they are days off;
make-up working days (ngày làm bù) turn a Saturday or Sunday into a working day; office hours are
the same on every working day. A moment outside office hours counts from the start of the next
office period; N working days fall at the same time of day on the Nth working day; working hours
count office time only.

Speed: days are integers (proleptic ordinals) and the number of working days before a day is
computed from the weekday arithmetic plus two sorted exception lists, so adding 3,650 working
days is a few binary searches, not a walk over days or minutes. Times of day are integer
microseconds, so no rounding creeps in.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))

# The catalog's TimeUnit values (motcua.catalog.constants.TimeUnit), repeated to stay pure.
WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
DAYS = "days"
MONTHS = "months"
UNITS = (WORKING_DAYS, WORKING_HOURS, DAYS, MONTHS)

_US_PER_MINUTE = 60_000_000
_US_PER_DAY = 86_400_000_000


def _tod(t: time) -> int:
    """Microseconds since midnight."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _time_of(us: int) -> time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _weekdays_before(o: int) -> int:
    """Mondays to Fridays with an ordinal below `o` (ordinal 1, 1 January 0001, is a Monday)."""
    weeks, rest = divmod(o - 1, 7)
    return weeks * 5 + min(rest, 5)


def _moment(o: int, us: int) -> datetime:
    d = date.fromordinal(o)
    if us >= _US_PER_DAY:  # a period ending at midnight
        return datetime.combine(d + timedelta(days=1), time(0), tzinfo=TZ)
    return datetime.combine(d, _time_of(us), tzinfo=TZ)


def _local(at: datetime) -> tuple[int, int]:
    """(day ordinal, microseconds since midnight) of an aware datetime in Asia/Ho_Chi_Minh."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("A naive datetime cannot be placed on the working calendar.")
    local = at.astimezone(TZ)
    return local.toordinal(), _tod(local.timetz())


def _minutes(hours: int | float | Decimal) -> int:
    """Hours as whole minutes (half a minute rounds up); floats go through their decimal text."""
    try:
        value = Decimal(str(hours)) if isinstance(hours, float) else Decimal(hours)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Not a number of hours: {hours!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"The number of hours must be zero or more: {hours!r}")
    return int((value * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole(amount: int | float | Decimal) -> int:
    if isinstance(amount, bool):
        raise ValueError("The amount must be a whole number.")
    if isinstance(amount, int):
        return amount
    try:
        value = Decimal(str(amount)) if isinstance(amount, float) else Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Not a whole number: {amount!r}") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"Not a whole number: {amount!r}")
    return int(value)


def add_months(d: date, months: int) -> date:
    """`d` plus calendar months; a day the target month lacks becomes its last day
    (Civil Code 2015 art. 148(3): 31/1 + 1 month = 28/2 or 29/2)."""
    index = d.year * 12 + d.month - 1 + months
    year, month0 = divmod(index, 12)
    last = _calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def calendar_end(counted: datetime, amount: int, unit: str) -> datetime:
    """The end of `amount` calendar days or months from `counted`, before any roll to a working
    day: the same local time of day, `amount` days or months later (Civil Code 2015 art. 147
    and 148(1)–(3); the time of day is the start's, DOMAIN.md decision 7)."""
    _local(counted)  # refuses a naive datetime
    local = counted.astimezone(TZ)
    if unit == DAYS:
        return local + timedelta(days=amount)
    if unit == MONTHS:
        return datetime.combine(add_months(local.date(), amount), local.timetz())
    raise ValueError(f"Not a calendar unit: {unit!r}; expected {DAYS} or {MONTHS}.")


@dataclass(frozen=True)
class WorkCalendar:
    """A working calendar: days off, make-up working days and office hours.

    `is_working_day(d)` is `(Mon–Fri and d not in days_off) or d in workdays`. All results are
    aware datetimes in Asia/Ho_Chi_Minh; naive inputs are refused with ValueError.
    """

    days_off: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    # Derived in __post_init__: sorted exception ordinals and periods in microseconds.
    _offs: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _makeups: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _day_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days_off, workdays = frozenset(self.days_off), frozenset(self.workdays)
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("A calendar needs at least one office period.")
        spans = tuple((_tod(start), _tod(end) or _US_PER_DAY) for start, end in periods)
        for i, (start, end) in enumerate(spans):
            if start >= end or (i and spans[i - 1][1] > start):
                raise ValueError("Office periods must be ordered and must not overlap.")
        set_ = object.__setattr__
        set_(self, "days_off", days_off)
        set_(self, "workdays", workdays)
        set_(self, "periods", periods)
        # Weekdays that are off, and weekend days that are worked; a date in both sets is a
        # working day (workdays win, as `is_working_day` says).
        set_(
            self,
            "_offs",
            tuple(sorted(d.toordinal() for d in days_off - workdays if d.weekday() < 5)),
        )
        set_(self, "_makeups", tuple(sorted(d.toordinal() for d in workdays if d.weekday() >= 5)))
        set_(self, "_spans", spans)
        set_(self, "_day_us", sum(end - start for start, end in spans))

    @property
    def day_minutes(self) -> int:
        """Office minutes in one working day (450 with the default periods)."""
        return self._day_us // 60_000_000

    # Days ------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a day off, or a make-up working day."""
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.days_off

    def _before(self, o: int) -> int:
        """Working days with an ordinal below `o`."""
        return _weekdays_before(o) - bisect_left(self._offs, o) + bisect_left(self._makeups, o)

    def _working(self, o: int) -> bool:
        return self._before(o + 1) > self._before(o)

    def _first_reaching(self, target: int, lo: int) -> int:
        """The smallest ordinal o >= lo with _before(o + 1) >= target (a working day)."""
        if self._before(lo + 1) >= target:
            return lo
        hi = lo + (target - self._before(lo + 1)) * 7 // 5 + 7
        while self._before(hi + 1) < target:
            lo, hi = hi, hi + 2 * (hi - lo)
        while hi - lo > 1:  # invariant: _before(lo + 1) < target <= _before(hi + 1)
            mid = (lo + hi) // 2
            if self._before(mid + 1) >= target:
                hi = mid
            else:
                lo = mid
        return hi

    def _last_at_most(self, target: int, hi: int) -> int:
        """The largest ordinal o <= hi with _before(o) <= target; with _before(hi + 1) > target
        it is a working day and _before(o) == target."""
        if self._before(hi) <= target:
            return hi
        lo = hi - (self._before(hi) - target) * 7 // 5 - 7
        while self._before(lo) > target:
            if lo <= 1:
                raise OverflowError("No working day that early.")
            lo, hi = max(1, lo - 2 * (hi - lo)), lo
        while hi - lo > 1:  # invariant: _before(lo) <= target < _before(hi)
            mid = (lo + hi) // 2
            if self._before(mid) <= target:
                lo = mid
            else:
                hi = mid
        return lo

    def _nth_after(self, o: int, n: int) -> int:
        """The nth working day strictly after day o (n >= 1)."""
        return self._first_reaching(self._before(o + 1) + n, o + 1)

    def _nth_before(self, o: int, n: int) -> int:
        """The nth working day strictly before day o (n >= 1)."""
        return self._last_at_most(self._before(o) - n, o - 1)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        return date.fromordinal(self._nth_after(d.toordinal(), 1))

    # Moments ---------------------------------------------------------------------------------

    def next_working_moment(self, at: datetime) -> datetime:
        """`at` itself inside an office period (start inclusive, end exclusive), else the start
        of the next office period on a working day (DOMAIN.md decision 7)."""
        o, us = _local(at)
        if self._working(o):
            for start, end in self._spans:
                if us < start:
                    return _moment(o, start)
                if us < end:
                    return at.astimezone(TZ)
        return _moment(self._nth_after(o, 1), self._spans[0][0])

    def previous_working_moment(self, at: datetime) -> datetime:
        """`at` itself inside an office period (both ends inclusive), else the end of the
        previous office period on a working day."""
        o, us = _local(at)
        if self._working(o):
            for start, end in reversed(self._spans):
                if us > end:
                    return _moment(o, end)
                if us >= start:
                    return at.astimezone(TZ)
        return _moment(self._nth_before(o, 1), self._spans[-1][1])

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The same time of day as the normalised start, on the nth working day after it."""
        if n < 0:
            raise ValueError("The number of working days must be zero or more.")
        counted = self.next_working_moment(start)
        if n == 0:
            return counted
        return datetime.combine(
            date.fromordinal(self._nth_after(counted.toordinal(), n)), counted.timetz()
        )

    def subtract_working_days(self, at: datetime, n: int) -> datetime:
        """The same time of day on the nth working day before `at`.

        `at` is first moved back to the previous working moment (an office period's end
        counts as inside it), so a deadline at 17:00 gives 17:00 of the day before; for a
        normalised x, add_working_days(subtract_working_days(x, n), n) == x.
        """
        if n < 0:
            raise ValueError("The number of working days must be zero or more.")
        anchor = self.previous_working_moment(at)
        if n == 0:
            return anchor
        o = self._nth_before(anchor.toordinal(), n)
        return _moment(o, _tod(anchor.timetz()))

    def end_of_working_day(self, d: date) -> datetime:
        """The end of the last office period of day `d` (whether `d` is a working day is not
        checked)."""
        return _moment(d.toordinal(), self._spans[-1][1])

    def _office_before(self, o: int, us: int) -> int:
        """Office microseconds from the calendar's epoch up to (o, us)."""
        total = self._before(o) * self._day_us
        if self._working(o):
            for start, end in self._spans:
                if us <= start:
                    break
                total += min(us, end) - start
        return total

    def _at_office(self, target: int, lo: int) -> datetime:
        """The earliest moment, on or after day lo, with `target` office microseconds before it
        (a period's end rather than the next period's start when it falls exactly there)."""
        whole, rest = divmod(target, self._day_us)
        if rest == 0:
            return _moment(self._first_reaching(whole, lo), self._spans[-1][1])
        o = self._first_reaching(whole + 1, lo)
        for start, end in self._spans:
            length = end - start
            if rest <= length:
                return _moment(o, start + rest)
            rest -= length
        raise AssertionError("unreachable")  # rest < a day's office time

    def add_working_hours(self, start: datetime, hours: int | float | Decimal) -> datetime:
        """Count `hours` of office time (whole minutes) from the normalised start; a result
        exactly at a period's end is that end (11:30, not 13:30). Zero hours gives the
        normalised start."""
        minutes = _minutes(hours)
        counted = self.next_working_moment(start)
        if minutes == 0:
            return counted
        o, us = _local(counted)
        return self._at_office(self._office_before(o, us) + minutes * _US_PER_MINUTE, o)

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole minutes of office time in [a, b); 0 when b <= a."""
        if b <= a:
            return 0
        spent = self._office_before(*_local(b)) - self._office_before(*_local(a))
        return spent // _US_PER_MINUTE

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time from `a` to `b`, exact to the microsecond; negative when `b` is before
        `a` (unlike `working_minutes_between`, which floors to minutes and stops at 0)."""
        spent = self._office_before(*_local(b)) - self._office_before(*_local(a))
        return timedelta(microseconds=spent)

    def add_working_time(self, at: datetime, amount: timedelta) -> datetime:
        """The moment `amount` of office time after `at`, or before it when `amount` is
        negative; exact: working_time_between(at, result) == amount.

        Zero leaves `at` as it is. Where two moments hold the same office time (a period's end
        and the next period's start: 11:30 and 13:30, 17:00 and 07:30 of the next working day),
        an `at` inside an office period gives the one inside a period (13:30, as
        `next_working_moment` does) and any other `at` the earlier one (11:30, as
        `add_working_hours` does): a deadline carried across a pause keeps its kind, so
        10 working days at 13:30 stay at 13:30.
        """
        if not isinstance(amount, timedelta):
            raise ValueError(f"Not an amount of office time: {amount!r}")
        o, us = _local(at)
        if not amount:
            return at.astimezone(TZ)
        delta = amount // timedelta(microseconds=1)
        target = self._office_before(o, us) + delta
        if target < 0:
            raise OverflowError("No working time that early.")
        if delta > 0:
            lo = o
        else:
            # The answer is no earlier than the working day before the whole days moved back.
            days_back = -(delta // self._day_us)  # ceil(-delta / day)
            lo = self._nth_before(o, days_back + 1)
        end = self._at_office(target, lo)
        if self.next_working_moment(at) == at:
            return self.next_working_moment(end)
        return end

    # Deadlines -------------------------------------------------------------------------------

    def counted_from(self, start: datetime, unit: str, *, cutoff: time | None = None) -> datetime:
        """The moment the clock starts for `add`: the next working moment, or, for working days
        with a cut-off passed, the first office period of the next working day."""
        counted = self.next_working_moment(start)
        if unit == WORKING_DAYS and cutoff is not None and counted.time() > cutoff:
            return _moment(self._nth_after(counted.toordinal(), 1), self._spans[0][0])
        return counted

    def add(
        self,
        start: datetime,
        amount: int | float | Decimal,
        unit: str,
        *,
        cutoff: time | None = None,
    ) -> datetime:
        """The deadline `amount` `unit`s after `start` (unit: a catalog TimeUnit value).

        - working_days, 0: "trong ngày", the end of the working day of the normalised start, or
          of the next working day when the normalised start's time is after `cutoff`;
        - working_days, N: the same time on the Nth working day; a start after `cutoff` counts
          from the next working day's first office period;
        - working_hours: office time only (`cutoff` does not apply);
        - days / months: calendar days / months from the normalised start, moved to the next
          working moment when they end on a day that is not worked.
        """
        if unit not in UNITS:
            raise ValueError(f"Unknown time unit {unit!r}; expected one of {', '.join(UNITS)}.")
        if unit == WORKING_HOURS:
            return self.add_working_hours(start, amount)
        n = _whole(amount)
        if n < 0:
            raise ValueError("The amount must be zero or more.")
        counted = self.counted_from(start, unit, cutoff=cutoff)
        if unit == WORKING_DAYS:
            if n == 0:
                return self.end_of_working_day(counted.date())
            return self.add_working_days(counted, n)
        return self.end_on_working_day(calendar_end(counted, n, unit))

    def end_on_working_day(self, end: datetime) -> datetime:
        """Where a time limit in calendar days or months that would end at `end` really ends:
        `end` itself on a working day, else the next working moment.

        Civil Code 2015 art. 148(5): a time limit whose last day is a weekly day off or a
        public holiday ends on the working day after it. We keep the time of day of the start
        (as for working days, DOMAIN.md decision 7) rather than the Code's 24:00, so the
        deadline is a moment the office is open.
        """
        _local(end)  # refuses a naive datetime
        local = end.astimezone(TZ)
        if self.is_working_day(local.date()):
            return local
        return self.next_working_moment(local)


def national_calendar(years: Iterable[int]) -> tuple[frozenset[date], frozenset[date]]:
    """(days_off, workdays) of Vietnam for `years` from the `holidays` package: public
    holidays with their substituted days off (31/8/2026) and the make-up working Saturdays
    (22/8/2026, 26/4/2025) (DOMAIN.md decision 6)."""
    import holidays

    years = sorted(set(years))
    national = holidays.country_holidays("VN", years=years)
    wanted = set(years)
    workdays = frozenset(d for d in national.weekend_workdays if d.year in wanted)
    return frozenset(national.keys()), workdays


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time; without an offset it is Asia/Ho_Chi_Minh local time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        raise ValueError(f"Not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value
