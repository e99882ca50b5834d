"""The dossier's clock, applied to its fields: start at acceptance, pause for a supplement or a
payment, resume or restart, extend by an apology letter (DOMAIN.md decisions 7 and 8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..models import Dossier
from ..process import calendar, processing_time


def _hours(minutes: int) -> Decimal:
    return Decimal(minutes) / Decimal(60)


def start(d: Dossier, now: dt.datetime) -> None:
    cal = calendar(d.competent_agency)
    amount, unit, cutoff = processing_time(d.procedure_version, d.channel)
    d.clock_started_at = cal.counted_from(now, unit, cutoff=cutoff)
    d.due_at = cal.add(now, amount, unit, cutoff=cutoff)
    # The receipt's appointment: set once, here, never again.
    d.original_due_at = d.due_at
    d.statutory_due_at = d.due_at


def pause(d: Dossier, now: dt.datetime, *, restart_on_resume: bool) -> None:
    d.clock_paused_at = now
    d.clock_restart_on_resume = restart_on_resume


def resume(d: Dossier, now: dt.datetime) -> dict[str, Any]:
    cal = calendar(d.competent_agency)
    data: dict[str, Any] = {}
    if d.clock_restart_on_resume:
        amount, unit, cutoff = processing_time(d.procedure_version, d.channel)
        d.clock_started_at = cal.counted_from(now, unit, cutoff=cutoff)
        d.due_at = cal.add(now, amount, unit, cutoff=cutoff)
        d.statutory_due_at = d.due_at
        data["clock"] = "restarted"
    else:
        remaining = cal.working_minutes_between(d.clock_paused_at, d.due_at)
        d.due_at = cal.add_working_hours(now, _hours(remaining))
        d.statutory_due_at = d.due_at
        data["clock"] = "resumed"
        data["remaining_minutes"] = remaining
    _resume_step(d, now)
    d.clock_paused_at = None
    d.clock_restart_on_resume = False
    return data


def _resume_step(d: Dossier, now: dt.datetime) -> None:
    """Shift the step deadline by the time the clock stood still."""
    if d.step_due_at is None or d.clock_paused_at is None or d.step_agency is None:
        return
    cal = calendar(d.step_agency)
    remaining = cal.working_minutes_between(d.clock_paused_at, d.step_due_at)
    d.step_due_at = cal.add_working_hours(now, _hours(remaining))


def extend(d: Dossier, new_due_at: dt.datetime) -> None:
    d.due_at = new_due_at
    d.extensions += 1


def timeliness_of(d: Dossier, finished: dt.datetime) -> str:
    """Early / on time / late against the deadline the indicators use (never the extended
    appointment), late for good once lateness was incurred."""
    from ..constants import Timeliness
    from ..process import timeliness

    due = d.statutory_due_at or d.original_due_at
    if d.clock_late:
        return Timeliness.LATE
    return timeliness(finished, due)
