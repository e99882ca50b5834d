"""Every change to a dossier: one function each, one transaction each.

Each transition checks who may act (`can`, or eligibility at the current workflow step), the
current status and step, and the version the caller last saw (optimistic locking: the first
writer wins, the second gets a clear conflict and nothing of theirs is applied). It then writes
the dossier with a conditional UPDATE, a history row per event (who, when, from, to, note, time
used against the step limit) and, for real dossiers, an outbox event per history row for the
national portal, all in the same transaction (DOMAIN.md decisions 2, 7, 8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.authz import Scope, can, require
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import version_in_force_cached
from motcua.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from motcua.core.selectors import calendar_for
from motcua.core.workcalendar import TZ, WorkCalendar
from motcua.organizations.models import Agency, AgencyKind
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.workflows.constants import LimitUnit, StepAction, StepKind, UnitRefKind
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.selectors import definition_active_for
from motcua.workflows.spec import Step, Transition, UnitRef, WorkflowSpec
from motcua.workflows.units import is_eligible, officials_eligible, unit_resolve

from .codes import code_allocate, sandbox_code
from .constants import (
    AFTER_RESULT,
    NATIONAL_CODE,
    TERMINAL,
    ApplicantKind,
    Channel,
    EventKind,
    Outcome,
    ReturnMethod,
    Status,
    SupplementPhase,
    Timeliness,
    WarningKind,
)
from .models import (
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    DueWarning,
    ExtensionLetter,
)
from .national import dossier_object, progress_row
from .routing import route
from .rules import rule_set_get, rule_set_on

DESTINATION = "dvcqg"


# ---------------------------------------------------------------------------------------------
# Input shapes


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str = ""
    email: str = ""
    address: str = ""
    commune_id: int | None = None


@dataclass(frozen=True)
class ComponentIn:
    name: str
    code: str = ""
    originals: int = 0
    copies: int = 0
    file_name: str = ""


# ---------------------------------------------------------------------------------------------
# The built-in process, for procedures whose province has not configured one yet


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


# ---------------------------------------------------------------------------------------------
# Internals: loading, clocks, events, the checked write


def _load(pk: int, *, lock: bool = False) -> Dossier:
    qs = Dossier.objects.select_related(
        "procedure",
        "procedure_version__field",
        "definition",
        "receiving_agency",
        "competent_agency",
        "return_agency",
        "step_agency",
        "assignee",
    )
    # The content documents load on first use (processing time, steps), not on every change.
    qs = qs.defer("procedure_version__document")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=pk)


def _calendar(agency: Agency | None) -> WorkCalendar:
    return calendar_for(agency)


def _spec(dossier: Dossier) -> WorkflowSpec:
    if dossier.definition_id is not None:
        return dossier.definition.spec
    amount, unit, _cutoff = processing_time(dossier.procedure_version, dossier.channel)
    return default_spec(amount, unit)


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


def _limit_minutes(step: Step, cal: WorkCalendar) -> int:
    if step.limit_unit == LimitUnit.WORKING_HOURS:
        return step.limit_amount * 60
    day = sum(
        (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        for start, end in cal.periods
    )
    return step.limit_amount * day


def timeliness(finished: dt.datetime, due: dt.datetime | None) -> str:
    """Trước hạn / đúng hạn / quá hạn, as the control sheet says it."""
    if due is None:
        return ""
    if finished > due:
        return Timeliness.LATE
    if finished.astimezone(TZ).date() == due.astimezone(TZ).date():
        return Timeliness.ON_TIME
    return Timeliness.EARLY


@dataclass
class _Event:
    kind: str
    note: str = ""
    action: str = ""
    to_status: str = ""
    from_status: str = ""
    from_step: str = ""
    to_step: str = ""
    from_agency: Agency | None = None
    to_agency: Agency | None = None
    to_user: User | None = None
    step_limit_minutes: int | None = None
    minutes_used: int | None = None
    step_due_at: dt.datetime | None = None
    timeliness: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# Fields a transition may change (the conditional UPDATE writes exactly these).
_MUTABLE = [
    "status",
    "national_status",
    "outcome",
    "definition",
    "supplement_phase",
    "supplements_at_reception",
    "supplements_in_processing",
    "extensions",
    "received_at",
    "clock_started_at",
    "clock_paused_at",
    "clock_restart_on_resume",
    "due_at",
    "original_due_at",
    "finished_at",
    "returned_at",
    "closed_reason",
    "step_key",
    "step_name",
    "step_agency",
    "step_started_at",
    "step_due_at",
    "assignee",
    "ledger_book",
    "ledger_number",
    "return_method",
]


class _Transition:
    """Collects the changes and events of one transition, then writes them in one go."""

    def __init__(self, dossier: Dossier, actor: User | None, now: dt.datetime) -> None:
        self.d = dossier
        self.actor = actor
        self.now = now
        self.events: list[_Event] = []
        self.start_status = dossier.status
        self.start_step = dossier.step_key
        self.start_agency = dossier.step_agency
        self.after: list[Any] = []

    def event(self, kind: str, **kw: Any) -> _Event:
        ev = _Event(kind=kind, **kw)
        ev.to_status = ev.to_status or self.d.status
        self.events.append(ev)
        return ev

    def commit(self, expected_version: int | None) -> Dossier:
        d = self.d
        d.national_status = NATIONAL_CODE[d.status]
        values = {name: getattr(d, Dossier._meta.get_field(name).attname) for name in _MUTABLE}
        expected = d.version if expected_version is None else expected_version
        seq0 = d.event_seq
        updated = Dossier.objects.filter(pk=d.pk, version=expected).update(
            **{Dossier._meta.get_field(k).attname: v for k, v in values.items()},
            version=F("version") + 1,
            event_seq=F("event_seq") + len(self.events),
            updated_at=self.now,
        )
        if updated != 1:
            raise _stale(d)
        d.version = expected + 1
        d.event_seq = seq0 + len(self.events)
        _write_events(d, self.actor, self.now, self.events, seq0)
        for callback in self.after:
            callback()
        return d


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def _write_events(
    d: Dossier, actor: User | None, now: dt.datetime, events: list[_Event], seq0: int
) -> None:
    rows = []
    for i, ev in enumerate(events, start=1):
        rows.append(
            DossierEvent(
                dossier=d,
                seq=seq0 + i,
                at=now,
                kind=ev.kind,
                action=ev.action,
                actor=actor if actor is not None and actor.pk else None,
                actor_label=_actor_label(actor),
                from_status=ev.from_status,
                to_status=ev.to_status,
                national_status=NATIONAL_CODE[ev.to_status],
                from_step=ev.from_step,
                to_step=ev.to_step,
                from_agency=ev.from_agency,
                to_agency=ev.to_agency,
                to_user=ev.to_user,
                step_limit_minutes=ev.step_limit_minutes,
                minutes_used=ev.minutes_used,
                step_due_at=ev.step_due_at,
                timeliness=ev.timeliness,
                note=ev.note,
                data=ev.data,
            )
        )
    DossierEvent.objects.bulk_create(rows)
    if d.is_sandbox:
        return  # test dossiers are never synced (R3)
    actor_name = (actor.full_name or actor.get_username()) if actor is not None else ""
    with translation.override("vi"):
        document = dossier_object(d)
        outbox_add_many(
            [
                OutboxItem(
                    destination=DESTINATION,
                    kind="dossier.progress",
                    aggregate_type="dossier",
                    aggregate_id=d.code,
                    aggregate_seq=row.seq,
                    payload={
                        "event": row.kind,
                        "status_changed": row.from_status != row.to_status,
                        "dossier": {**document, "TrangThaiHoSo": str(row.national_status)},
                        "progress": progress_row(d, row, actor_name=actor_name),
                    },
                )
                for row in rows
            ]
        )


def _stale(d: Dossier) -> Conflict:
    return Conflict(
        _("Dossier %(code)s was changed by someone else a moment ago. Reload it and try again.")
        % {"code": d.code},
        code="stale",
    )


def _check_version(d: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and d.version != expected_version:
        raise _stale(d)


def _require_status(d: Dossier, allowed: set[str], what: str) -> None:
    if d.status not in allowed:
        raise Conflict(
            _("%(what)s is not possible: the dossier is “%(status)s”.")
            % {"what": what, "status": d.get_status_display()},
            code="wrong_status",
        )


def unit_scope(procedure: Procedure, agency: Agency) -> Scope:
    """A procedure's work at one agency or desk: what a grant there must cover."""
    return Scope(
        agencies=((agency.pk, agency.path),),
        field_id=procedure.field_id,
        procedure_id=procedure.pk,
    )


def _desk_scope_require(actor: User | None, action: str, d: Dossier, agency: Agency) -> None:
    require(actor, action, unit_scope(d.procedure, agency))


# ---------------------------------------------------------------------------------------------
# Steps


def _enter_step(t: _Transition, step: Step, *, status: str, assignee: User | None = None) -> None:
    d = t.d
    unit = unit_resolve(step.unit, competent=d.competent_agency, receiving_desk=d.receiving_agency)
    if unit is None:
        raise Conflict(
            _("Step “%(step)s” has no unit to hand the dossier to.") % {"step": step.name},
            code="no_unit",
        )
    cal = _calendar(unit)
    d.step_key = step.key
    d.step_name = step.name
    d.step_agency = unit
    d.step_started_at = t.now
    if step.limit_amount == 0:
        d.step_due_at = d.due_at
    else:
        d.step_due_at = cal.add(t.now, step.limit_amount, step.limit_unit)
    d.assignee = assignee
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


def _leave_step(t: _Transition, step: Step, action: str) -> dict[str, Any]:
    """Timing of the step being left: its limit, the office time used, early/on time/late."""
    d = t.d
    cal = _calendar(d.step_agency)
    used = cal.working_minutes_between(d.step_started_at, t.now) if d.step_started_at else 0
    return {
        "from_step": step.key,
        "from_agency": d.step_agency,
        "step_limit_minutes": _limit_minutes(step, cal),
        "minutes_used": used,
        "step_due_at": d.step_due_at,
        "timeliness": timeliness(t.now, d.step_due_at),
        "action": action,
    }


def _finish(t: _Transition, outcome: str) -> None:
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


def _advance(
    t: _Transition, step: Step, action: str, *, note: str, assignee: User | None = None
) -> None:
    """Complete `step` with `action` and move to the next step (or finish)."""
    d = t.d
    spec = _spec(d)
    timing = _leave_step(t, step, action)
    from_status = d.status
    if action == StepAction.REFUSE:
        d.outcome = Outcome.DENIED
    next_key = step.next_for(action)
    if next_key is None:
        _finish(t, d.outcome or Outcome.GRANTED)
        t.event(
            EventKind.FINISH,
            note=note or _("Processing finished."),
            from_status=from_status,
            to_step="",
            to_agency=d.step_agency,
            **timing,
        )
        return
    nxt = spec.step(next_key)
    _enter_step(t, nxt, status=Status.PROCESSING, assignee=assignee)
    kind = EventKind.HANDOFF if nxt.kind == StepKind.HANDOFF else EventKind.STEP
    if nxt.kind == StepKind.RETURN:
        kind = EventKind.FINISH
    t.event(
        kind,
        note=note,
        from_status=from_status,
        to_step=nxt.key,
        to_agency=d.step_agency,
        to_user=assignee,
        **timing,
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


# ---------------------------------------------------------------------------------------------
# Submission and reception


def _version_in_force_cached(procedure: Procedure, on: dt.date) -> ProcedureVersion | None:
    """The version in force, from the shared cache: a suspended version takes no dossier from
    the next submission on (catalog.selectors.version_in_force_cached)."""
    return version_in_force_cached(procedure, on)


def _version_for(procedure: Procedure, on: dt.date) -> ProcedureVersion:
    version = _version_in_force_cached(procedure, on)
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise Conflict(
            _("Procedure %(code)s is not published and takes no dossiers.")
            % {"code": procedure.code},
            code="not_published",
        )
    return version


def _applicant_errors(applicant: Applicant) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["applicant.kind"] = [_("Choose citizen or organization.")]
    if not applicant.name.strip():
        errors["applicant.name"] = [_("Enter the applicant's name.")]
    number = applicant.id_number.strip()
    if applicant.kind == ApplicantKind.CITIZEN and not (number.isdigit() and len(number) == 12):
        errors["applicant.id_number"] = [_("A personal identification number has 12 digits.")]
    if applicant.kind == ApplicantKind.ORGANIZATION and not number:
        errors["applicant.id_number"] = [_("Enter the enterprise or tax code.")]
    phone = normalize_phone(applicant.phone)
    if applicant.phone and not (phone.isdigit() and len(phone) in (10, 11)):
        errors["applicant.phone"] = [_("Enter a Vietnamese phone number, e.g. 0912345678.")]
    return errors


def dossier_submit(
    *,
    actor: User | None,
    procedure: Procedure,
    applicant: Applicant,
    components: list[ComponentIn],
    channel: str = Channel.ONLINE,
    desk: Agency | None = None,
    form_data: dict[str, Any] | None = None,
    summary: str = "",
    sets: int = 1,
    return_method: str = ReturnMethod.DESK,
    external_code: str = "",
    accept: bool = False,
    is_sandbox: bool = False,
    definition: ProcessDefinition | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """A new dossier: submitted online (status 1), or registered at a desk.

    A sandbox dossier (`is_sandbox`, the workflow test-run) may name the `definition` under
    test, which need not be active; it gets a test code, never a number of the day's sequence.

    At a desk (`desk` given) the receiving officer needs `dossier.receive` there; with
    `accept=True` the dossier is accepted in the same transaction (receipt and appointment).
    Online submissions are routed to the competent agency's desk for checking. Either way the
    dossier gets its code from the receiving agency's counter for the day.
    """
    now = now or timezone.now()
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), errors={"channel": [_("Unknown channel.")]})
    if channel != Channel.ONLINE and desk is None:
        raise InvalidInput(
            _("Choose the desk receiving the dossier."),
            errors={"desk": [_("Choose the desk receiving the dossier.")]},
        )
    if return_method not in ReturnMethod.values:
        raise InvalidInput(
            _("Unknown way of returning the result."),
            errors={"return_method": [_("Unknown way of returning the result.")]},
        )
    errors = _applicant_errors(applicant)
    if not components:
        errors["components"] = [_("List at least one component of the dossier.")]
    if errors:
        raise InvalidInput(_("Some details are missing or wrong."), errors=errors)
    local = now.astimezone(TZ)
    version = _version_for(procedure, local.date())
    offered = version.document.get("channels") or []
    if offered and channel not in offered:
        raise Conflict(
            _("Procedure %(code)s is not offered through this channel.") % {"code": procedure.code},
            code="channel_not_offered",
        )
    routed = route(procedure, applicant.commune_id, desk)
    if desk is not None:
        require(actor, Action.DOSSIER_RECEIVE, unit_scope(procedure, desk))
    fees = [
        {
            "name": fee.get("name", ""),
            "kind": fee.get("kind", ""),
            "amount_vnd": (
                fee.get("online_amount_vnd")
                if channel == Channel.ONLINE and fee.get("online_amount_vnd") is not None
                else fee.get("amount_vnd")
            )
            or 0,
        }
        for fee in version.document.get("fees") or []
        if fee.get("channel") in (None, "", channel)
    ]
    rules = rule_set_on(local.date())
    amount, unit, cutoff = processing_time(version, channel)
    d = Dossier(
        external_code=external_code,
        procedure=procedure,
        procedure_version=version,
        rule_set=rules.code,
        channel=channel,
        is_sandbox=is_sandbox,
        definition=definition if is_sandbox else None,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_id_number=applicant.id_number.strip(),
        applicant_phone=normalize_phone(applicant.phone),
        applicant_email=applicant.email.strip(),
        applicant_address=applicant.address.strip(),
        applicant_commune_id=applicant.commune_id,
        applicant_user=(actor if actor is not None and actor.kind != User.Kind.OFFICIAL else None),
        summary=summary[:1000],
        form_data=form_data or {},
        sets=sets,
        fees=fees,
        fee_total_vnd=sum(f["amount_vnd"] for f in fees),
        receiving_agency=routed.receiving_agency,
        competent_agency=routed.competent_agency,
        return_agency=routed.return_agency,
        boundary_free=routed.boundary_free,
        return_method=return_method,
        status=Status.SUBMITTED,
        national_status=NATIONAL_CODE[Status.SUBMITTED],
        submitted_at=now,
        step_agency=routed.receiving_agency,
        step_started_at=now,
        extensions_allowed=rules.max_extensions,
        # Online: the provisional appointment if accepted now (shown to the applicant).
        due_at=_calendar(routed.competent_agency).add(now, amount, unit, cutoff=cutoff),
        version=1,
        event_seq=1,
    )
    t = _Transition(d, actor, now)
    t.event(
        EventKind.SUBMIT if channel == Channel.ONLINE else EventKind.REGISTER,
        to_agency=routed.receiving_agency,
        note=(
            _("Received outside the competent area; routed to %(agency)s.")
            % {"agency": routed.competent_agency.name}
            if routed.boundary_free
            else ""
        ),
        data={"boundary_free": routed.boundary_free},
    )
    with transaction.atomic():
        d.code = sandbox_code() if is_sandbox else code_allocate(routed.receiving_agency, local)
        d.save(force_insert=True)
        DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=d,
                order=i,
                code=c.code,
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                file_name=c.file_name,
            )
            for i, c in enumerate(components)
        )
        _write_events(d, actor, now, t.events, 0)
        if accept:
            _accept(d, actor, now=now)
    return d


def _accept(d: Dossier, actor: User | None, *, now: dt.datetime) -> None:
    """Accept a complete dossier: start the clock, set the appointment, enter the first step."""
    if d.is_sandbox and d.definition_id is not None:
        definition = d.definition  # the test-run's definition under test
    else:
        definition = definition_active_for(d.procedure, d.competent_agency)
    if definition is None and not settings.DOSSIER_DEFAULT_PROCESS:
        raise Conflict(
            _("%(procedure)s has no active process definition at %(agency)s.")
            % {"procedure": d.procedure.code, "agency": d.competent_agency.name},
            code="no_definition",
        )
    t = _Transition(d, actor, now)
    from_status = d.status
    d.definition = definition
    cal = _calendar(d.competent_agency)
    amount, unit, cutoff = processing_time(d.procedure_version, d.channel)
    d.received_at = now
    d.clock_started_at = cal.counted_from(now, unit, cutoff=cutoff)
    d.due_at = cal.add(now, amount, unit, cutoff=cutoff)
    if d.original_due_at is None:
        d.original_due_at = d.due_at
    d.supplement_phase = ""
    d.status = Status.ACCEPTED
    t.event(
        EventKind.ACCEPT,
        from_status=from_status,
        from_agency=d.receiving_agency,
        to_agency=d.receiving_agency,
        note=_("Accepted; appointment %(due)s.")
        % {"due": d.due_at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")},
        data={
            "definition": definition.pk if definition else None,
            "definition_version": definition.number if definition else None,
            "default_process": definition is None,
        },
    )
    spec = _spec(d)
    first = spec.first
    if first.kind == StepKind.RECEIVE:
        # Reception is the step just done at the desk; go on to what follows it.
        d.step_key = first.key
        d.step_agency = d.receiving_agency
        d.step_started_at = d.submitted_at
        d.step_due_at = None
        next_key = first.next_for(StepAction.FORWARD) if first.allows("forward") else None
        if next_key is None:
            _finish(t, Outcome.GRANTED)
        else:
            nxt = spec.step(next_key)
            _enter_step(t, nxt, status=Status.ACCEPTED)
            t.event(
                EventKind.HANDOFF
                if d.step_agency.pk != d.receiving_agency.pk and d.boundary_free
                else EventKind.STEP,
                from_status=Status.ACCEPTED,
                from_step=first.key,
                to_step=nxt.key,
                from_agency=d.receiving_agency,
                to_agency=d.step_agency,
                action=StepAction.FORWARD,
                note=_("Transferred to %(unit)s.") % {"unit": d.step_agency.name},
            )
    else:
        _enter_step(t, first, status=Status.ACCEPTED)
        t.event(
            EventKind.STEP,
            from_status=Status.ACCEPTED,
            to_step=first.key,
            from_agency=d.receiving_agency,
            to_agency=d.step_agency,
            note=_("Transferred to %(unit)s.") % {"unit": d.step_agency.name},
        )
    t.commit(d.version)


def dossier_accept(
    *, actor: User, dossier: Dossier, expected_version: int, now: dt.datetime | None = None
) -> Dossier:
    """Tiếp nhận: the dossier is complete and valid; issue the receipt with the appointment."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.receiving_agency)
        if d.status == Status.SUPPLEMENT and d.supplement_phase == SupplementPhase.RECEPTION:
            raise Conflict(
                _("Record the supplement the applicant brought before accepting."),
                code="awaiting_supplement",
            )
        _require_status(d, {Status.SUBMITTED}, _("Accepting"))
        _accept(d, actor, now=now)
        return d


def dossier_refuse(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reasons: list[str],
    now: dt.datetime | None = None,
) -> Dossier:
    """Từ chối tiếp nhận, with the reasons (the refusal slip lists them)."""
    now = now or timezone.now()
    reasons = [r.strip() for r in reasons if r and r.strip()]
    if not reasons:
        raise InvalidInput(
            _("Give the reason for refusing."), errors={"reasons": [_("Give the reason.")]}
        )
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.receiving_agency)
        if not (
            d.status == Status.SUBMITTED
            or (d.status == Status.SUPPLEMENT and d.supplement_phase == SupplementPhase.RECEPTION)
        ):
            _require_status(d, set(), _("Refusing at reception"))
        t = _Transition(d, actor, now)
        from_status = d.status
        d.status = Status.REFUSED
        d.closed_reason = "\n".join(reasons)
        d.finished_at = now
        d.due_at = None
        d.step_key = ""
        d.step_name = ""
        d.step_due_at = None
        t.event(
            EventKind.REFUSE,
            from_status=from_status,
            note="; ".join(reasons),
            data={"reasons": reasons},
        )
        return t.commit(expected_version)


def dossier_request_supplement(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    items: list[str],
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: at reception or during processing.

    During processing the clock stops; whether it restarts in full or resumes when the
    complete dossier arrives is the rule set's (DOMAIN.md decision 7).
    """
    now = now or timezone.now()
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise InvalidInput(
            _("List what the applicant must add or correct."),
            errors={"items": [_("List what the applicant must add or correct.")]},
        )
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        t = _Transition(d, actor, now)
        from_status = d.status
        if d.status == Status.SUBMITTED:
            _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.receiving_agency)
            d.supplement_phase = SupplementPhase.RECEPTION
            d.supplements_at_reception += 1
            round_no = d.supplements_at_reception
        elif d.status in (Status.ACCEPTED, Status.PROCESSING):
            step = _current_step(d)
            _require_step_actor(actor, d, step)
            rules = rule_set_get(d.rule_set)
            if d.supplements_in_processing >= rules.max_supplements_in_processing:
                raise Conflict(
                    _(
                        "A supplement has already been requested during processing; "
                        "%(basis)s allows %(n)d."
                    )
                    % {"basis": rules.basis, "n": rules.max_supplements_in_processing},
                    code="supplement_limit",
                )
            cal = _calendar(d.competent_agency)
            early_limit = cal.add_working_days(
                d.clock_started_at, rules.supplement_restart_within_working_days
            )
            d.clock_restart_on_resume = now <= early_limit
            d.clock_paused_at = now
            d.supplement_phase = SupplementPhase.PROCESSING
            d.supplements_in_processing += 1
            round_no = d.supplements_in_processing
        else:
            _require_status(d, set(), _("Requesting a supplement"))
        d.status = Status.SUPPLEMENT
        t.event(
            EventKind.SUPPLEMENT_REQUEST,
            from_status=from_status,
            from_step=d.step_key,
            note=reason.strip(),
            data={
                "items": items,
                "reason": reason.strip(),
                "phase": d.supplement_phase,
                "round": round_no,
                "restart": d.clock_restart_on_resume,
            },
        )
        return t.commit(expected_version)


def dossier_supplement_received(
    *,
    actor: User | None,
    dossier: Dossier,
    expected_version: int,
    components: list[ComponentIn] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant brought or uploaded what was asked; the clock restarts or resumes."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.SUPPLEMENT}, _("Recording a supplement"))
        if not _is_applicant(actor, d):
            _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.receiving_agency)
        t = _Transition(d, actor, now)
        data: dict[str, Any] = {"phase": d.supplement_phase}
        if d.supplement_phase == SupplementPhase.RECEPTION:
            d.status = Status.SUBMITTED
            round_no = d.supplements_at_reception
        else:
            cal = _calendar(d.competent_agency)
            if d.clock_restart_on_resume:
                amount, unit, cutoff = processing_time(d.procedure_version, d.channel)
                d.clock_started_at = cal.counted_from(now, unit, cutoff=cutoff)
                d.due_at = cal.add(now, amount, unit, cutoff=cutoff)
                data["clock"] = "restarted"
            else:
                remaining = cal.working_minutes_between(d.clock_paused_at, d.due_at)
                d.due_at = cal.add_working_hours(now, _hours(remaining))
                data["clock"] = "resumed"
                data["remaining_minutes"] = remaining
            d.original_due_at = d.due_at
            _resume_step(d, now)
            d.status = Status.PROCESSING
            d.clock_paused_at = None
            d.clock_restart_on_resume = False
            round_no = d.supplements_in_processing
        data["round"] = round_no
        d.supplement_phase = "" if d.status != Status.SUBMITTED else d.supplement_phase
        DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=d,
                order=100 + i,
                code=c.code,
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                file_name=c.file_name,
                supplement_round=round_no,
            )
            for i, c in enumerate(components or [])
        )
        t.event(
            EventKind.SUPPLEMENT_RECEIVED,
            from_status=Status.SUPPLEMENT,
            to_step=d.step_key,
            note=note,
            data=data,
        )
        return t.commit(expected_version)


def _hours(minutes: int):
    return Decimal(minutes) / Decimal(60)


def _resume_step(d: Dossier, now: dt.datetime) -> None:
    """Shift the step deadline by the time the clock stood still."""
    if d.step_due_at is None or d.clock_paused_at is None or d.step_agency is None:
        return
    cal = _calendar(d.step_agency)
    remaining = cal.working_minutes_between(d.clock_paused_at, d.step_due_at)
    d.step_due_at = cal.add_working_hours(now, _hours(remaining))


def _is_applicant(actor: User | None, d: Dossier) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and actor.kind != User.Kind.OFFICIAL
        and d.applicant_user_id == actor.pk
    )


# ---------------------------------------------------------------------------------------------
# Processing


def _current_step(d: Dossier) -> Step:
    try:
        return _spec(d).step(d.step_key)
    except KeyError:
        raise Conflict(_("The dossier is not at a processing step."), code="no_step") from None


def _assignment_allows(actor: User, d: Dossier) -> bool:
    """Unassigned, assigned to `actor`, or `actor` may reassign the step."""
    return (
        d.assignee_id is None
        or d.assignee_id == actor.pk
        or can(actor, Action.DOSSIER_ASSIGN, _step_scope(d))
    )


def may_act_at_step(actor: User | None, d: Dossier, step: Step) -> bool:
    """May `actor` complete `step` of `d` now (the check `dossier_act` makes)? For the pages,
    which offer only the actions their user may take."""
    return (
        actor is not None
        and d.step_agency is not None
        and is_eligible(actor, step=step, unit=d.step_agency, procedure=d.procedure)
        and _assignment_allows(actor, d)
    )


def _require_step_actor(actor: User | None, d: Dossier, step: Step) -> None:
    if actor is None or d.step_agency is None:
        raise NotAllowed(_("You do not have permission for this action."))
    if not is_eligible(actor, step=step, unit=d.step_agency, procedure=d.procedure):
        raise NotAllowed(
            _("You are not assigned to the step “%(step)s” at %(unit)s.")
            % {"step": step.name, "unit": d.step_agency.name}
        )
    if not _assignment_allows(actor, d):
        raise NotAllowed(
            _("The dossier is assigned to %(name)s.")
            % {"name": d.assignee.full_name or d.assignee.username}
        )


def _step_scope(d: Dossier) -> Scope:
    return unit_scope(d.procedure, d.step_agency)


def dossier_act(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    action: str,
    note: str = "",
    next_assignee: User | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Complete the current step with one of its actions: forward, approve, send back, propose
    refusal or ask for opinions; the definition says which step follows."""
    now = now or timezone.now()
    if action not in StepAction.values:
        raise InvalidInput(_("Unknown action."), errors={"action": [_("Unknown action.")]})
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.ACCEPTED, Status.PROCESSING}, _("Processing"))
        step = _current_step(d)
        _require_step_actor(actor, d, step)
        if not step.allows(action):
            raise Conflict(
                _("Step “%(step)s” does not allow “%(action)s”.")
                % {"step": step.name, "action": StepAction(action).label},
                code="action_not_allowed",
            )
        if step.kind == StepKind.CONSULT and action == StepAction.FORWARD:
            waiting = Consultation.objects.filter(
                dossier=d, step_key=step.key, answered_at__isnull=True
            ).count()
            if waiting:
                raise Conflict(
                    _("%(n)d consulted unit(s) have not answered yet.") % {"n": waiting},
                    code="consultation_open",
                )
        if action == StepAction.REFUSE and not note.strip():
            raise InvalidInput(
                _("Give the reason for proposing refusal."),
                errors={"note": [_("Give the reason.")]},
            )
        if next_assignee is not None:
            next_key = step.next_for(action)
            if next_key is not None:
                nxt = _spec(d).step(next_key)
                unit = unit_resolve(
                    nxt.unit, competent=d.competent_agency, receiving_desk=d.receiving_agency
                )
                if unit is None or not is_eligible(
                    next_assignee, step=nxt, unit=unit, procedure=d.procedure
                ):
                    raise InvalidInput(
                        _("%(name)s cannot handle the step “%(step)s”.")
                        % {"name": next_assignee.full_name, "step": nxt.name},
                        errors={"next_assignee": [_("Not eligible for the next step.")]},
                    )
        t = _Transition(d, actor, now)
        _advance(t, step, action, note=note.strip(), assignee=next_assignee)
        return t.commit(expected_version)


def dossier_assign(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    assignee: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Phân công: a leader gives the current step to one eligible official."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.ACCEPTED, Status.PROCESSING}, _("Assigning"))
        step = _current_step(d)
        require(actor, Action.DOSSIER_ASSIGN, _step_scope(d))
        if not is_eligible(assignee, step=step, unit=d.step_agency, procedure=d.procedure):
            raise InvalidInput(
                _("%(name)s cannot handle the step “%(step)s”.")
                % {"name": assignee.full_name or assignee.username, "step": step.name},
                errors={"assignee": [_("Not eligible for this step.")]},
            )
        t = _Transition(d, actor, now)
        d.assignee = assignee
        t.event(
            EventKind.ASSIGN,
            from_status=d.status,
            from_step=step.key,
            to_step=step.key,
            from_agency=d.step_agency,
            to_agency=d.step_agency,
            to_user=assignee,
            note=note or (assignee.full_name or assignee.username),
        )
        return t.commit(expected_version)


def dossier_consult_answer(
    *,
    actor: User,
    consultation: Consultation,
    opinion: str,
    agrees: bool = True,
    now: dt.datetime | None = None,
) -> Dossier:
    """A consulted unit gives its opinion; when the last one answers, the step moves on."""
    now = now or timezone.now()
    if not opinion.strip():
        raise InvalidInput(_("Write the opinion."), errors={"opinion": [_("Write the opinion.")]})
    with transaction.atomic():
        # Parallel answers queue on the dossier row instead of failing each other.
        d = _load(consultation.dossier_id, lock=True)
        c = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if c.answered_at is not None:
            raise Conflict(_("This opinion has already been given."), code="answered")
        if d.step_key != c.step_key or d.status not in (Status.ACCEPTED, Status.PROCESSING):
            raise Conflict(_("The dossier has moved on from this consultation."), code="moved")
        step = _current_step(d)
        if not is_eligible(actor, step=step, unit=c.unit, procedure=d.procedure):
            raise NotAllowed(_("You may not answer for %(unit)s.") % {"unit": c.unit.name})
        c.answered_at = now
        c.answered_by = actor
        c.opinion = opinion.strip()
        c.agrees = agrees
        c.save(update_fields=["answered_at", "answered_by", "opinion", "agrees"])
        t = _Transition(d, actor, now)
        cal = _calendar(c.unit)
        t.event(
            EventKind.CONSULT_ANSWER,
            from_status=d.status,
            from_step=step.key,
            to_step=step.key,
            from_agency=c.unit,
            to_agency=d.step_agency,
            minutes_used=cal.working_minutes_between(c.asked_at, now),
            step_due_at=c.due_at,
            timeliness=timeliness(now, c.due_at),
            note=opinion.strip(),
            data={"consultation": c.pk, "agrees": agrees},
        )
        waiting = Consultation.objects.filter(
            dossier=d, step_key=step.key, answered_at__isnull=True
        ).exists()
        if not waiting and step.allows(StepAction.FORWARD):
            _advance(t, step, StepAction.FORWARD, note=_("All consulted units have answered."))
        return t.commit(d.version)


def dossier_request_payment(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    amount_vnd: int,
    note: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant must fulfil a financial obligation (tax, land levy): the clock stops."""
    now = now or timezone.now()
    if not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise InvalidInput(
            _("Enter the amount in whole đồng."),
            errors={"amount_vnd": [_("Enter the amount in whole đồng.")]},
        )
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.ACCEPTED, Status.PROCESSING}, _("Requesting payment"))
        step = _current_step(d)
        _require_step_actor(actor, d, step)
        t = _Transition(d, actor, now)
        from_status = d.status
        d.status = Status.AWAITING_PAYMENT
        d.clock_paused_at = now
        t.event(
            EventKind.PAYMENT_REQUEST,
            from_status=from_status,
            from_step=step.key,
            to_step=step.key,
            note=note,
            data={"amount_vnd": amount_vnd},
        )
        return t.commit(expected_version)


def dossier_payment_received(
    *, actor: User | None, dossier: Dossier, expected_version: int, now: dt.datetime | None = None
) -> Dossier:
    """The obligation is fulfilled: the clock resumes where it stopped (DOMAIN.md decision 7)."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.AWAITING_PAYMENT}, _("Recording the payment"))
        if actor is not None:
            _desk_scope_require(actor, Action.DOSSIER_VIEW, d, d.step_agency)
        t = _Transition(d, actor, now)
        cal = _calendar(d.competent_agency)
        remaining = cal.working_minutes_between(d.clock_paused_at, d.due_at)
        d.due_at = cal.add_working_hours(now, _hours(remaining))
        d.original_due_at = d.due_at
        _resume_step(d, now)
        d.clock_paused_at = None
        d.status = Status.PROCESSING
        t.event(
            EventKind.PAYMENT_RECEIVED,
            from_status=Status.AWAITING_PAYMENT,
            to_step=d.step_key,
            data={"remaining_minutes": remaining},
        )
        return t.commit(expected_version)


# ---------------------------------------------------------------------------------------------
# End of the road: return, withdrawal, stop


def dossier_return(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    method: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Trả kết quả: at the desk, by post or online."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(d, {Status.DONE}, _("Returning the result"))
        _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.return_agency)
        if method is not None and method not in ReturnMethod.values:
            raise InvalidInput(
                _("Unknown way of returning the result."),
                errors={"method": [_("Unknown way of returning the result.")]},
            )
        t = _Transition(d, actor, now)
        d.return_method = method or d.return_method
        d.status = Status.RETURNED
        d.returned_at = now
        step_key = d.step_key
        d.step_key = ""
        d.step_name = ""
        d.step_due_at = None
        d.assignee = None
        t.event(
            EventKind.RETURN_RESULT,
            from_status=Status.DONE,
            from_step=step_key,
            from_agency=d.return_agency,
            to_agency=d.return_agency,
            timeliness=timeliness(d.finished_at or now, d.original_due_at),
            note=note,
            data={"method": d.return_method},
        )
        return t.commit(expected_version)


def dossier_withdraw(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Rút hồ sơ at the applicant's request, before a result is issued."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        if not _is_applicant(actor, d):
            _desk_scope_require(actor, Action.DOSSIER_RECEIVE, d, d.receiving_agency)
        _require_status(
            d, set(Status.values) - TERMINAL - AFTER_RESULT, _("Withdrawing the dossier")
        )
        return _close(d, actor, now, Status.WITHDRAWN, EventKind.WITHDRAW, reason, {})


def dossier_stop(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    requested_by: str = "agency",
    now: dt.datetime | None = None,
) -> Dossier:
    """Thông báo dừng giải quyết hồ sơ: decided by the competent agency's leadership, before a
    result is issued (DOMAIN-legal-2025.md §5)."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
    if requested_by not in ("applicant", "agency"):
        raise InvalidInput(
            _("Say who asked to stop."), errors={"requested_by": [_("applicant or agency")]}
        )
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _desk_scope_require(actor, Action.DOSSIER_APPROVE, d, d.competent_agency)
        _require_status(
            d,
            {Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT, Status.AWAITING_PAYMENT},
            _("Stopping processing"),
        )
        return _close(
            d,
            actor,
            now,
            Status.STOPPED,
            EventKind.STOP,
            reason,
            {"requested_by": requested_by, "decided_by": actor.full_name or actor.username},
        )


def _close(
    d: Dossier,
    actor: User,
    now: dt.datetime,
    status: str,
    kind: str,
    reason: str,
    data: dict[str, Any],
) -> Dossier:
    t = _Transition(d, actor, now)
    from_status, step_key = d.status, d.step_key
    d.status = status
    d.closed_reason = reason.strip()
    d.finished_at = now
    d.clock_paused_at = None
    d.step_key = ""
    d.step_name = ""
    d.step_due_at = None
    d.assignee = None
    t.event(
        kind,
        from_status=from_status,
        from_step=step_key,
        from_agency=d.step_agency,
        note=reason.strip(),
        data={"reason": reason.strip(), **data},
    )
    Consultation.objects.filter(dossier=d, answered_at__isnull=True).delete()
    return t.commit(d.version)


# ---------------------------------------------------------------------------------------------
# Late dossiers (R15)


def apology_deadline(d: Dossier) -> dt.datetime | None:
    """The latest moment the apology/extension letter may be issued (DOMAIN.md decision 8)."""
    if d.due_at is None:
        return None
    rules = rule_set_get(d.rule_set)
    return _calendar(d.competent_agency).subtract_working_days(
        d.due_at, rules.apology_working_days_before
    )


def dossier_apology_issue(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    new_due_at: dt.datetime,
    agency_at_fault: Agency | None = None,
    step_key: str | None = None,
    now: dt.datetime | None = None,
) -> ExtensionLetter:
    """Văn bản xin lỗi và đề nghị gia hạn: signed by the head of the agency at fault, issued no
    later than the rule set's working days before the deadline; the original appointment stays
    the one the on-time indicators use."""
    now = now or timezone.now()
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
    with transaction.atomic():
        d = _load(dossier.pk)
        _check_version(d, expected_version)
        _require_status(
            d,
            {Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT, Status.AWAITING_PAYMENT},
            _("Issuing an apology letter"),
        )
        at_fault = agency_at_fault or organization_of(d.step_agency or d.competent_agency)
        _desk_scope_require(actor, Action.DOSSIER_SIGN, d, at_fault)
        if d.extensions >= d.extensions_allowed:
            raise Conflict(
                _(
                    "The appointment has already been extended %(n)d time(s); an administrator "
                    "must allow another."
                )
                % {"n": d.extensions},
                code="extension_limit",
            )
        latest = apology_deadline(d)
        if latest is not None and now > latest:
            raise Conflict(
                _(
                    "Too late: the letter had to be issued by %(latest)s, one working day "
                    "before the appointment."
                )
                % {"latest": latest.astimezone(TZ).strftime("%H:%M %d/%m/%Y")},
                code="apology_too_late",
            )
        if new_due_at <= d.due_at:
            raise InvalidInput(
                _("The new appointment must be after the current one."),
                errors={"new_due_at": [_("The new appointment must be after the current one.")]},
            )
        t = _Transition(d, actor, now)
        old_due = d.due_at
        d.due_at = new_due_at
        d.extensions += 1
        sequence = d.extensions
        t.event(
            EventKind.APOLOGY,
            from_status=d.status,
            from_step=d.step_key,
            to_step=d.step_key,
            from_agency=at_fault,
            to_agency=d.step_agency,
            note=reason.strip(),
            data={
                "sequence": sequence,
                "original_due_at": old_due.isoformat(),
                "new_due_at": new_due_at.isoformat(),
                "agency_at_fault": at_fault.pk,
                "step_key": step_key if step_key is not None else d.step_key,
            },
        )
        t.commit(expected_version)
        return ExtensionLetter.objects.create(
            dossier=d,
            sequence=sequence,
            reason=reason.strip(),
            original_due_at=old_due,
            new_due_at=new_due_at,
            agency_at_fault=at_fault,
            step_key=step_key if step_key is not None else d.step_key,
            signed_by=actor,
            issued_at=now,
            sent_via="online" if d.channel == Channel.ONLINE else "desk",
        )


def due_warnings_scan(*, now: dt.datetime | None = None) -> int:
    """Warn the responsible officials once about each dossier whose appointment is near (by
    the apology deadline) or whose step is overdue. Returns the number of new warnings."""
    now = now or timezone.now()
    created = 0
    running = Dossier.objects.filter(
        status__in=[Status.ACCEPTED, Status.PROCESSING], is_sandbox=False
    ).select_related("competent_agency", "step_agency", "procedure")
    horizon = now + dt.timedelta(days=10)
    for d in running.filter(due_at__lte=horizon).iterator():
        latest = apology_deadline(d)
        targets = []
        if latest is not None and now >= latest - dt.timedelta(days=1):
            targets.append((WarningKind.DUE_SOON, d.due_at))
        if d.step_due_at is not None and now > d.step_due_at:
            targets.append((WarningKind.STEP_OVERDUE, d.step_due_at))
        for kind, target in targets:
            recipients = [d.assignee] if d.assignee_id else _step_officials(d)
            for recipient in recipients or [None]:
                _, made = DueWarning.objects.get_or_create(
                    dossier=d,
                    kind=kind,
                    target_at=target,
                    recipient=recipient,
                )
                created += int(made)
    return created


def due_warning_seen(*, actor: User, warning_id: int, now: dt.datetime | None = None) -> DueWarning:
    """The recipient has read a warning; anyone else is told it does not exist."""
    warning = DueWarning.objects.filter(pk=warning_id, recipient=actor).first()
    if warning is None or actor is None or not actor.is_authenticated:
        raise NotFound(_("No such warning."))
    if warning.seen_at is None:
        warning.seen_at = now or timezone.now()
        warning.save(update_fields=["seen_at"])
    return warning


def _step_officials(d: Dossier) -> list[User]:
    try:
        step = _spec(d).step(d.step_key)
    except KeyError:
        return []
    return officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure)
