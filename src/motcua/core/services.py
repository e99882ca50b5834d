"""Writes of the working-time calendar: overrides of the national calendar and office hours.

Authorization. An agency's override or office hours need `agency.manage` on that agency (a grant
on an ancestor with its sub-tree covers it). Installation-wide rows (no agency) change every
agency's deadlines, so they need a superuser, or `agency.manage` on every provincial People's
Committee at the root of a tree on this installation — on the usual one-province installation,
the province administrator.

Every write bumps `CalendarRevision` in its transaction and clears this process's cached
calendars (see `motcua.core.selectors`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from motcua.accounts.authz import can, require
from motcua.accounts.constants import Action
from motcua.organizations.models import Agency, AgencyKind

from .audit import audit_record, snapshot
from .errors import InvalidInput, NotAllowed
from .models import CalendarOverride, CalendarOverrideKind, CalendarRevision, OfficeHours
from .selectors import calendar_build, calendar_cache_clear
from .workcalendar import WorkCalendar

MANAGE = Action.AGENCY_MANAGE
OVERRIDE_FIELDS = ["date", "kind", "agency", "reason", "legal_basis"]
HOURS_FIELDS = ["agency", "morning_start", "morning_end", "afternoon_start", "afternoon_end"]


def may_manage_calendar(actor, agency: Agency | None) -> bool:
    """May `actor` change the calendar of `agency` (None: the whole installation)?"""
    if agency is not None:
        return can(actor, MANAGE, agency)
    if actor is not None and actor.is_authenticated and actor.is_superuser:
        return True
    roots = list(Agency.objects.filter(kind=AgencyKind.PROVINCE_PC, parent__isnull=True))
    return bool(roots) and all(can(actor, MANAGE, root) for root in roots)


def _require_calendar(actor, agency: Agency | None) -> None:
    if agency is not None:
        require(actor, MANAGE, agency)
    elif not may_manage_calendar(actor, None):
        raise NotAllowed(_("You do not have permission for this action."))


def _changed() -> None:
    """Tell every process the calendar changed: bump the revision, drop our own cache now and
    again when the transaction commits (a reader may have cached in between)."""
    if not CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1):
        CalendarRevision.objects.get_or_create(pk=1, defaults={"number": 0})
        CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1)
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear)


def _check_override(*, date: dt.date, kind: str, agency: Agency | None, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = [_("Enter a date.")]
    if kind not in CalendarOverrideKind.values:
        errors["kind"] = [_("Choose a day off or a working day.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why (e.g. the holiday or the swap it belongs to).")]
    if errors:
        raise InvalidInput(_("The calendar change has errors."), errors=errors)
    # Judge the override against the calendar it would change: the national one with the
    # overrides of every other level (DOMAIN.md decision 6).
    base = calendar_build(agency, years=(date.year,), skip=None if agency is None else agency.pk)
    working = base.is_working_day(date)
    if kind == CalendarOverrideKind.DAY_OFF and not working:
        if date.weekday() >= 5:
            message = _("%(date)s is a Saturday or Sunday that is not a make-up working day.")
        else:
            message = _("%(date)s is already a day off.")
        raise InvalidInput(
            _("The calendar change has errors."),
            errors={"kind": [message % {"date": f"{date:%d/%m/%Y}"}]},
        )
    if kind == CalendarOverrideKind.WORKING_DAY and working:
        if date.weekday() < 5:
            message = _("%(date)s is a weekday that is not a holiday: it is already worked.")
        else:
            message = _("%(date)s is already a make-up working day.")
        raise InvalidInput(
            _("The calendar change has errors."),
            errors={"kind": [message % {"date": f"{date:%d/%m/%Y}"}]},
        )


def calendar_override_set(
    *,
    actor,
    date: dt.date,
    kind: str,
    agency: Agency | None = None,
    reason: str,
    legal_basis: str = "",
) -> CalendarOverride:
    """Declare an extra day off or a make-up working day for `agency` (None: the whole
    installation), replacing that level's override of the same date.

    Refused when it changes nothing: a day off on a day that is already not worked (a Sunday
    that is not a make-up day), a working day on a day that is already worked.
    """
    with transaction.atomic():
        _require_calendar(actor, agency)
        _check_override(date=date, kind=kind, agency=agency, reason=reason)
        existing = (
            CalendarOverride.objects.select_for_update().filter(date=date, agency=agency).first()
        )
        values = {"kind": kind, "reason": reason.strip(), "legal_basis": legal_basis.strip()}
        if existing is None:
            override = CalendarOverride.objects.create(
                date=date, agency=agency, created_by=actor if actor and actor.pk else None, **values
            )
            audit_record(
                actor=actor,
                action="calendar.override.create",
                obj=override,
                agency=agency,
                after=snapshot(override, OVERRIDE_FIELDS),
            )
        else:
            override = existing
            before = snapshot(override, OVERRIDE_FIELDS)
            for name, value in values.items():
                setattr(override, name, value)
            override.save(update_fields=[*values, "updated_at"])
            audit_record(
                actor=actor,
                action="calendar.override.update",
                obj=override,
                agency=agency,
                before=before,
                after=snapshot(override, OVERRIDE_FIELDS),
            )
        _changed()
    return override


def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    """Remove an override: the date follows the national calendar (or the level above) again."""
    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of the agency join.
        override = (
            CalendarOverride.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=override.pk)
        )
        _require_calendar(actor, override.agency)
        audit_record(
            actor=actor,
            action="calendar.override.delete",
            obj=override,
            agency=override.agency,
            before=snapshot(override, OVERRIDE_FIELDS),
        )
        override.delete()
        _changed()


def office_hours_set(
    *,
    actor,
    agency: Agency | None = None,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
) -> OfficeHours:
    """Set the office hours of `agency` (None: the installation's default); they apply to it
    and to the agencies under it that have none of their own."""
    times = {
        "morning_start": morning_start,
        "morning_end": morning_end,
        "afternoon_start": afternoon_start,
        "afternoon_end": afternoon_end,
    }
    errors = {name: [_("Enter a time.")] for name, value in times.items() if not _is_time(value)}
    if not errors:
        if not morning_start < morning_end:
            errors["morning_end"] = [_("The morning must end after it starts.")]
        if not morning_end <= afternoon_start:
            errors["afternoon_start"] = [_("The afternoon must start after the morning ends.")]
        if not afternoon_start < afternoon_end:
            errors["afternoon_end"] = [_("The afternoon must end after it starts.")]
    if errors:
        raise InvalidInput(_("The office hours have errors."), errors=errors)
    WorkCalendar(periods=((morning_start, morning_end), (afternoon_start, afternoon_end)))
    with transaction.atomic():
        _require_calendar(actor, agency)
        hours = OfficeHours.objects.select_for_update().filter(agency=agency).first()
        if hours is None:
            hours = OfficeHours.objects.create(agency=agency, **times)
            before = None
        else:
            before = _hours_snapshot(hours)
            for name, value in times.items():
                setattr(hours, name, value)
            hours.save(update_fields=[*times, "updated_at"])
        audit_record(
            actor=actor,
            action="calendar.office_hours.set",
            obj=hours,
            agency=agency,
            before=before,
            after=_hours_snapshot(hours),
        )
        _changed()
    return hours


def _hours_snapshot(hours: OfficeHours) -> dict:
    # snapshot() leaves times as they are, and JSON has no time type.
    return {
        name: value.strftime("%H:%M") if isinstance(value, dt.time) else value
        for name, value in snapshot(hours, HOURS_FIELDS).items()
    }


def _is_time(value) -> bool:
    return isinstance(value, dt.time) and value.tzinfo is None
