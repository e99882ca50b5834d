"""What a dossier follows, read without changing it: its workflow, its published processing
time, the places whose grants its actions need, and the deadline rules for late dossiers.

The read side (selectors, pages, the lifecycle table) and the write side (services) both use
these; nothing here writes.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from motcua.accounts.authz import Scope
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core.errors import Conflict
from motcua.core.selectors import calendar_for
from motcua.core.workcalendar import TZ, WorkCalendar
from motcua.organizations.models import Agency, AgencyKind
from motcua.workflows.constants import LimitUnit, StepAction, StepKind, UnitRefKind
from motcua.workflows.spec import Step, Transition, UnitRef, WorkflowSpec

from .constants import Timeliness
from .deadlines import near_from
from .models import Dossier
from .rules import rule_set_get


def default_spec(amount: int, unit: str) -> WorkflowSpec:
    """Process at the competent agency, sign by its head, return at the desk.

    Used only while a procedure has no active definition (setting DOSSIER_DEFAULT_PROCESS), so
    reception never stops for lack of configuration; each dossier records that it used it.
    """
    limit_unit = LimitUnit.WORKING_HOURS if unit == "working_hours" else LimitUnit.WORKING_DAYS
    return WorkflowSpec(
        steps=[
            Step(
                key="xu-ly",
                name="Thẩm định, xử lý hồ sơ",
                kind=StepKind.PROCESS,
                role="specialist",
                limit_amount=amount,
                limit_unit=limit_unit,
                transitions=[
                    Transition(action=StepAction.FORWARD, next="ky"),
                    Transition(action=StepAction.REFUSE, next="ky"),
                ],
            ),
            Step(
                key="ky",
                name="Ký duyệt kết quả",
                kind=StepKind.SIGN,
                role="agency_leader",
                limit_amount=0,
                transitions=[
                    Transition(action=StepAction.FORWARD, next="tra"),
                    Transition(action=StepAction.RETURN, next="xu-ly"),
                ],
            ),
            Step(
                key="tra",
                name="Trả kết quả",
                kind=StepKind.RETURN,
                unit=UnitRef(ref=UnitRefKind.RECEIVING_DESK),
                role="receiving_officer",
                limit_amount=0,
                transitions=[Transition(action=StepAction.FORWARD, next=None)],
            ),
        ]
    )


def calendar(agency: Agency | None) -> WorkCalendar:
    return calendar_for(agency)


def processing_time(version: ProcedureVersion, channel: str) -> tuple[int, str, dt.time | None]:
    """(amount, unit, cut-off) of the published time for a channel (or for every channel)."""
    times = version.document.get("times") or []
    chosen = None
    for item in times:
        if item.get("channel") == channel and not item.get("case"):
            chosen = item
            break
    if chosen is None:
        for item in times:
            if item.get("channel") in (None, "", channel):
                chosen = item
                break
    if chosen is None:
        chosen = times[0] if times else {"amount": 0, "unit": "working_days"}
    cutoff = chosen.get("cutoff")
    if isinstance(cutoff, str) and cutoff:
        cutoff = dt.time.fromisoformat(cutoff)
    return int(chosen.get("amount") or 0), chosen.get("unit") or "working_days", cutoff or None


def processing_time_text(version: ProcedureVersion, channel: str) -> str:
    amount, unit, _cutoff = processing_time(version, channel)
    labels = {
        "working_days": "ngày làm việc",
        "working_hours": "giờ làm việc",
        "days": "ngày",
        "months": "tháng",
    }
    if amount == 0 and unit == "working_days":
        return "Trong ngày làm việc"
    return f"{amount:02d} {labels.get(unit, unit)}"


def spec_of(dossier: Dossier) -> WorkflowSpec:
    """The workflow the dossier follows: its definition, or the built-in default process."""
    if dossier.definition_id is not None:
        return dossier.definition.spec
    amount, unit, _cutoff = processing_time(dossier.procedure_version, dossier.channel)
    return default_spec(amount, unit)


def current_step(dossier: Dossier) -> Step:
    try:
        return spec_of(dossier).step(dossier.step_key)
    except KeyError:
        raise Conflict(_("The dossier is not at a processing step."), code="no_step") from None


def limit_minutes(step: Step, cal: WorkCalendar) -> int:
    if step.limit_unit == LimitUnit.WORKING_HOURS:
        return step.limit_amount * 60
    return step.limit_amount * cal.day_minutes


def timeliness(finished: dt.datetime, due: dt.datetime | None) -> str:
    """Trước hạn / đúng hạn / quá hạn, as the control sheet says it."""
    if due is None:
        return ""
    if finished > due:
        return Timeliness.LATE
    if finished.astimezone(TZ).date() == due.astimezone(TZ).date():
        return Timeliness.ON_TIME
    return Timeliness.EARLY


def unit_scope(procedure: Procedure, agency: Agency) -> Scope:
    """A procedure's work at one agency or desk: what a grant there must cover."""
    return Scope(
        agencies=((agency.pk, agency.path),),
        field_id=procedure.field_id,
        procedure_id=procedure.pk,
    )


def organization_of(agency: Agency) -> Agency:
    """The agency an internal unit belongs to (its nearest ancestor that is not a unit)."""
    if agency.kind not in (AgencyKind.UNIT, AgencyKind.DESK):
        return agency
    ids = agency.path_ids()
    ancestors = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    for pk in reversed(ids):
        a = ancestors.get(pk)
        if a is not None and a.kind not in (AgencyKind.UNIT, AgencyKind.DESK):
            return a
    return agency


def apology_deadline(d: Dossier) -> dt.datetime | None:
    """The latest moment the apology/extension letter may be issued (DOMAIN.md decision 8)."""
    if d.due_at is None:
        return None
    return apology_latest(d.due_at, d.rule_set, calendar(d.competent_agency))


def appointment_near_at(d: Dossier) -> dt.datetime | None:
    """When the appointment becomes near: the last part of its length from reception, and at
    the latest a notice before the apology letter's last moment (`deadlines.near_from`)."""
    if d.due_at is None:
        return None
    return near_from(d.received_at, d.due_at, apology_by=apology_deadline(d))


def apology_latest(due_at: dt.datetime, rule_set: str, cal: WorkCalendar) -> dt.datetime:
    """`apology_deadline` from the columns it reads, for a caller that has the competent
    agency's calendar already (the due-warning scan reads dossiers as rows)."""
    rules = rule_set_get(rule_set)
    return cal.subtract_working_days(due_at, rules.apology_working_days_before)
