"""Đồng hồ giải quyết hồ sơ: the processing clock of a dossier, one pure object with its laws.

Pure: no database, no Django models. A `Clock` is a frozen value; every operation takes the
moment it happens (`now`, an aware datetime) and, where it counts time, the competent agency's
`WorkCalendar`, and returns a new `Clock`. Naive datetimes are refused with ValueError.

The rules (DOMAIN.md decisions 7 and 8; Decree 61/2018 art. 21 cl. 3 and 4, kept as the
defaults by DOMAIN-legal-2025.md §3 and §4):

- the clock starts when a complete, valid dossier is accepted; the receipt (giấy tiếp nhận và
  hẹn trả kết quả) carries the appointment, and that first appointment is never rewritten;
- while a supplement is awaited during processing, or the applicant's financial obligation, the
  clock stops: the time the applicant holds the dossier is not counted. When it starts again
  it either restarts the full time (a supplement requested early, a rule-set setting) or
  resumes with the time that was left, counted in the limit's own kind: office time for
  working days and hours, calendar time for days and months;
- no pause and no restart erases lateness already incurred: a deadline that had passed when
  the clock stopped is still passed, by the same amount, when it starts again;
- the apology and extension letter (văn bản xin lỗi và đề nghị gia hạn) moves the appointment
  given to the applicant, never the deadline the on-time indicators judge against.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from motcua.core.workcalendar import (
    TZ,
    UNITS,
    WORKING_DAYS,
    WORKING_HOURS,
    WorkCalendar,
    calendar_end,
)

# The values of motcua.dossiers.constants.Timeliness (trước hạn / đúng hạn / quá hạn), repeated
# to stay pure.
EARLY = "early"
ON_TIME = "on_time"
LATE = "late"

OFFICE_TIME_UNITS = (WORKING_DAYS, WORKING_HOURS)


def _aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a date-time, not {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive date-time ({value.isoformat()}); the clock needs a time zone."
        )
    return value


@dataclass(frozen=True)
class Limit:
    """Thời hạn giải quyết: the processing time the procedure publishes for the channel.

    `amount` `unit`s (a catalog TimeUnit value: working_days, working_hours, days, months);
    `cutoff` is the procedure's same-day cut-off (e.g. 15:00: received later, counted from the
    next working day), which only working days use (WorkCalendar.add).
    """

    amount: int
    unit: str
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValueError(
                f"The time limit must be a whole number, zero or more: {self.amount!r}"
            )
        if self.unit not in UNITS:
            raise ValueError(
                f"Unknown time unit {self.unit!r}; expected one of {', '.join(UNITS)}."
            )
        if self.cutoff is not None and not isinstance(self.cutoff, time):
            raise ValueError(f"The cut-off must be a time of day: {self.cutoff!r}")

    @property
    def in_office_time(self) -> bool:
        """Working days and hours count office time; days and months count calendar time."""
        return self.unit in OFFICE_TIME_UNITS


def _held(paused_at: datetime, resumed_at: datetime, unit: str, cal: WorkCalendar) -> timedelta:
    """The time the applicant held the dossier, in the kind of time `unit` counts."""
    if unit in OFFICE_TIME_UNITS:
        return cal.working_time_between(paused_at, resumed_at)
    return resumed_at - paused_at


def carry_deadline(
    deadline: datetime,
    *,
    paused_at: datetime,
    resumed_at: datetime,
    unit: str,
    cal: WorkCalendar,
) -> datetime:
    """A deadline carried across a pause: later by the time the applicant held the dossier.

    For a step deadline (`_resume_step`) or an appointment given by an extension letter. With
    `unit` a working unit the deadline moves by the office time of the pause, so the office
    time left (or overdue) is the same after it as before it. With calendar days or months it
    moves by the calendar time of the pause and, if it had not passed, on to the next office
    moment when it falls outside office hours (WorkCalendar.add's roll, Civil Code 2015
    art. 148(5)); a deadline that had passed moves exactly, so it stays passed by as much.
    `cal` is the calendar of the deadline's agency.
    """
    _aware("deadline", deadline)
    _aware("paused_at", paused_at)
    _aware("resumed_at", resumed_at)
    if resumed_at < paused_at:
        raise ValueError("The clock cannot start again before it stopped.")
    if resumed_at == paused_at:
        return deadline
    held = _held(paused_at, resumed_at, unit, cal)
    if unit in OFFICE_TIME_UNITS:
        return cal.add_working_time(deadline, held)
    if paused_at > deadline:
        return deadline + held
    return cal.next_working_moment(deadline + held)


@dataclass(frozen=True)
class Clock:
    """The processing clock of one accepted dossier (đồng hồ tính thời hạn giải quyết).

    Fields, in the terms of the one-stop rules:

    - `limit`: thời hạn giải quyết, the published processing time (`Limit`).
    - `started_at`: when the time limit started to run: the first working moment after the
      complete, valid dossier was accepted (after the cut-off: the next working day), or after
      the complete supplement arrived when the clock restarted (Decree 61/2018 art. 21 cl. 3).
    - `statutory_due_at`: hạn giải quyết theo quy định, the deadline the on-time indicators
      judge against (Decision 766, DOMAIN.md decision 8). Set at acceptance, moved only by the
      time the applicant held the dossier (pauses) and by a restart of the full time; never by
      an apology letter.
    - `due_at`: ngày hẹn trả kết quả in force, the appointment the applicant is given: the
      statutory deadline, moved further by an apology/extension letter (Mẫu 04,
      Circular 03/2025/TT-VPCP) and carried across pauses like it.
    - `original_due_at`: the appointment written on the receipt (giấy tiếp nhận và hẹn trả kết
      quả, Mẫu 01), set once at acceptance and never changed afterwards.
    - `held`: the time the applicant has held the dossier since `started_at` (supplement or
      financial obligation awaited), which the time limit does not count; office time for
      working days and hours, calendar time for days and months.
    - `paused_at`: when the clock stopped (tạm dừng), None while it runs.
    - `restart_on_resume`: while paused, whether the full time restarts when the clock starts
      again (a supplement requested at reception or within the rule set's working days of the
      start; DOMAIN.md decision 7) rather than resuming with the time left.
    - `late`: lateness incurred (đã quá hạn): the statutory deadline had passed when the clock
      stopped. Set when the clock starts again (while it is stopped, `paused_at` after the
      deadline already says it) and never unset: no pause and no restart erases it
      (DOMAIN.md decision 7).
    """

    limit: Limit
    started_at: datetime
    statutory_due_at: datetime
    due_at: datetime
    original_due_at: datetime
    held: timedelta = timedelta(0)
    paused_at: datetime | None = None
    restart_on_resume: bool = False
    late: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.limit, Limit):
            raise ValueError(f"The limit must be a Limit, not {self.limit!r}.")
        for name in ("started_at", "statutory_due_at", "due_at", "original_due_at"):
            _aware(name, getattr(self, name))
        if self.paused_at is not None:
            _aware("paused_at", self.paused_at)
        if not isinstance(self.held, timedelta) or self.held < timedelta(0):
            raise ValueError(f"The time held must be a duration, zero or more: {self.held!r}")

    # Operations ---------------------------------------------------------------------------

    @classmethod
    def accept(cls, now: datetime, limit: Limit, cal: WorkCalendar) -> Clock:
        """Tiếp nhận: the complete, valid dossier is accepted at `now`; the clock starts and the
        receipt's appointment is set (WorkCalendar.add: office hours, cut-off, Civil Code roll)."""
        _aware("now", now)
        due = cal.add(now, limit.amount, limit.unit, cutoff=limit.cutoff)
        return cls(
            limit=limit,
            started_at=cal.counted_from(now, limit.unit, cutoff=limit.cutoff),
            statutory_due_at=due,
            due_at=due,
            original_due_at=due,
        )

    @classmethod
    def restore(
        cls,
        *,
        limit: Limit,
        started_at: datetime,
        statutory_due_at: datetime,
        due_at: datetime,
        original_due_at: datetime,
        paused_at: datetime | None = None,
        restart_on_resume: bool = False,
        cal: WorkCalendar,
    ) -> Clock:
        """Rebuild the clock of a dossier stored before `held` and `late` were (the backfill).

        `held` is what moved the deadline past the limit's own end from `started_at` (zero if
        nothing did): without it, the next pause of a calendar-day limit would count from the
        limit's own end and lose the earlier pauses. A deadline rolled past days off counts the
        roll as held, which errs towards the office, as the old maths did. `late` stays unset:
        a dossier stopped after its deadline shows it by `paused_at` and gets it when it starts
        again; lateness the old maths erased stays erased.
        """
        _aware("started_at", started_at)
        _aware("statutory_due_at", statutory_due_at)
        if limit.in_office_time:
            # started_at is already counted (the cut-off applied): add without it again.
            own_end = cal.add(started_at, limit.amount, limit.unit)
            held = cal.working_time_between(own_end, statutory_due_at)
        else:
            held = statutory_due_at - calendar_end(started_at, limit.amount, limit.unit)
        return cls(
            limit=limit,
            started_at=started_at,
            statutory_due_at=statutory_due_at,
            due_at=due_at,
            original_due_at=original_due_at,
            held=max(timedelta(0), held),
            paused_at=paused_at,
            restart_on_resume=restart_on_resume,
        )

    def pause(self, now: datetime, *, restart_on_resume: bool) -> Clock:
        """Tạm dừng: a supplement is requested during processing, or the applicant's financial
        obligation is awaited. `restart_on_resume`: the full time restarts when the clock starts
        again (see `within_working_days_of_start`)."""
        _aware("now", now)
        if self.paused_at is not None:
            raise ValueError(
                f"The clock is already stopped (since {self.paused_at.isoformat()}); "
                "it cannot stop twice."
            )
        return replace(self, paused_at=now, restart_on_resume=bool(restart_on_resume))

    def resume(self, now: datetime, cal: WorkCalendar) -> Clock:
        """The supplement or the payment arrived at `now`: the clock starts again.

        With `restart_on_resume` the full time runs again from `now`: a new appointment and a
        new statutory deadline, unless lateness had been incurred, in which case the statutory
        deadline is carried (it stays passed by as much) and only the appointment restarts.
        Otherwise the deadlines are carried across the pause (`carry_deadline`): the time left
        at the pause, in the limit's own kind of time, is left again from `now`; a pause that
        began after the deadline leaves it passed by the same amount.
        """
        _aware("now", now)
        paused_at = self.paused_at
        if paused_at is None:
            raise ValueError("The clock is running; there is no pause to end.")
        if now < paused_at:
            raise ValueError(
                f"The clock cannot start again ({now.isoformat()}) before it stopped "
                f"({paused_at.isoformat()})."
            )
        if now == paused_at:
            return replace(self, paused_at=None, restart_on_resume=False)
        late = self.late or paused_at > self.statutory_due_at
        if self.restart_on_resume:
            fresh = cal.add(now, self.limit.amount, self.limit.unit, cutoff=self.limit.cutoff)
            return replace(
                self,
                started_at=cal.counted_from(now, self.limit.unit, cutoff=self.limit.cutoff),
                held=timedelta(0),
                statutory_due_at=self._carried_statutory(now, cal) if late else fresh,
                due_at=fresh,
                paused_at=None,
                restart_on_resume=False,
                late=late,
            )
        statutory = self._carried_statutory(now, cal)
        if self.due_at == self.statutory_due_at:
            due = statutory
        else:
            due = carry_deadline(
                self.due_at, paused_at=paused_at, resumed_at=now, unit=self.limit.unit, cal=cal
            )
        return replace(
            self,
            statutory_due_at=statutory,
            due_at=due,
            held=self.held + _held(paused_at, now, self.limit.unit, cal),
            paused_at=None,
            restart_on_resume=False,
            late=late,
        )

    def _carried_statutory(self, now: datetime, cal: WorkCalendar) -> datetime:
        paused_at = self.paused_at
        assert paused_at is not None
        if self.limit.in_office_time or paused_at > self.statutory_due_at:
            return carry_deadline(
                self.statutory_due_at,
                paused_at=paused_at,
                resumed_at=now,
                unit=self.limit.unit,
                cal=cal,
            )
        # Calendar days or months not yet passed: the time held is added to the limit's own
        # end, not to the end already rolled past days off (Civil Code 2015 art. 148(5) rolls
        # only the final end), so a limit that ended on Sunday and was rolled to Monday ends
        # 10 days after Sunday when the applicant held the dossier 10 days. A limit whose own
        # end had passed and that only the roll kept open counts from the pause.
        end = calendar_end(self.started_at, self.limit.amount, self.limit.unit) + self.held
        return cal.next_working_moment(max(end, paused_at) + (now - paused_at))

    def extend(self, new_due_at: datetime) -> Clock:
        """Văn bản xin lỗi và đề nghị gia hạn: the appointment in force moves to `new_due_at`;
        the receipt's appointment and the statutory deadline stay (DOMAIN.md decision 8).
        Issued during a pause, the new appointment is carried across the rest of it."""
        _aware("new_due_at", new_due_at)
        if new_due_at <= self.due_at:
            raise ValueError(
                f"The new appointment ({new_due_at.isoformat()}) must be after the current one "
                f"({self.due_at.isoformat()})."
            )
        return replace(self, due_at=new_due_at)

    # Questions ----------------------------------------------------------------------------

    def within_working_days_of_start(self, now: datetime, days: int, cal: WorkCalendar) -> bool:
        """Whether `now` is at most `days` working days after the clock started: a supplement
        requested then restarts the full time (Decree 61/2018 art. 21 cl. 3, the rule set's
        `supplement_restart_within_working_days`)."""
        _aware("now", now)
        return now <= cal.add_working_days(self.started_at, days)

    def _counted_until(self, now: datetime) -> datetime:
        """`now`, or when the clock stopped if it is stopped: the time after it is not counted."""
        _aware("now", now)
        if self.paused_at is not None and self.paused_at < now:
            return self.paused_at
        return now

    def is_late(self, now: datetime) -> bool:
        """Quá hạn at `now`: lateness incurred, or the statutory deadline passed."""
        return self.late or self._counted_until(now) > self.statutory_due_at

    def remaining(self, now: datetime, cal: WorkCalendar) -> timedelta:
        """The time left before the statutory deadline at `now` (negative once passed), in the
        limit's kind of time: office time for working days and hours, else calendar time.
        While the clock is stopped it stands at what it was when it stopped."""
        counted = self._counted_until(now)
        if self.limit.in_office_time:
            return cal.working_time_between(counted, self.statutory_due_at)
        return self.statutory_due_at - counted

    def overdue(self, now: datetime, cal: WorkCalendar) -> timedelta:
        """How far past the statutory deadline the dossier is at `now` (zero if it is not), in
        the limit's kind of time; pauses and restarts never make it smaller."""
        return max(timedelta(0), -self.remaining(now, cal))

    def timeliness(self, finished_at: datetime) -> str:
        """Trước hạn / đúng hạn / quá hạn of a dossier settled at `finished_at`, as the control
        sheet (Mẫu 05) and the indicators say it: late if lateness was incurred or it was
        settled after the statutory deadline; on time if settled on the deadline's day; early
        otherwise. A dossier closed while the clock is stopped is judged when it stopped."""
        counted = self._counted_until(finished_at)
        if self.late or counted > self.statutory_due_at:
            return LATE
        if counted.astimezone(TZ).date() == self.statutory_due_at.astimezone(TZ).date():
            return ON_TIME
        return EARLY
