"""Moving through the workflow's steps: enter a step (its unit, deadline, consultations), leave
it (time used against its limit), finish processing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict
from motcua.workflows.constants import StepAction, StepKind
from motcua.workflows.spec import Step
from motcua.workflows.units import unit_resolve

from ..constants import EventKind, Outcome, Status
from ..models import Consultation, Dossier
from ..process import calendar, limit_minutes, spec_of, timeliness
from .events import Transition


def step_place(d: Dossier, step: Step, now: dt.datetime, assignee: User | None = None) -> None:
    """Stand the dossier at `step` from `now`: its unit, its deadline (the step's limit in the
    unit's working time, or the appointment when the step has none), its assignee."""
    unit = unit_resolve(step.unit, competent=d.competent_agency, receiving_desk=d.receiving_agency)
    if unit is None:
        raise Conflict(
            _("Step “%(step)s” has no unit to hand the dossier to.") % {"step": step.name},
            code="no_unit",
        )
    cal = calendar(unit)
    d.step_key = step.key
    d.step_name = step.name
    d.step_agency = unit
    d.step_started_at = now
    if step.limit_amount == 0:
        d.step_due_at = d.due_at
    else:
        d.step_due_at = cal.add(now, step.limit_amount, step.limit_unit)
    d.assignee = assignee


def first_processing_step(d: Dossier) -> Step | None:
    """The step a dossier enters once accepted: the workflow's first, or the one after it when
    the first is the reception just done at the desk (None: settled at the desk)."""
    spec = spec_of(d)
    first = spec.first
    if first.kind != StepKind.RECEIVE:
        return first
    next_key = first.next_for(StepAction.FORWARD) if first.allows("forward") else None
    return spec.step(next_key) if next_key else None


def enter_step(t: Transition, step: Step, *, status: str, assignee: User | None = None) -> None:
    d = t.d
    step_place(d, step, t.now, assignee)
    d.status = status
    if step.kind == StepKind.RETURN:
        d.status = Status.DONE
        d.finished_at = t.now
        d.outcome = d.outcome or Outcome.GRANTED
    if step.kind == StepKind.CONSULT:
        consult_units = []
        for ref in step.consult_units:
            consulted = unit_resolve(
                ref, competent=d.competent_agency, receiving_desk=d.receiving_agency
            )
            if consulted is None:
                raise Conflict(
                    _("Step “%(step)s”: a consulted unit cannot be found.") % {"step": step.name},
                    code="no_unit",
                )
            consult_units.append(consulted)

        def open_consultations(units=consult_units, key=step.key, due=d.step_due_at) -> None:
            Consultation.objects.bulk_create(
                Consultation(dossier=d, step_key=key, unit=u, asked_at=t.now, due_at=due)
                for u in units
            )

        t.after.append(open_consultations)
    if step.kind == StepKind.EXTERNAL and not d.is_sandbox:
        # The hand-over to the ministry's or coordination system: its record and outbox event,
        # in this transaction, once the history row that entered the step is written (its
        # sequence orders the hand-overs). Imported here: coordination builds on dossiers.
        from motcua.coordination.services import handover_open

        def hand_over(key=step.key, system=step.system) -> None:
            handover_open(dossier=d, step_key=key, system=system, now=t.now)

        t.after.append(hand_over)


def leave_step(t: Transition, step: Step, action: str) -> dict[str, Any]:
    """Timing of the step being left: its limit, the office time used, early/on time/late."""
    d = t.d
    cal = calendar(d.step_agency)
    used = cal.working_minutes_between(d.step_started_at, t.now) if d.step_started_at else 0
    return {
        "from_step": step.key,
        "from_agency": d.step_agency,
        "step_limit_minutes": limit_minutes(step, cal),
        "minutes_used": used,
        "step_due_at": d.step_due_at,
        "timeliness": timeliness(t.now, d.step_due_at),
        "action": action,
    }


def finish(t: Transition, outcome: str) -> None:
    d = t.d
    d.status = Status.DONE
    d.outcome = outcome
    d.finished_at = t.now
    d.step_key = ""
    d.step_name = ""
    d.step_agency = d.return_agency
    d.step_started_at = t.now
    d.step_due_at = d.due_at
    d.assignee = None


def _between_agencies(before, after, step: Step) -> bool:
    """A hand-off step is liên thông only when it takes the dossier to another agency: to a
    unit of the same agency it is a transfer inside that agency (issue 14)."""
    if step.kind != StepKind.HANDOFF or before is None or after is None:
        return False
    from motcua.organizations.selectors import governing_agency_id

    return governing_agency_id(before) != governing_agency_id(after)


def advance(
    t: Transition,
    step: Step,
    action: str,
    *,
    note: str,
    assignee: User | None = None,
    data: dict | None = None,
) -> None:
    """Complete `step` with `action` and move to the next step (or finish); `data` goes into
    the completion's history row (the signed result a signing step issued)."""
    d = t.d
    spec = spec_of(d)
    timing = leave_step(t, step, action)
    from_status = d.status
    # The outcome follows the latest proposal: a refusal proposal makes it "denied", and a
    # send-back withdraws that proposal (the file goes back to be examined again).
    if action == StepAction.REFUSE:
        d.outcome = Outcome.DENIED
    elif action == StepAction.RETURN:
        d.outcome = ""
    next_key = step.next_for(action)
    if next_key is None:
        finish(t, d.outcome or Outcome.GRANTED)
        t.event(
            EventKind.FINISH,
            note=note or _("Processing finished."),
            from_status=from_status,
            to_step="",
            to_agency=d.step_agency,
            data=data or {},
            **timing,
        )
        return
    nxt = spec.step(next_key)
    enter_step(t, nxt, status=Status.PROCESSING, assignee=assignee)
    kind = (
        EventKind.HANDOFF
        if _between_agencies(timing["from_agency"], d.step_agency, nxt)
        else EventKind.STEP
    )
    if nxt.kind == StepKind.EXTERNAL:
        kind = EventKind.EXTERNAL_HANDOVER
    if nxt.kind == StepKind.RETURN:
        kind = EventKind.FINISH
    t.event(
        kind,
        note=note,
        from_status=from_status,
        to_step=nxt.key,
        to_agency=d.step_agency,
        to_user=assignee,
        data=data or {},
        **timing,
    )
