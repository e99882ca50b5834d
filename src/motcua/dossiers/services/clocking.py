"""The dossier's clock stored in its fields: the pure `clock.Clock` (its laws are property-tested
there) read from a dossier and written back. Start at acceptance, pause for a supplement or a
payment, resume or restart, extend by an apology letter (DOMAIN.md decisions 7 and 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.core.errors import Conflict, InvalidInput

from ..clock import Clock, Limit, carry_deadline
from ..models import Dossier
from ..process import calendar, current_step, processing_time


def _limit(d: Dossier) -> Limit:
    amount, unit, cutoff = processing_time(d.procedure_version, d.channel)
    return Limit(amount, unit, cutoff)


def clock_of(d: Dossier) -> Clock | None:
    """The dossier's clock, or None before acceptance."""
    if d.clock_started_at is None or d.due_at is None:
        return None
    original = d.original_due_at or d.due_at
    statutory = d.statutory_due_at or original
    if d.clock_held is None:
        # Stored before the clock kept the time held: rebuilt from its deadlines.
        return Clock.restore(
            limit=_limit(d),
            started_at=d.clock_started_at,
            statutory_due_at=statutory,
            due_at=d.due_at,
            original_due_at=original,
            paused_at=d.clock_paused_at,
            restart_on_resume=d.clock_restart_on_resume,
            cal=calendar(d.competent_agency),
        )
    return Clock(
        limit=_limit(d),
        started_at=d.clock_started_at,
        statutory_due_at=statutory,
        due_at=d.due_at,
        original_due_at=original,
        held=d.clock_held,
        paused_at=d.clock_paused_at,
        restart_on_resume=d.clock_restart_on_resume,
        late=d.clock_late,
    )


def _store(d: Dossier, c: Clock) -> None:
    d.clock_started_at = c.started_at
    d.statutory_due_at = c.statutory_due_at
    d.due_at = c.due_at
    d.original_due_at = c.original_due_at
    d.clock_held = c.held
    d.clock_paused_at = c.paused_at
    d.clock_restart_on_resume = c.restart_on_resume
    d.clock_late = c.late


def _running(d: Dossier) -> Clock:
    c = clock_of(d)
    if c is None:
        raise Conflict("The dossier's clock has not started.", code="no_clock")
    return c


def start(d: Dossier, now: dt.datetime) -> None:
    """Acceptance: the appointment on the receipt, set once."""
    _store(d, Clock.accept(now, _limit(d), calendar(d.competent_agency)))


def restarts_in_full(d: Dossier, now: dt.datetime, within_working_days: int) -> bool:
    """Would a supplement asked now restart the full time (asked within N working days of the
    clock's start, the rule set's setting)?"""
    return _running(d).within_working_days_of_start(
        now, within_working_days, calendar(d.competent_agency)
    )


def pause(d: Dossier, now: dt.datetime, *, restart_on_resume: bool) -> None:
    _store(d, _running(d).pause(now, restart_on_resume=restart_on_resume))


def resume(d: Dossier, now: dt.datetime) -> dict[str, Any]:
    """The clock starts again; the step deadline is carried across the pause the same way."""
    paused = _running(d)
    cal = calendar(d.competent_agency)
    c = paused.resume(now, cal)
    _store(d, c)
    try:
        step = current_step(d)
    except Conflict:
        step = None
    if step is not None and step.limit_amount == 0:
        d.step_due_at = d.due_at
    elif step is not None and d.step_due_at is not None and paused.paused_at is not None:
        d.step_due_at = carry_deadline(
            d.step_due_at,
            paused_at=paused.paused_at,
            resumed_at=now,
            unit=step.limit_unit,
            cal=calendar(d.step_agency),
        )
    return {
        "clock": "restarted" if paused.restart_on_resume else "resumed",
        "remaining_minutes": int(c.remaining(now, cal).total_seconds() // 60),
        "late": c.late,
    }


def extend(d: Dossier, new_due_at: dt.datetime) -> None:
    """An apology letter: the appointment moves; the original and statutory deadlines stay."""
    try:
        c = _running(d).extend(new_due_at)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors={"new_due_at": [str(exc)]}) from None
    _store(d, c)
    d.extensions += 1


def timeliness_of(d: Dossier, finished: dt.datetime) -> str:
    """Early / on time / late against the deadline the indicators use (never the extended
    appointment), late for good once lateness was incurred."""
    c = clock_of(d)
    return c.timeliness(finished) if c is not None else ""
