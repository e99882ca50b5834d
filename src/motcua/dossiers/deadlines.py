"""Deadlines in words: when a step or an appointment is "near", "late" or "missed".

One rule, used everywhere a deadline is judged — the desk's badges and tabs
(`selectors.deadlines_of`, `selectors.desk_tabs`), the stored `Dossier.step_near_at` its
"Sắp đến hạn" tab reads through an index, and the due-warning scan (`services.late`):

- a deadline is *near* in the last `DEADLINE_NEAR_PERCENT` per cent (setting, 20 by default) of
  its own length, from the moment its time started (the step's start, the dossier's
  acceptance) to the deadline — never a fixed number of hours: a one-day step is near in its
  last hours, a thirty-day one in its last six days;
- the appointment (ngày hẹn trả) is near also from a day before the last moment the apology
  and extension letter may be issued (DOMAIN.md decision 8; Decree 61/2018 art. 21 cl. 4;
  the rule set's days), whichever comes first: the warning asks the official to decide on
  that letter;
- past the deadline a step is *late* (quá hạn) and an appointment *missed* (trễ hẹn).

Pure: no database; every moment is an aware datetime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

LATE = "late"
NEAR = "near"
MISSED = "missed"

# How long before the apology letter's last day the appointment counts as near (at least).
APOLOGY_NOTICE = dt.timedelta(days=1)


def near_percent() -> int:
    return int(getattr(settings, "DEADLINE_NEAR_PERCENT", 20))


def near_from(
    start: dt.datetime | None,
    due: dt.datetime | None,
    *,
    apology_by: dt.datetime | None = None,
    percent: int | None = None,
) -> dt.datetime | None:
    """The moment a deadline `due` whose time started at `start` becomes near: its last
    `percent` per cent; for an appointment, at the latest `APOLOGY_NOTICE` before `apology_by`.
    Without a start (or a start after the deadline) the deadline is near only when it is due."""
    if due is None:
        return None
    percent = near_percent() if percent is None else percent
    moment = due
    if start is not None and start < due:
        moment = due - (due - start) * percent / 100
    if apology_by is not None:
        moment = min(moment, apology_by - APOLOGY_NOTICE)
    return moment


def step_state(near_at: dt.datetime | None, due: dt.datetime | None, now: dt.datetime) -> str:
    """A step deadline's state: LATE once passed, NEAR from `near_at`, else ""."""
    if due is None:
        return ""
    if now > due:
        return LATE
    if near_at is not None and now >= near_at:
        return NEAR
    return ""


def appointment_state(
    near_at: dt.datetime | None, due: dt.datetime | None, now: dt.datetime
) -> str:
    """The appointment's state: MISSED once passed, NEAR from `near_at`, else ""."""
    state = step_state(near_at, due, now)
    return MISSED if state == LATE else state


STEP_WORDS = {LATE: _("Step overdue"), NEAR: _("Step due soon")}
APPOINTMENT_WORDS = {MISSED: _("Appointment missed"), NEAR: _("Appointment near")}


@dataclass(frozen=True)
class Deadlines:
    """What a list row or a dossier page says about a dossier's two deadlines."""

    step: str = ""  # LATE | NEAR | ""
    appointment: str = ""  # MISSED | NEAR | ""

    @property
    def step_words(self) -> str:
        return str(STEP_WORDS.get(self.step, ""))

    @property
    def appointment_words(self) -> str:
        return str(APPOINTMENT_WORDS.get(self.appointment, ""))

    @property
    def late(self) -> bool:
        """The row is marked overdue: its step or its appointment has passed."""
        return self.step == LATE or self.appointment == MISSED

    @property
    def css(self) -> str:
        if self.late:
            return "row-late"
        if self.step or self.appointment:
            return "row-near"
        return ""


def warning_words(kind: str, target_at: dt.datetime, now: dt.datetime) -> str:
    """A due warning's text for the case it is read in: a warning written while the
    appointment was near says so only while it still is; once it has passed, that it was
    missed (and what is owed the applicant)."""
    from .constants import WarningKind

    if kind == WarningKind.DUE_SOON and now > target_at:
        return str(_("Appointment missed: issue the apology letter with a new appointment"))
    if kind == WarningKind.STEP_OVERDUE:
        return str(_("Step deadline passed"))
    return str(WarningKind(kind).label)
