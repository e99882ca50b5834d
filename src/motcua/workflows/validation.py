"""Checks a process definition must pass before it may be test-run green and activated (R2).

Every problem names its step, in Vietnamese, so the catalog administrator knows what to fix:

- structure: every `next` names a step; every step is reachable from the first; every step can
  reach an end (a transition with no next step) — so every path ends and no loop traps a
  dossier; only "send back" (return) goes backwards;
- kinds: a consult step names the units it asks and moves on with "forward"; an approve step
  allows "approve"; every step allows some action;
- references: roles exist; named units exist, are active and belong to the province;
- time: the step limits along the longest path (return transitions ignored) fit the
  procedure's published processing time (DOMAIN-legal.md §1.10; working days counted as 8 hours);
- people: at every step, for every competent agency the catalog's competence rules give this
  definition, at least one official may act today (`units.officials_eligible`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.catalog.competence import CompetenceIndex
from motcua.catalog.constants import TimeUnit
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import version_in_force
from motcua.core.selectors import calendar_for
from motcua.organizations.models import Agency

from .constants import LimitUnit, StepAction, StepKind, UnitRefKind
from .models import ProcessDefinition
from .spec import Step, UnitRef, WorkflowSpec
from .units import officials_eligible, unit_resolve

# A working day is as long as the agency's office day (DOMAIN.md decision 6: 07:30–11:30 and
# 13:30–17:00 by default, 7.5 hours): "derive days" from the per-agency calendar (DOMAIN-legal.md
# §1.10), so a definition that fits here fits the deadlines the engine computes.
DEFAULT_DAY_MINUTES = 450


@dataclass(frozen=True)
class Problem:
    """One finding. `step_key` is None for the definition as a whole."""

    step_key: str | None
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"step_key": self.step_key, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Locality:
    """Where the definition applies: a competent agency and the desks that receive for it."""

    agency: Agency
    desks: tuple[Agency, ...]
    commune_ids: tuple[int, ...] = ()


@dataclass
class _Findings:
    problems: list[Problem] = field(default_factory=list)

    def add(self, step: Step | None, code: str, message: str) -> None:
        self.problems.append(Problem(step.key if step else None, code, message))


def step_limit_minutes(step: Step, day_minutes: int = DEFAULT_DAY_MINUTES) -> int:
    per = 60 if step.limit_unit == LimitUnit.WORKING_HOURS else day_minutes
    return step.limit_amount * per


def hours_text(minutes: int) -> str:
    """Office minutes as hours, the Vietnamese way: 8, 7,5, 11,5."""
    from django.utils.formats import number_format

    hours = Decimal(minutes) / 60
    return number_format(hours.quantize(Decimal("0.01")).normalize(), use_l10n=True)


# Structure ---------------------------------------------------------------------------------


def _edges(spec: WorkflowSpec, *, forward_only: bool = False) -> dict[str, list[str]]:
    keys = {s.key for s in spec.steps}
    edges: dict[str, list[str]] = {}
    for step in spec.steps:
        edges[step.key] = [
            t.next
            for t in step.transitions
            if t.next in keys and not (forward_only and t.action == StepAction.RETURN)
        ]
    return edges


def _reach(start: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen, stack = set(start), list(start)
    while stack:
        for nxt in edges.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _on_cycle(key: str, edges: dict[str, list[str]]) -> bool:
    return key in _reach(edges.get(key, []), edges)


def _forward_cycle(spec: WorkflowSpec) -> list[str]:
    """Steps on a cycle made of transitions other than "return" (in step order)."""
    edges = _edges(spec, forward_only=True)
    return [s.key for s in spec.steps if _on_cycle(s.key, edges)]


def longest_path(
    spec: WorkflowSpec, day_minutes: int = DEFAULT_DAY_MINUTES
) -> tuple[int, list[str]] | None:
    """The largest sum of step limits (office minutes, a working day being `day_minutes`) along
    a path from the first step to an end, and that path's step keys; "return" transitions are
    ignored (they go back). None when the remaining graph still has a cycle."""
    if _forward_cycle(spec):
        return None
    edges = _edges(spec, forward_only=True)
    steps = {s.key: s for s in spec.steps}
    memo: dict[str, tuple[int, list[str]]] = {}

    def longest(key: str) -> tuple[int, list[str]]:
        if key not in memo:
            tail = max((longest(n) for n in edges[key]), default=(0, []), key=lambda x: x[0])
            memo[key] = (step_limit_minutes(steps[key], day_minutes) + tail[0], [key, *tail[1]])
        return memo[key]

    return longest(spec.first.key)


def longest_path_hours(
    spec: WorkflowSpec, day_minutes: int = DEFAULT_DAY_MINUTES
) -> Decimal | None:
    found = longest_path(spec, day_minutes)
    return Decimal(found[0]) / 60 if found else None


def _external_problems(step: Step, found: _Findings) -> None:
    """An external step names a configured system (settings.EXTERNAL_SYSTEMS) and says where
    its two possible results lead: "forward" when settled, "refuse" when refused
    (coordination/services.py completes the step with one of them)."""
    if step.kind != StepKind.EXTERNAL:
        if step.system:
            found.add(
                step,
                "system_not_external",
                _('Step "%(step)s": only a step handing over to an external system names one.')
                % {"step": step.name},
            )
        return
    if step.system not in settings.EXTERNAL_SYSTEMS:
        found.add(
            step,
            "unknown_system",
            _('Step "%(step)s": the external system "%(system)s" is not configured.')
            % {"step": step.name, "system": step.system},
        )
    for action in (StepAction.FORWARD, StepAction.REFUSE):
        if not step.allows(action):
            found.add(
                step,
                f"external_no_{action}",
                _(
                    'Step "%(step)s": a hand-over to an external system needs the action '
                    '"%(action)s" for the result it may send back.'
                )
                % {"step": step.name, "action": StepAction(action).label},
            )


def structure_problems(spec: WorkflowSpec) -> list[Problem]:
    """What is wrong with the steps and transitions themselves (no database)."""
    found = _Findings()
    keys = {s.key for s in spec.steps}
    for step in spec.steps:
        if not step.transitions:
            found.add(
                step,
                "no_transitions",
                _('Step "%(step)s": no action is allowed, so processing stops here.')
                % {"step": step.name},
            )
        for t in step.transitions:
            if t.next is not None and t.next not in keys:
                found.add(
                    step,
                    "unknown_next",
                    _(
                        'Step "%(step)s": the action "%(action)s" leads to a step "%(next)s" that '
                        "does not exist."
                    )
                    % {"step": step.name, "action": StepAction(t.action).label, "next": t.next},
                )
        if step.kind == StepKind.CONSULT:
            if not step.consult_units:
                found.add(
                    step,
                    "consult_no_units",
                    _('Step "%(step)s": a consultation step must name at least one unit to ask.')
                    % {"step": step.name},
                )
            if not step.allows(StepAction.FORWARD):
                found.add(
                    step,
                    "consult_no_forward",
                    _(
                        'Step "%(step)s": a consultation step needs the action "%(action)s" to '
                        "continue once every unit has answered."
                    )
                    % {"step": step.name, "action": StepAction.FORWARD.label},
                )
        if step.kind == StepKind.APPROVE and not step.allows(StepAction.APPROVE):
            found.add(
                step,
                "approve_no_approve",
                _('Step "%(step)s": an approval step must allow the action "%(action)s".')
                % {"step": step.name, "action": StepAction.APPROVE.label},
            )
        _external_problems(step, found)

    edges = _edges(spec)
    reachable = _reach([spec.first.key], edges)
    for step in spec.steps:
        if step.key not in reachable:
            found.add(
                step,
                "unreachable",
                _('Step "%(step)s" cannot be reached from the first step "%(first)s".')
                % {"step": step.name, "first": spec.first.name},
            )
    # Every path ends: a step from which no end can be reached either sits in a loop with no
    # way out, or leads into one (or into a step with no action).
    reverse: dict[str, list[str]] = defaultdict(list)
    for key, targets in edges.items():
        for target in targets:
            reverse[target].append(key)
    ends = [s.key for s in spec.steps if any(t.next is None for t in s.transitions)]
    can_end = _reach(ends, reverse)
    for step in spec.steps:
        if step.key in can_end or not step.transitions:
            continue
        if _on_cycle(step.key, edges):
            found.add(
                step,
                "trapped_cycle",
                _('Step "%(step)s" is in a loop that never leads to the end of processing.')
                % {"step": step.name},
            )
        else:
            found.add(
                step,
                "no_end",
                _('Step "%(step)s": no path from this step ends processing.') % {"step": step.name},
            )
    cycle = _forward_cycle(spec)
    if cycle:
        step = spec.step(cycle[0])
        found.add(
            step,
            "forward_cycle",
            _(
                'Step "%(step)s" goes back to an earlier step with an action other than '
                '"%(action)s"; only sending back may go backwards.'
            )
            % {"step": step.name, "action": StepAction.RETURN.label},
        )
    return found.problems


# Time --------------------------------------------------------------------------------------


def published_time(version: ProcedureVersion, day_minutes: int = DEFAULT_DAY_MINUTES):
    """The shortest processing time item of a version counted in working days or hours, with
    its length in office minutes (a working day being `day_minutes`); None when it has none.

    A same-day time (0 working days, "trong ngày", usually with a 15:00 cut-off) is budgeted as
    one working day: the portal records such procedures as "at most 1 working day".
    """
    best = None
    for item in version.times.all():
        if item.unit == TimeUnit.WORKING_HOURS:
            minutes = item.amount * 60
        elif item.unit == TimeUnit.WORKING_DAYS:
            minutes = max(item.amount, 1) * day_minutes
        else:
            continue
        if best is None or minutes < best[1]:
            best = (item, minutes)
    return best


def _time_problems(definition: ProcessDefinition, on: dt.date) -> list[Problem]:
    found = _Findings()
    spec = definition.spec
    version = version_in_force(definition.procedure, on)
    if version is None:
        found.add(
            None,
            "no_version_in_force",
            _(
                "Procedure %(code)s has no published version in force on %(date)s, so its "
                "processing time is unknown."
            )
            % {"code": definition.procedure.code, "date": on.strftime("%d/%m/%Y")},
        )
        return found.problems
    # The office day of the agency the definition belongs to (the installation's for a
    # province-wide one): its deadlines are computed on that calendar.
    day_minutes = calendar_for(definition.agency).day_minutes
    chosen = published_time(version, day_minutes)
    if chosen is None:
        found.add(
            None,
            "no_published_time",
            _("Procedure %(code)s publishes no processing time in working days or hours.")
            % {"code": definition.procedure.code},
        )
        return found.problems
    item, budget = chosen
    path = longest_path(spec, day_minutes)
    if path is not None and path[0] > budget:
        total, keys = path
        found.add(
            None,
            "over_time",
            _(
                "The steps %(steps)s take %(total)s working hours in all, more than the "
                "published processing time of %(amount)s %(unit)s (%(budget)s working hours)."
            )
            % {
                "steps": " → ".join(f'"{spec.step(k).name}"' for k in keys),
                "total": hours_text(total),
                "amount": item.amount,
                "unit": TimeUnit(item.unit).label,
                "budget": hours_text(budget),
            },
        )
    return found.problems


# References and people ---------------------------------------------------------------------


def _named_units(spec: WorkflowSpec) -> list[tuple[Step, UnitRef]]:
    return [
        (step, ref)
        for step in spec.steps
        for ref in [step.unit, *step.consult_units]
        if ref.ref == UnitRefKind.AGENCY
    ]


def _named_agency(ref: UnitRef) -> Agency | None:
    """The named unit, active or not (unit_resolve answers only for active ones)."""
    if ref.agency_id is not None:
        return Agency.objects.filter(pk=ref.agency_id).first()
    if ref.agency_code:
        return Agency.objects.filter(code=ref.agency_code).first()
    return None


def _reference_problems(definition: ProcessDefinition) -> list[Problem]:
    found = _Findings()
    spec = definition.spec
    roles = set(
        Role.objects.filter(code__in={s.role for s in spec.steps}).values_list("code", flat=True)
    )
    for step in spec.steps:
        if step.role not in roles:
            found.add(
                step,
                "unknown_role",
                _('Step "%(step)s": the role "%(role)s" does not exist.')
                % {"step": step.name, "role": step.role},
            )
    for step, ref in _named_units(spec):
        agency = _named_agency(ref)
        label = ref.agency_name or ref.agency_code or str(ref.agency_id)
        if agency is None or not agency.is_active:
            found.add(
                step,
                "unknown_unit",
                _('Step "%(step)s": the unit "%(unit)s" does not exist or is no longer active.')
                % {"step": step.name, "unit": label},
            )
        elif agency.province_id != definition.province_id:
            found.add(
                step,
                "unit_other_province",
                _('Step "%(step)s": the unit "%(unit)s" belongs to another province.')
                % {"step": step.name, "unit": agency.name},
            )
    return found.problems


def definition_localities(
    definition: ProcessDefinition, index: CompetenceIndex | None = None
) -> list[Locality]:
    """The competent agencies (with their receiving desks) the catalog's competence rules give
    this definition: its own agency, or for a province-wide definition every agency competent
    for one of the province's communes."""
    index = index or CompetenceIndex.load([definition.procedure])
    grouped: dict[int, tuple[Agency, dict[int, Agency], list[int]]] = {}
    for commune_id in index.localities():
        pc = index.commune_pc[commune_id]
        if pc.province_id != definition.province_id:
            continue
        competence = index.resolve(definition.procedure_id, commune_id).competence
        if competence is None:
            continue
        if definition.agency_id is not None and competence.agency.pk != definition.agency_id:
            continue
        _agency, desks, communes = grouped.setdefault(
            competence.agency.pk, (competence.agency, {}, [])
        )
        for desk in competence.desks:
            desks.setdefault(desk.pk, desk)
        communes.append(commune_id)
    return [
        Locality(agency, tuple(sorted(desks.values(), key=lambda d: d.path)), tuple(communes))
        for agency, desks, communes in grouped.values()
    ]


def _people_problems(definition: ProcessDefinition) -> list[Problem]:
    found = _Findings()
    spec = definition.spec
    localities = definition_localities(definition)
    if not localities:
        if definition.agency_id is not None:
            message = _(
                "The catalog does not make %(agency)s competent for procedure %(code)s "
                "in any commune, so the definition would never be used."
            ) % {
                "agency": definition.agency.name,
                "code": definition.procedure.code,
            }
        else:
            message = _(
                "No competent agency is configured for procedure %(code)s in the "
                "province's communes."
            ) % {"code": definition.procedure.code}
        found.add(None, "no_competence", message)
        return found.problems
    roles = {r.code: r.name for r in Role.objects.filter(code__in={s.role for s in spec.steps})}
    checked: set[tuple[str, int]] = set()
    for step in spec.steps:
        if step.role not in roles:
            continue  # reported as unknown_role
        for locality in localities:
            refs = [step.unit, *step.consult_units]
            units: list[Agency] = []
            for ref in refs:
                if ref.ref == UnitRefKind.RECEIVING_DESK:
                    units.extend(locality.desks)
                else:
                    unit = unit_resolve(ref, competent=locality.agency)
                    if unit is not None:
                        units.append(unit)
            for unit in units:
                if (step.key, unit.pk) in checked:
                    continue
                checked.add((step.key, unit.pk))
                if not officials_eligible(step=step, unit=unit, procedure=definition.procedure):
                    found.add(
                        step, "no_official", no_official_message(step, roles[step.role], unit)
                    )
    return found.problems


def no_official_message(step: Step, role_name: str, unit: Agency) -> str:
    return _('Step "%(step)s": no official holds the role "%(role)s" at %(unit)s.') % {
        "step": step.name,
        "role": role_name,
        "unit": unit.name,
    }


def definition_problems(
    definition: ProcessDefinition, *, on: dt.date | None = None
) -> list[Problem]:
    """Every problem of `definition`, checked against the catalog in force on `on` (today)."""
    on = on or timezone.localdate()
    spec = definition.spec
    problems = structure_problems(spec)
    problems += _reference_problems(definition)
    problems += _time_problems(definition, on)
    problems += _people_problems(definition)
    return problems
