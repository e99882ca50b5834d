"""Kiểm thử (R3): run a definition end to end on a synthetic dossier, in a sandbox.

Nothing here writes: no dossier row exists, so nothing is synced to the national portal or
counted in reports. The run picks a commune, resolves the competent agency and receiving desk
as a real dossier would, walks the main path from the first step (approve, else forward, else
consult; never send back or refuse), and for each step shows who would receive it and the
deadline it would get on the responsible unit's working calendar, each step starting at the
previous step's deadline. The whole run is compared with the procedure's published time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.catalog.competence import CompetenceIndex
from motcua.catalog.selectors import version_in_force
from motcua.core.workcalendar import TZ
from motcua.organizations.models import Agency
from motcua.territory.models import Commune

from .constants import StepAction, StepKind
from .models import ProcessDefinition
from .spec import Step
from .units import officials_eligible, unit_resolve
from .validation import Problem, definition_problems, no_official_message, published_time

# The main path prefers the action that moves a dossier towards its result.
MAIN_ACTIONS = (StepAction.APPROVE, StepAction.FORWARD, StepAction.CONSULT)


def _unit(agency: Agency | None) -> dict[str, Any] | None:
    if agency is None:
        return None
    return {"id": agency.pk, "name": agency.name, "code": agency.code or ""}


def _officials(users) -> list[dict[str, str]]:
    return [{"name": u.full_name or u.username, "username": u.username} for u in users]


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def _calendar(agency: Agency | None):
    from motcua.core.selectors import calendar_for

    return calendar_for(agency)


def default_start(agency: Agency | None) -> dt.datetime:
    """The first office moment of the next working day: a run does not depend on the hour it
    is started at."""
    calendar = _calendar(agency)
    tomorrow = calendar.next_working_day(timezone.localdate())
    return calendar.next_working_moment(dt.datetime.combine(tomorrow, dt.time(0), tzinfo=TZ))


def _pick_commune(definition: ProcessDefinition, index: CompetenceIndex, commune_id: int | None):
    """(commune id, competence, problem): the given commune, or the first of the province whose
    competence resolution fits the definition."""
    if commune_id is not None:
        resolution = index.resolve(definition.procedure_id, commune_id)
        competence = resolution.competence
        if competence is None:
            return commune_id, None, resolution.problem
        if definition.agency_id is not None and competence.agency.pk != definition.agency_id:
            return (
                commune_id,
                None,
                _("In this commune the procedure is settled by %(agency)s, not by %(own)s.")
                % {"agency": competence.agency.name, "own": definition.agency.name},
            )
        return commune_id, competence, ""
    for candidate in index.localities():
        if index.commune_pc[candidate].province_id != definition.province_id:
            continue
        competence = index.resolve(definition.procedure_id, candidate).competence
        if competence is None:
            continue
        if definition.agency_id is not None and competence.agency.pk != definition.agency_id:
            continue
        return candidate, competence, ""
    return None, None, _("No commune of the province has a competent agency for this definition.")


def _next_on_main_path(step: Step) -> tuple[str | None, str | None]:
    """(action, next key) of the main path; (None, None) when the step offers none of them."""
    for action in MAIN_ACTIONS:
        if step.allows(action):
            return action, step.next_for(action)
    return None, None


def test_run(
    definition: ProcessDefinition,
    *,
    commune_id: int | None = None,
    start: dt.datetime | None = None,
) -> dict[str, Any]:
    """The sandbox run's report (JSON-ready); `passed` when no problem was found."""
    spec = definition.spec
    procedure = definition.procedure
    index = CompetenceIndex.load([procedure])
    commune_id, competence, competence_problem = _pick_commune(definition, index, commune_id)
    competent = competence.agency if competence else definition.agency
    desk = competence.desks[0] if competence else None
    start = start or default_start(competent)
    if timezone.is_naive(start):
        start = start.replace(tzinfo=TZ)

    run_problems: list[Problem] = []
    if competence_problem:
        run_problems.append(Problem(None, "no_competence", competence_problem))
    roles = {r.code: r.name for r in Role.objects.filter(code__in={s.role for s in spec.steps})}

    steps: list[dict[str, Any]] = []
    started = start
    step: Step | None = spec.first
    visited: set[str] = set()
    while step is not None:
        visited.add(step.key)
        problems: list[Problem] = []
        unit = None
        if competent is not None:
            unit = unit_resolve(step.unit, competent=competent, receiving_desk=desk)
        officials = []
        if unit is None:
            problems.append(
                Problem(
                    step.key,
                    "unit_unresolved",
                    _('Step "%(step)s": the responsible unit cannot be found for this dossier.')
                    % {"step": step.name},
                )
            )
        else:
            officials = officials_eligible(step=step, unit=unit, procedure=procedure)
            if not officials:
                problems.append(
                    Problem(
                        step.key,
                        "no_official",
                        no_official_message(step, roles.get(step.role, step.role), unit),
                    )
                )
        consulted = []
        if step.kind == StepKind.CONSULT:
            for ref in step.consult_units:
                asked = (
                    unit_resolve(ref, competent=competent, receiving_desk=desk)
                    if competent
                    else None
                )
                asked_officials = (
                    officials_eligible(step=step, unit=asked, procedure=procedure) if asked else []
                )
                if asked is not None and not asked_officials:
                    problems.append(
                        Problem(
                            step.key,
                            "no_official",
                            no_official_message(step, roles.get(step.role, step.role), asked),
                        )
                    )
                consulted.append({"unit": _unit(asked), "officials": _officials(asked_officials)})
        calendar = _calendar(unit or competent)
        deadline = calendar.add(started, step.limit_amount, step.limit_unit)
        action, next_key = _next_on_main_path(step)
        if action is None:
            problems.append(
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
        steps.append(
            {
                "key": step.key,
                "name": step.name,
                "kind": step.kind,
                "unit": _unit(unit),
                "role": step.role,
                "role_name": roles.get(step.role, ""),
                "officials": _officials(officials),
                "consulted": consulted,
                "limit": {"amount": step.limit_amount, "unit": step.limit_unit},
                "started_at": started.isoformat(),
                "deadline": deadline.isoformat(),
                "action": action,
                "next": next_key,
                "problems": [p.as_dict() for p in problems],
            }
        )
        run_problems += problems
        started = deadline
        if action is None or next_key is None:
            break
        try:
            following = spec.step(next_key)
        except KeyError:
            break  # reported by validation as unknown_next
        if following.key in visited:
            run_problems.append(
                Problem(
                    step.key,
                    "path_loop",
                    _('Step "%(step)s" leads back to step "%(next)s": the main path never ends.')
                    % {"step": step.name, "next": following.name},
                )
            )
            break
        step = following
    end = started

    # The whole run against the procedure's published time, on the competent agency's calendar.
    due = None
    published = None
    version = version_in_force(procedure, start.astimezone(TZ).date())
    chosen = published_time(version) if version else None
    if chosen is not None:
        item, _hours = chosen
        published = {
            "amount": item.amount,
            "unit": item.unit,
            "cutoff": item.cutoff.strftime("%H:%M") if item.cutoff else None,
        }
        due = _calendar(competent).add(start, item.amount, item.unit, cutoff=item.cutoff)
        if end > due:
            run_problems.append(
                Problem(
                    None,
                    "overrun",
                    _(
                        "The test dossier would be finished at %(end)s, after its due time "
                        "%(due)s under the published processing time."
                    )
                    % {"end": _local(end), "due": _local(due)},
                )
            )

    problems: list[dict] = []
    seen: set[tuple] = set()
    for problem in [
        *definition_problems(definition, on=start.astimezone(TZ).date()),
        *run_problems,
    ]:
        key = (problem.step_key, problem.code, problem.message)
        if key not in seen:
            seen.add(key)
            problems.append(problem.as_dict())
    commune = Commune.objects.filter(pk=commune_id).first() if commune_id else None
    return {
        "sandbox": True,
        "definition": {
            "id": definition.pk,
            "number": definition.number,
            "name": definition.name,
            "procedure_code": procedure.code,
            "content_hash": definition.content_hash,
        },
        "commune": {"code": commune.pk, "name": commune.name} if commune else None,
        "competent_agency": _unit(competent),
        "receiving_desk": _unit(desk),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "due": due.isoformat() if due else None,
        "published_time": published,
        "within_time": due is not None and end <= due,
        "steps": steps,
        "problems": problems,
        "passed": not problems,
    }


test_run.__test__ = False  # a function named test_* is not a pytest test
