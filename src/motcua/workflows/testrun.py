"""Kiểm thử (R3): run a definition end to end on a synthetic dossier, in a sandbox.

The run picks a commune, resolves the competent agency and receiving desk as a real dossier
would, and hands a test dossier to the dossier engine itself (`dossiers.sandbox`): registered
at the desk, accepted, and taken along the main path (approve, else forward, else consult; never
send back or refuse) by the first eligible official of each step, each acting at the step's
deadline. The report shows, for each step, who would receive it, the deadline the engine gave
it, who acted, and every problem found — the engine's own refusals included. The test dossier
lives in a savepoint that is always rolled back: never synced, never counted, never kept. The
whole run is compared with the appointment the engine gave, under the published time.
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

from .models import ProcessDefinition
from .validation import Problem, definition_problems, no_official_message, published_time


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


def _step_row(sr, roles: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """One step of the engine's run as a report row, with the problems found at it."""
    step = sr.step
    problems = list(sr.problems)
    role_name = roles.get(step.role, step.role)
    if sr.unit is not None and not sr.officials:
        problems.insert(
            0, Problem(step.key, "no_official", no_official_message(step, role_name, sr.unit))
        )
    for unit, officials in sr.consulted:
        if not officials:
            problems.append(
                Problem(step.key, "no_official", no_official_message(step, role_name, unit))
            )
    row = {
        "key": step.key,
        "name": step.name,
        "kind": step.kind,
        "unit": _unit(sr.unit),
        "role": step.role,
        "role_name": roles.get(step.role, ""),
        "officials": _officials(sr.officials),
        "consulted": [
            {"unit": _unit(unit), "officials": _officials(officials)}
            for unit, officials in sr.consulted
        ],
        "limit": {"amount": step.limit_amount, "unit": step.limit_unit},
        "started_at": sr.started_at.isoformat(),
        "deadline": sr.deadline.isoformat() if sr.deadline else None,
        "action": sr.action,
        "next": sr.next,
        "acted_by": _officials([sr.acted_by])[0] if sr.acted_by else None,
        "acted_at": sr.acted_at.isoformat() if sr.acted_at else None,
        "problems": [p.as_dict() for p in problems],
    }
    return row, problems


def test_run(
    definition: ProcessDefinition,
    *,
    commune_id: int | None = None,
    start: dt.datetime | None = None,
) -> dict[str, Any]:
    """The sandbox run's report (JSON-ready); `passed` when no problem was found."""
    from motcua.dossiers.sandbox import sandbox_run

    spec = definition.spec
    procedure = definition.procedure
    index = CompetenceIndex.load([procedure])
    commune_id, competence, competence_problem = _pick_commune(definition, index, commune_id)
    competent = competence.agency if competence else definition.agency
    desk = competence.desks[0] if competence and competence.desks else None
    start = start or default_start(competent)
    if timezone.is_naive(start):
        start = start.replace(tzinfo=TZ)
    roles = {r.code: r.name for r in Role.objects.filter(code__in={s.role for s in spec.steps})}

    run_problems: list[Problem] = []
    if competence_problem:
        run_problems.append(Problem(None, "no_competence", competence_problem))
    steps: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    end = appointment = None
    if competence is not None and desk is not None:
        run = sandbox_run(
            definition, procedure=procedure, commune_id=commune_id, desk=desk, start=start
        )
        for sr in run.steps:
            row, problems = _step_row(sr, roles)
            steps.append(row)
            run_problems += problems
        run_problems += run.problems
        if run.dossier_id is None and not run_problems:
            run_problems.append(
                Problem(
                    None,
                    "no_receiver",
                    _("Nobody at %(desk)s may receive dossiers of this procedure.")
                    % {"desk": desk.name},
                )
            )
        if run.returned_at is None and not run_problems:
            run_problems.append(
                Problem(None, "not_finished", _("The test dossier did not reach its result."))
            )
        end, appointment, events = run.returned_at, run.due, run.events

    # The whole run against the procedure's published time: the appointment the engine gave
    # when it accepted the test dossier (or, if it could not, the one it would have given).
    published = None
    version = version_in_force(procedure, start.astimezone(TZ).date())
    chosen = published_time(version) if version else None
    due = appointment
    if chosen is not None:
        item, _hours = chosen
        published = {
            "amount": item.amount,
            "unit": item.unit,
            "cutoff": item.cutoff.strftime("%H:%M") if item.cutoff else None,
        }
        if due is None:
            due = _calendar(competent).add(start, item.amount, item.unit, cutoff=item.cutoff)
    if end is not None and due is not None and end > due:
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
        "engine": True,
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
        "end": end.isoformat() if end else None,
        "due": due.isoformat() if due else None,
        "published_time": published,
        "within_time": due is not None and end is not None and end <= due,
        "steps": steps,
        "events": events,
        "problems": problems,
        "passed": not problems,
    }


test_run.__test__ = False  # a function named test_* is not a pytest test
