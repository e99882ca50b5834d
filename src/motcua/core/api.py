"""The working-time calendar over JSON, at /api/v1/calendar; public, for integrators.

`GET /due` computes a deadline the way the dossier engine does; `GET /days` lists a year's
non-working weekdays and make-up working days. Agencies are named by electronic identifier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.core.errors import InvalidInput
from motcua.core.schemas import Code
from motcua.organizations.models import Agency
from motcua.organizations.selectors import agency_get_by_code

from .selectors import calendar_days, calendar_for
from .workcalendar import DAYS, MONTHS, TZ, WORKING_DAYS, WORKING_HOURS, parse_moment

router = Router(tags=["calendar"])

TIMEZONE = "Asia/Ho_Chi_Minh"


class DueOut(Schema):
    start: dt.datetime
    counted_from: dt.datetime
    due: dt.datetime
    amount: int | float
    unit: str
    agency: str | None
    timezone: str


class DayOut(Schema):
    date: dt.date
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    kind: str
    name: str
    source: str
    legal_basis: str
    agency: str | None


class DaysOut(Schema):
    year: int
    agency: str | None
    timezone: str
    days: list[DayOut]


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(_("The request has errors."), errors={field: [message]})


def _agency(code: str | None) -> Agency | None:
    return agency_get_by_code(code.strip()) if code and code.strip() else None


def _whole(field: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise _invalid(field, _("Enter a whole number.")) from None
    if value < 0:
        raise _invalid(field, _("Enter zero or more."))
    return value


def _hours(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _invalid("working_hours", _("Enter a number of hours, e.g. 4 or 1.5.")) from None
    if not value.is_finite() or value < 0:
        raise _invalid("working_hours", _("Enter zero or more."))
    return value


@router.get("/due", response=DueOut, auth=None)
def due_get(
    request: HttpRequest,
    start: Code | None = None,
    working_days: Code | None = None,
    working_hours: Code | None = None,
    days: Code | None = None,
    months: Code | None = None,
    agency: Code | None = None,
    cutoff: Code | None = None,
):
    """The deadline of `start` plus exactly one of working_days, working_hours, days, months.

    `start` is ISO 8601; without an offset it is Asia/Ho_Chi_Minh time. `cutoff` (HH:MM) is a
    same-day cut-off for working days: a later start counts from the next working day.
    """
    given = {
        unit: value
        for unit, value in (
            (WORKING_DAYS, working_days),
            (WORKING_HOURS, working_hours),
            (DAYS, days),
            (MONTHS, months),
        )
        if value not in (None, "")
    }
    if len(given) != 1:
        raise InvalidInput(
            _("Give exactly one of working_days, working_hours, days or months."),
            errors={
                "amount": [_("Give exactly one of working_days, working_hours, days or months.")]
            },
        )
    ((unit, text),) = given.items()
    amount: int | Decimal = _hours(text) if unit == WORKING_HOURS else _whole(unit, text)
    if not start:
        raise _invalid("start", _("Enter the start, e.g. 2026-02-13T10:00."))
    try:
        moment = parse_moment(start)
    except ValueError:
        raise _invalid("start", _("Enter an ISO 8601 date-time, e.g. 2026-02-13T10:00.")) from None
    cutoff_time = None
    if cutoff:
        try:
            cutoff_time = dt.time.fromisoformat(cutoff.strip())
        except ValueError:
            raise _invalid("cutoff", _("Enter a time as HH:MM, e.g. 15:00.")) from None
        if cutoff_time.tzinfo is not None:
            raise _invalid("cutoff", _("Enter a time as HH:MM, e.g. 15:00."))
    target = _agency(agency)
    calendar = calendar_for(target)
    try:
        due = calendar.add(moment, amount, unit, cutoff=cutoff_time)
        counted_from = calendar.counted_from(moment, unit, cutoff=cutoff_time)
    except (ValueError, OverflowError):
        raise _invalid(unit, _("The deadline falls outside the calendar.")) from None
    return {
        "start": moment.astimezone(TZ),
        "counted_from": counted_from,
        "due": due,
        "amount": int(amount) if amount == int(amount) else float(amount),
        "unit": unit,
        "agency": target.code if target else None,
        "timezone": TIMEZONE,
    }


@router.get("/days", response=DaysOut, auth=None)
def days_get(request: HttpRequest, year: int, agency: Code | None = None):
    """The non-working weekdays and make-up working days of `year`, national or overridden."""
    if not 1900 <= year <= 2200:
        raise _invalid("year", _("Enter a year between 1900 and 2200."))
    target = _agency(agency)
    return {
        "year": year,
        "agency": target.code if target else None,
        "timezone": TIMEZONE,
        "days": [
            {
                "date": day.date,
                "weekday": day.date.isoweekday(),
                "kind": day.kind,
                "name": day.name,
                "source": day.source,
                "legal_basis": day.legal_basis,
                "agency": day.agency_code,
            }
            for day in calendar_days(year=year, agency=target)
        ],
    }
