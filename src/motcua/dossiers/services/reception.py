"""Reception: an online dossier delivered, a dossier registered at a desk, then accepted,
refused, or sent back for a supplement (Decree 118/2025 art. 15–16)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import version_in_force_cached
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.workcalendar import TZ
from motcua.organizations.models import Agency
from motcua.people.services import applicant_verification
from motcua.workflows.constants import StepAction, StepKind
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.selectors import definition_active_for

from .. import lifecycle
from ..codes import code_allocate, sandbox_code
from ..constants import (
    NATIONAL_CODE,
    ApplicantKind,
    Channel,
    EventKind,
    Outcome,
    ReturnMethod,
    Status,
    SupplementPhase,
)
from ..lifecycle import Context, Op
from ..models import Dossier, DossierComponent
from ..process import calendar, processing_time
from ..routing import route
from ..rules import rule_set_get, rule_set_on
from . import clocking
from .events import Transition, audit, check_version, load, opened, write_events
from .steps import enter_step, finish

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
    file_size: int = 0
    file_sha256: str = ""
    file_type: str = ""
    # The checked file handed in with it (documents.inspection.Inspected), kept as the
    # component's paper in the same transaction as the dossier (documents.documents_attach).
    upload: Any = None
    # A paper of the applicant's electronic data warehouse chosen instead of an upload (its
    # id): the component's paper then shares its stored bytes (documents.document_reuse).
    reuse_document_id: int | None = None


# ---------------------------------------------------------------------------------------------
# The version in force


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


def _duplicate(existing: Dossier) -> Conflict:
    return Conflict(
        _("A dossier with national code %(national)s already exists: %(code)s.")
        % {"national": existing.external_code or existing.source_key, "code": existing.code},
        code="duplicate",
    )


def _twin(external_code: str, source: tuple[str, str] | None) -> Dossier | None:
    """The dossier already holding this national code or this (system, AcceptKey)."""
    if source is not None:
        return Dossier.objects.filter(source_system=source[0], source_key=source[1]).first()
    if external_code:
        return Dossier.objects.filter(external_code=external_code).first()
    return None


# ---------------------------------------------------------------------------------------------
# Submission


def dossier_submit(
    *,
    actor: User | None,
    procedure: Procedure,
    applicant: Applicant,
    components: list[ComponentIn],
    channel: str | None = None,
    desk: Agency | None = None,
    form_data: dict[str, Any] | None = None,
    summary: str = "",
    sets: int = 1,
    return_method: str = ReturnMethod.DESK,
    external_code: str = "",
    source: tuple[str, str] | None = None,
    accept: bool = False,
    is_sandbox: bool = False,
    definition: ProcessDefinition | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """A new dossier: delivered online (status 1), or registered at a desk.

    Online (`Op.DELIVER`): only the national portal's intake identity (`dossier.intake` at the
    receiving unit) or the applicant's own login delivers it, and it is never accepted in the
    same call: the receiving desk checks it first. At a desk (`Op.REGISTER`, `desk` given) the
    receiving officer needs `dossier.receive` there; with `accept=True` the dossier is accepted
    in the same transaction (receipt and appointment). A national code (`external_code`) is
    unique: the same dossier delivered twice exists once; so is the `source` (system, AcceptKey)
    of a dossier a ministry's or the coordination system handed over (DOMAIN-integration.md §5).

    A sandbox dossier (`is_sandbox`, the workflow test-run) may name the `definition` under
    test, which need not be active; it gets a test code, never a number of the day's sequence.
    """
    now = now or timezone.now()
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("You do not have permission for this action."))
    # Unsaid, the channel follows the desk: registered at one, or delivered online.
    channel = channel or (Channel.DIRECT if desk is not None else Channel.ONLINE)
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), errors={"channel": [_("Unknown channel.")]})
    online = channel == Channel.ONLINE
    if not online and desk is None:
        raise InvalidInput(
            _("Choose the desk receiving the dossier."),
            errors={"desk": [_("Choose the desk receiving the dossier.")]},
        )
    if online and desk is not None:
        raise InvalidInput(
            _("An online dossier is not registered at a desk."),
            errors={"desk": [_("An online dossier is not registered at a desk.")]},
        )
    if online and accept:
        raise InvalidInput(
            _("An online dossier is accepted by the receiving desk after it arrives."),
            errors={
                "accept": [
                    _("An online dossier is accepted by the receiving desk after it arrives.")
                ]
            },
        )
    if return_method not in ReturnMethod.values:
        raise InvalidInput(
            _("Unknown way of returning the result."),
            errors={"return_method": [_("Unknown way of returning the result.")]},
        )
    external_code = external_code.strip()
    errors = _applicant_errors(applicant)
    if not components:
        errors["components"] = [_("List at least one component of the dossier.")]
    if errors:
        raise InvalidInput(_("Some details are missing or wrong."), errors=errors)
    op = Op.DELIVER if online else Op.REGISTER
    if desk is not None:
        # The desk's grant is known before anything is looked up.
        probe = Dossier(procedure=procedure, channel=channel)
        lifecycle.check(op, actor, probe, Context(now=now, desk=desk))
    local = now.astimezone(TZ)
    version = _version_for(procedure, local.date())
    offered = version.document.get("channels") or []
    if offered and channel not in offered:
        raise Conflict(
            _("Procedure %(code)s is not offered through this channel.") % {"code": procedure.code},
            code="channel_not_offered",
        )
    routed = route(procedure, applicant.commune_id, desk)
    fees = [
        {
            "name": fee.get("name", ""),
            "kind": fee.get("kind", ""),
            "amount_vnd": (
                fee.get("online_amount_vnd")
                if online and fee.get("online_amount_vnd") is not None
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
        source_system=source[0] if source else "",
        source_key=source[1] if source else "",
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
        # Verified when this actor's look-up in the register found the same number and name
        # (the desk's button, or the intake's look-up; an applicant's own online submission
        # never is).
        applicant_verified_by=applicant_verification(
            actor=actor, number=applicant.id_number, name=applicant.name, now=now
        ),
        applicant_user=(actor if lifecycle.is_applicant(actor) else None),
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
        # The provisional appointment if accepted now (shown to the applicant).
        due_at=calendar(routed.competent_agency).add(now, amount, unit, cutoff=cutoff),
        version=1,
        event_seq=1,
    )
    rule = lifecycle.check(op, actor, d, Context(now=now, desk=desk))
    t = Transition(rule, d, actor, now)
    t.event(
        EventKind.SUBMIT if online else EventKind.REGISTER,
        to_agency=routed.receiving_agency,
        note=(
            _("Received outside the competent area; routed to %(agency)s.")
            % {"agency": routed.competent_agency.name}
            if routed.boundary_free
            else ""
        ),
        data={"boundary_free": routed.boundary_free},
    )
    existing = _twin(external_code, source)
    if existing is not None:
        raise _duplicate(existing)
    try:
        with transaction.atomic():
            d.code = sandbox_code() if is_sandbox else code_allocate(routed.receiving_agency, local)
            d.save(force_insert=True)
            rows = DossierComponent.objects.bulk_create(
                DossierComponent(
                    dossier=d,
                    order=i,
                    code=c.code,
                    name=c.name,
                    originals=c.originals,
                    copies=c.copies,
                    file_name=c.file_name,
                    file_size=c.file_size,
                    file_sha256=c.file_sha256,
                    file_type=c.file_type,
                )
                for i, c in enumerate(components)
            )
            _attach(actor, d, rows, components, now)
            lifecycle.arrived(rule, d)
            write_events(d, actor, now, t.events, 0)
            audit(rule.op, d, actor, before=lifecycle.State.NEW, events=t.events)
            if accept:
                _accept(d, actor, now=now)
    except IntegrityError:
        # Two deliveries of one national code (or AcceptKey) at the same moment: the first won.
        existing = _twin(external_code, source)
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return d


def _attach(
    actor: User | None,
    d: Dossier,
    rows: list[DossierComponent],
    components: list[ComponentIn],
    now: dt.datetime,
    *,
    supplement: bool = False,
) -> None:
    """Keep the files handed in with the components as their papers (motcua.documents), in the
    dossier's transaction: at a desk uploaded there, online from the portal's intake. The
    applicant's own upload ("Hồ sơ của tôi", a supplement) is online whatever the dossier's
    channel: the documents' sources have no value of its own for it, and the national portal's
    intake is the closest (the applicant submitting online, not an official)."""
    from motcua.documents.constants import DocumentKind, Source
    from motcua.documents.services import documents_attach, documents_reuse_attach

    reused = [
        (row, c.reuse_document_id)
        for row, c in zip(rows, components, strict=True)
        if c.reuse_document_id is not None and not c.upload
    ]
    if reused:
        documents_reuse_attach(actor=actor, dossier=d, items=reused, now=now)
    items = [(row, c.upload) for row, c in zip(rows, components, strict=True) if c.upload]
    if not items:
        return

    at_desk = d.channel == Channel.DIRECT and not lifecycle.is_applicant(actor, d)
    documents_attach(
        actor=actor,
        dossier=d,
        items=items,
        source=Source.DESK if at_desk else Source.NATIONAL_PORTAL,
        kind=DocumentKind.SUPPLEMENT if supplement else DocumentKind.COMPONENT,
        now=now,
    )


# ---------------------------------------------------------------------------------------------
# Acceptance and refusal


def _accept(d: Dossier, actor: User | None, *, now: dt.datetime) -> None:
    """Accept a complete dossier: start the clock, set the appointment, enter the first step."""
    rule = lifecycle.check(Op.ACCEPT, actor, d, Context(now=now))
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
    t = Transition(rule, d, actor, now)
    from_status = d.status
    d.definition = definition
    clocking.start(d, now)
    d.received_at = now
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
            "due_at": d.due_at.isoformat(),
            "definition": definition.pk if definition else None,
            "definition_version": definition.number if definition else None,
            "default_process": definition is None,
        },
    )
    from ..process import spec_of

    spec = spec_of(d)
    first = spec.first
    if first.kind == StepKind.RECEIVE:
        # Reception is the step just done at the desk; go on to what follows it.
        d.step_key = first.key
        d.step_agency = d.receiving_agency
        d.step_started_at = d.submitted_at
        d.step_due_at = None
        next_key = first.next_for(StepAction.FORWARD) if first.allows("forward") else None
        if next_key is None:
            # Settled at the desk: the history (and the national portal, the counts) must see
            # processing end, as after any other last step.
            finish(t, Outcome.GRANTED)
            t.event(
                EventKind.FINISH,
                from_status=Status.ACCEPTED,
                from_step=first.key,
                to_agency=d.step_agency,
                action=StepAction.FORWARD,
                note=_("Processing finished."),
            )
        else:
            nxt = spec.step(next_key)
            enter_step(t, nxt, status=Status.ACCEPTED)
            t.event(
                EventKind.STEP,
                from_status=Status.ACCEPTED,
                from_step=first.key,
                to_step=nxt.key,
                from_agency=d.receiving_agency,
                to_agency=d.step_agency,
                action=StepAction.FORWARD,
                note=_("Transferred to %(unit)s.") % {"unit": d.step_agency.name},
            )
    else:
        enter_step(t, first, status=Status.ACCEPTED)
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
        d = load(dossier.pk)
        check_version(d, expected_version)
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
    with transaction.atomic():
        d, rule = opened(Op.REFUSE, actor, dossier, expected_version, Context(now=now))
        if not reasons:
            raise InvalidInput(
                _("Give the reason for refusing."), errors={"reasons": [_("Give the reason.")]}
            )
        t = Transition(rule, d, actor, now)
        from_status = d.status
        d.status = Status.REFUSED
        d.supplement_phase = ""
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


# ---------------------------------------------------------------------------------------------
# Supplements


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
    with transaction.atomic():
        d, rule = opened(Op.SUPPLEMENT_REQUEST, actor, dossier, expected_version, Context(now=now))
        if not items:
            raise InvalidInput(
                _("List what the applicant must add or correct."),
                errors={"items": [_("List what the applicant must add or correct.")]},
            )
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
        t = Transition(rule, d, actor, now)
        from_status = d.status
        if d.status == Status.SUBMITTED:
            d.supplement_phase = SupplementPhase.RECEPTION
            d.supplements_at_reception += 1
            round_no = d.supplements_at_reception
        else:
            rules = rule_set_get(d.rule_set)
            restart = clocking.restarts_in_full(
                d, now, rules.supplement_restart_within_working_days
            )
            clocking.pause(d, now, restart_on_resume=restart)
            d.supplement_phase = SupplementPhase.PROCESSING
            d.supplements_in_processing += 1
            round_no = d.supplements_in_processing
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
        d, rule = opened(Op.SUPPLEMENT_RECEIVED, actor, dossier, expected_version, Context(now=now))
        t = Transition(rule, d, actor, now)
        data: dict[str, Any] = {"phase": d.supplement_phase}
        if d.supplement_phase == SupplementPhase.RECEPTION:
            d.status = Status.SUBMITTED
            round_no = d.supplements_at_reception
        else:
            data.update(clocking.resume(d, now))
            d.status = Status.PROCESSING
            d.supplement_phase = ""
            round_no = d.supplements_in_processing
        data["round"] = round_no
        rows = DossierComponent.objects.bulk_create(
            DossierComponent(
                dossier=d,
                order=100 + i,
                code=c.code,
                name=c.name,
                originals=c.originals,
                copies=c.copies,
                file_name=c.file_name,
                file_size=c.file_size,
                file_sha256=c.file_sha256,
                file_type=c.file_type,
                supplement_round=round_no,
            )
            for i, c in enumerate(components or [])
        )
        _attach(actor, d, rows, components or [], now, supplement=True)
        t.event(
            EventKind.SUPPLEMENT_RECEIVED,
            from_status=Status.SUPPLEMENT,
            to_step=d.step_key,
            note=note,
            data=data,
        )
        return t.commit(expected_version)
