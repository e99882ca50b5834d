"""The workflow test-run's engine: a synthetic dossier driven through the real services.

Kiểm thử (R3) must show what the engine will really do with a definition, so the run does not
imitate it: it registers a test dossier (`is_sandbox`, a `KT-…` code outside every agency's
sequence) at the desk, accepts it, and completes each step with the real transition functions,
as the first eligible official of each step, at the worst moment the step allows (its deadline).
Authorization, eligibility, unit resolution, consultations, hand-offs, the appointment and every
step deadline therefore come from the code that will run the real dossiers.

Everything happens inside a savepoint that is always rolled back: the test dossier, its history
and the counters never outlive the run, nothing reaches the outbox (sandbox dossiers never write
to it), and no report can count it. What the run saw is returned as plain data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError
from motcua.organizations.models import Agency
from motcua.workflows.constants import StepAction, StepKind
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.spec import Step
from motcua.workflows.units import officials_eligible
from motcua.workflows.validation import Problem

from .constants import ApplicantKind, Channel, Status
from .models import Consultation, Dossier, DossierEvent
from .services import (
    Applicant,
    ComponentIn,
    dossier_accept,
    dossier_act,
    dossier_consult_answer,
    dossier_return,
    dossier_submit,
)

# The main path prefers the action that moves a dossier towards its result.
MAIN_ACTIONS = (StepAction.APPROVE, StepAction.FORWARD, StepAction.CONSULT)
_MAX_STEPS = 200  # a definition cannot have more steps on one path than this


@dataclass
class StepRun:
    """One step the test dossier went through."""

    step: Step
    unit: Agency | None
    officials: list[User]
    started_at: dt.datetime
    deadline: dt.datetime | None
    action: str | None = None
    next: str | None = None
    acted_by: User | None = None
    acted_at: dt.datetime | None = None
    consulted: list[tuple[Agency, list[User]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SandboxRun:
    steps: list[StepRun] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # not tied to one step
    due: dt.datetime | None = None  # the appointment the engine gave at acceptance
    finished_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    events: list[dict[str, Any]] = field(default_factory=list)  # the test dossier's history
    dossier_id: int | None = None

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for s in self.steps for p in s.problems)]


def main_action(step: Step) -> tuple[str | None, str | None]:
    """(action, next key) of the main path; (None, None) when the step offers none of them."""
    for action in MAIN_ACTIONS:
        if step.allows(action):
            return action, step.next_for(action)
    return None, None


def _desk_step(unit_step: Step | None) -> Step:
    """The step whose officials receive and return at a desk: the definition's own reception
    step, or the built-in role of a receiving officer."""
    if unit_step is not None and unit_step.kind in (StepKind.RECEIVE, StepKind.RETURN):
        return unit_step
    return Step(
        key="desk",
        name=_("Reception"),
        kind=StepKind.RECEIVE,
        role="receiving_officer",
        limit_amount=0,
    )


def _refused(key: str | None, exc: DomainError) -> Problem:
    """The engine said no: the run reports its message, as an official would read it."""
    return Problem(key, "engine_refused", str(exc.message))


def _events(dossier_id: int) -> list[dict[str, Any]]:
    rows = (
        DossierEvent.objects.filter(dossier_id=dossier_id)
        .select_related("actor", "to_agency")
        .order_by("seq")
    )
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at.isoformat(),
            "from_status": e.from_status,
            "to_status": e.to_status,
            "from_step": e.from_step,
            "to_step": e.to_step,
            "agency": e.to_agency.name if e.to_agency else "",
            "actor": (e.actor.full_name or e.actor.username) if e.actor else "",
            "timeliness": e.timeliness,
        }
        for e in rows
    ]


def sandbox_run(
    definition: ProcessDefinition,
    *,
    procedure: Procedure,
    commune_id: int,
    desk: Agency,
    start: dt.datetime,
) -> SandboxRun:
    """Drive a test dossier of `procedure`, applied for in `commune_id` and received at `desk`
    at `start`, through `definition` with the real services; always rolled back."""
    run = SandboxRun()
    with transaction.atomic():
        try:
            _drive(
                run, definition, procedure=procedure, commune_id=commune_id, desk=desk, start=start
            )
            if run.dossier_id is not None:
                run.events = _events(run.dossier_id)
        finally:
            transaction.set_rollback(True)
    return run


def _drive(
    run: SandboxRun,
    definition: ProcessDefinition,
    *,
    procedure: Procedure,
    commune_id: int,
    desk: Agency,
    start: dt.datetime,
) -> None:
    from motcua.core.selectors import calendar_for

    spec = definition.spec
    first = spec.first
    reception = _desk_step(first)
    receivers = officials_eligible(step=reception, unit=desk, procedure=procedure)
    receive_run = None
    if first.kind == StepKind.RECEIVE:
        # The desk checks the dossier for as long as its step allows, then accepts it: the
        # appointment counts from the acceptance (the receipt), as for a real dossier.
        action, next_key = (StepAction.FORWARD, first.next_for(StepAction.FORWARD))
        receive_run = StepRun(
            step=first,
            unit=desk,
            officials=receivers,
            started_at=start,
            deadline=calendar_for(desk).add(start, first.limit_amount, first.limit_unit),
            action=action if first.allows(action) else None,
            next=next_key,
        )
        run.steps.append(receive_run)
    if not receivers:
        return  # validation names the step without officials; nothing can be received
    receiver = receivers[0]
    accept_at = receive_run.deadline if receive_run is not None else start
    try:
        d = dossier_submit(
            actor=receiver,
            procedure=procedure,
            applicant=Applicant(
                kind=ApplicantKind.CITIZEN,
                name=_("Test applicant"),
                id_number="000000000000",
                phone="0900000000",
                commune_id=commune_id,
            ),
            components=[ComponentIn(name=_("Test component"), originals=1)],
            channel=Channel.DIRECT,
            desk=desk,
            is_sandbox=True,
            definition=definition,
            now=start,
        )
        run.dossier_id = d.pk
        d = dossier_accept(actor=receiver, dossier=d, expected_version=d.version, now=accept_at)
    except DomainError as exc:
        (receive_run.problems if receive_run else run.problems).append(
            _refused(first.key if receive_run else None, exc)
        )
        return
    if receive_run is not None:
        receive_run.acted_by, receive_run.acted_at = receiver, accept_at
    run.due = d.due_at

    visited = {first.key} if receive_run is not None else set()
    for _i in range(_MAX_STEPS):
        if d.status not in (Status.ACCEPTED, Status.PROCESSING):
            break
        d, go_on = _one_step(run, d, spec, procedure, visited)
        if not go_on:
            break
    if d.status == Status.DONE:
        _return(run, d, spec, procedure)


def _one_step(
    run: SandboxRun, d: Dossier, spec, procedure: Procedure, visited: set[str]
) -> tuple[Dossier, bool]:
    """Complete the current step on the main path; (dossier, go on?)."""
    step = spec.step(d.step_key)
    visited.add(step.key)
    action, next_key = main_action(step)
    current = StepRun(
        step=step,
        unit=d.step_agency,
        officials=officials_eligible(step=step, unit=d.step_agency, procedure=procedure),
        started_at=d.step_started_at,
        deadline=d.step_due_at,
        action=action,
        next=next_key,
    )
    run.steps.append(current)
    if action is None:
        current.problems.append(
            Problem(
                step.key,
                "path_stuck",
                _(
                    'Step "%(step)s" allows neither approving, forwarding nor consulting, so '
                    "the test dossier cannot go on."
                )
                % {"step": step.name},
            )
        )
        return d, False
    if next_key is not None and next_key in visited:
        current.problems.append(
            Problem(
                step.key,
                "path_loop",
                _('Step "%(step)s" leads back to step "%(next)s": the main path never ends.')
                % {"step": step.name, "next": spec.step(next_key).name},
            )
        )
        return d, False
    # The worst case: each step takes all the time it is given.
    act_at = d.step_due_at if step.limit_amount else d.step_started_at
    if step.kind == StepKind.CONSULT:
        answered = _consult(current, d, procedure)
        if answered is None:
            return d, False
        d = answered
        if d.step_key != step.key or d.status not in (Status.ACCEPTED, Status.PROCESSING):
            current.acted_at = act_at  # the last answer moved the dossier on
            return d, True
    if not current.officials:
        return d, False  # the report names the step without officials
    actor = current.officials[0]
    try:
        d = dossier_act(
            actor=actor,
            dossier=d,
            expected_version=d.version,
            action=action,
            note=_("Test-run."),
            now=act_at,
        )
    except DomainError as exc:
        current.problems.append(_refused(step.key, exc))
        return d, False
    current.acted_by, current.acted_at = actor, act_at
    return d, True


def _consult(current: StepRun, d: Dossier, procedure: Procedure) -> Dossier | None:
    """Every consulted unit answers at its consultation's deadline; None when one cannot."""
    step = current.step
    asked = list(
        Consultation.objects.filter(dossier=d, step_key=step.key, answered_at__isnull=True)
        .select_related("unit")
        .order_by("pk")
    )
    current.consulted = [
        (c.unit, officials_eligible(step=step, unit=c.unit, procedure=procedure)) for c in asked
    ]
    for c, (_unit, officials) in zip(asked, current.consulted, strict=True):
        if not officials:
            return None  # the report names the unit without officials
        try:
            d = dossier_consult_answer(
                actor=officials[0],
                consultation=c,
                opinion=_("Agreed (test-run)."),
                now=c.due_at or d.step_due_at,
            )
        except DomainError as exc:
            current.problems.append(_refused(step.key, exc))
            return None
    return d


def _return(run: SandboxRun, d: Dossier, spec, procedure: Procedure) -> None:
    """Hand the result over: at the return step's deadline, or when processing finished."""
    run.finished_at = d.finished_at
    step = spec.step(d.step_key) if d.step_key else None
    desk_step = _desk_step(step)
    unit = d.step_agency if step is not None else d.return_agency
    officials = officials_eligible(step=desk_step, unit=unit, procedure=procedure)
    at = d.finished_at
    current = None
    if step is not None:
        at = d.step_due_at if step.limit_amount else d.step_started_at
        action, next_key = main_action(step)
        current = StepRun(
            step=step,
            unit=unit,
            officials=officials,
            started_at=d.step_started_at,
            deadline=d.step_due_at,
            action=action,
            next=next_key,
        )
        run.steps.append(current)
    if not officials:
        if current is None:
            run.problems.append(
                Problem(
                    None,
                    "no_returner",
                    _("Nobody at %(unit)s may hand the result over.") % {"unit": unit.name},
                )
            )
        return
    try:
        d = dossier_return(
            actor=officials[0], dossier=d, expected_version=d.version, note=_("Test-run."), now=at
        )
    except DomainError as exc:
        problem = _refused(step.key if step else None, exc)
        (current.problems if current else run.problems).append(problem)
        return
    if current is not None:
        current.acted_by, current.acted_at = officials[0], at
    run.returned_at = d.returned_at
