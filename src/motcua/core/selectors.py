"""Reads of the working-time calendar: an agency's `WorkCalendar`, deadlines, a year's list.

An agency's calendar (DOMAIN.md decision 6) is the national one (`holidays` package, with its
substituted days off and make-up Saturdays) changed by the installation-wide overrides, then by
the overrides of each agency from the root of its tree down to itself, the nearest winning on
the same date. Office hours are those of the nearest agency on its path that has a row, else the
default row, else `DEFAULT_PERIODS`.

Caching. Deadlines are on the hot path, so each process keeps the calendars it built. A cached
calendar is trusted for `CACHE_SECONDS` (setting `MOTCUA_CALENDAR_CACHE_SECONDS`, default 5);
after that, one primary-key read of `CalendarRevision.number`, which every calendar service
bumps in its transaction, tells whether it is still current. The process that writes also
clears its own cache at once and again on commit, and a transaction that has changed the
calendar reads it uncached until it commits (so a rollback leaves nothing stale behind); other
processes see a change within `CACHE_SECONDS`. A counter, rather than `max(updated_at)`, also
notices deletes and transactions that commit out of order.
"""

from __future__ import annotations

import threading
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.organizations.models import Agency

from .models import CalendarOverride, CalendarOverrideKind, CalendarRevision, OfficeHours
from .workcalendar import DEFAULT_PERIODS, TZ, WorkCalendar, national_calendar

CACHE_SECONDS = 5.0
# National holidays are loaded for this window around today (a few milliseconds, once); dates
# outside it see only weekends and overrides.
YEARS_BACK = 10
YEARS_AHEAD = 10

_lock = threading.Lock()
# key -> (checked at, revision, calendar)
_cache: dict[tuple[int, str] | None, tuple[float, int, WorkCalendar]] = {}


def _cache_seconds() -> float:
    return float(getattr(settings, "MOTCUA_CALENDAR_CACHE_SECONDS", CACHE_SECONDS))


def calendar_cache_clear() -> None:
    """Forget every cached calendar of this process (the services call it)."""
    with _lock:
        _cache.clear()


def pending_calendar_write(using: str = "default") -> bool:
    """Has the current transaction changed the calendar without committing yet? The services
    register `calendar_cache_clear` on commit; Django drops it again on rollback."""
    pending = getattr(connections[using], "run_on_commit", None) or []
    return any(entry[1] is calendar_cache_clear for entry in pending)


def calendar_revision() -> int:
    """The number the calendar services bump; 0 on a database no service has written yet."""
    return CalendarRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


@lru_cache(maxsize=8)
def _national(years: tuple[int, ...]) -> tuple[frozenset[date], frozenset[date]]:
    return national_calendar(years)


def _national_window() -> tuple[int, ...]:
    year = timezone.now().astimezone(TZ).year
    return tuple(range(year - YEARS_BACK, year + YEARS_AHEAD + 1))


def _chain(agency: Agency | None) -> list[int]:
    """The agency's ancestors, root first, then the agency itself."""
    if agency is None:
        return []
    return agency.path_ids()


def _overrides(chain: list[int], *, skip: int | bool | None = False) -> dict[date, str]:
    """Effective override kind per date for an agency chain; `skip` leaves out one level
    (an agency id, or None for the installation-wide rows)."""
    rows = CalendarOverride.objects.filter(agency__isnull=True) | CalendarOverride.objects.filter(
        agency_id__in=chain
    )
    depth = {agency_id: i + 1 for i, agency_id in enumerate(chain)}
    effective: dict[date, tuple[int, str]] = {}
    for day, kind, agency_id in rows.values_list("date", "kind", "agency_id"):
        if skip is not False and agency_id == skip:
            continue
        level = depth.get(agency_id, 0)
        if day not in effective or effective[day][0] < level:
            effective[day] = (level, kind)
    return {day: kind for day, (_, kind) in effective.items()}


def _periods(chain: list[int]) -> tuple[tuple[time, time], ...]:
    rows = {
        row.agency_id: row
        for row in OfficeHours.objects.filter(agency__isnull=True)
        | OfficeHours.objects.filter(agency_id__in=chain)
    }
    for agency_id in [*reversed(chain), None]:
        row = rows.get(agency_id)
        if row is not None:
            return (
                (row.morning_start, row.morning_end),
                (row.afternoon_start, row.afternoon_end),
            )
    return DEFAULT_PERIODS


def _combine(
    national: tuple[frozenset[date], frozenset[date]],
    overrides: dict[date, str],
    periods: tuple[tuple[time, time], ...],
) -> WorkCalendar:
    days_off, workdays = set(national[0]), set(national[1])
    for day, kind in overrides.items():
        if kind == CalendarOverrideKind.DAY_OFF:
            days_off.add(day)
            workdays.discard(day)
        else:
            workdays.add(day)
            days_off.discard(day)
    return WorkCalendar(frozenset(days_off), frozenset(workdays), periods)


def calendar_build(
    agency: Agency | None = None, *, years: tuple[int, ...] | None = None, skip=False
) -> WorkCalendar:
    """Build an agency's calendar from the database, uncached. `skip` leaves out the overrides
    of one level (an agency id, or None for installation-wide), as the services need to judge
    a new override against what it would change."""
    chain = _chain(agency)
    return _combine(
        _national(years or _national_window()), _overrides(chain, skip=skip), _periods(chain)
    )


def calendar_for(agency: Agency | None = None) -> WorkCalendar:
    """The working calendar of `agency` (None: the installation's), cached; see the module
    docstring for how long a change may take to reach another process."""
    if pending_calendar_write():
        # Built from rows this transaction may still roll back: never cache it.
        return calendar_build(agency)
    key = None if agency is None else (agency.pk, agency.path)
    now = _time.monotonic()
    entry = _cache.get(key)
    if entry is not None and now - entry[0] < _cache_seconds():
        return entry[2]
    revision = calendar_revision()
    if entry is not None and entry[1] == revision:
        with _lock:
            _cache[key] = (now, revision, entry[2])
        return entry[2]
    # The revision is read before the rows: a change committed in between makes the next
    # check rebuild, never keeps an old calendar under a new number.
    calendar = calendar_build(agency)
    with _lock:
        _cache[key] = (now, revision, calendar)
    return calendar


def due(
    *,
    start: datetime,
    amount: int,
    unit: str,
    agency: Agency | None = None,
    cutoff: time | None = None,
) -> datetime:
    """The deadline `amount` `unit`s after `start` on `agency`'s calendar (see WorkCalendar.add)."""
    return calendar_for(agency).add(start, amount, unit, cutoff=cutoff)


@dataclass(frozen=True)
class CalendarDay:
    """A date where the calendar departs from "Monday to Friday": a weekday that is not worked
    or a weekend day that is."""

    date: date
    kind: str  # CalendarOverrideKind value
    name: str
    source: str  # "national" or "override"
    legal_basis: str = ""
    agency_code: str | None = None


def calendar_days(*, year: int, agency: Agency | None = None) -> list[CalendarDay]:
    """The non-working weekdays and the make-up working days of `year` for `agency`, with the
    holiday's name or the override's reason."""
    import holidays

    language = "vi" if (get_language() or "vi").startswith("vi") else "en_US"
    national = holidays.country_holidays("VN", years=year, language=language)
    calendar = calendar_build(agency, years=(year,))
    chain = _chain(agency)
    depth = {agency_id: i + 1 for i, agency_id in enumerate(chain)}
    deciding: dict[date, CalendarOverride] = {}
    rows = (
        CalendarOverride.objects.filter(agency__isnull=True)
        | CalendarOverride.objects.filter(agency_id__in=chain)
    ).filter(date__year=year)
    for row in rows.select_related("agency"):
        current = deciding.get(row.date)
        if current is None or depth.get(current.agency_id, 0) < depth.get(row.agency_id, 0):
            deciding[row.date] = row
    candidates = {d for d in calendar.days_off | calendar.workdays if d.year == year}
    days = []
    for day in sorted(candidates):
        working = calendar.is_working_day(day)
        if working == (day.weekday() < 5):
            continue  # a holiday on a weekend, or an override that changes nothing
        kind = CalendarOverrideKind.WORKING_DAY if working else CalendarOverrideKind.DAY_OFF
        row = deciding.get(day)
        if row is not None:
            days.append(
                CalendarDay(
                    day,
                    kind,
                    row.reason,
                    "override",
                    row.legal_basis,
                    row.agency.code if row.agency_id else None,
                )
            )
        elif working:
            days.append(CalendarDay(day, kind, _makeup_name(day, national), "national"))
        else:
            days.append(CalendarDay(day, kind, national.get(day) or "", "national"))
    return days


def _makeup_name(day: date, national) -> str:
    # The package names the swapped day off after the Saturday worked for it.
    marks = {f"{day:%d/%m/%Y}", f"{day:%m/%d/%Y}"}
    swapped = [d for d, name in national.items() if any(mark in name for mark in marks)]
    if swapped:
        return _("Make-up working day for %(date)s") % {"date": f"{swapped[0]:%d/%m/%Y}"}
    return _("Make-up working day")
