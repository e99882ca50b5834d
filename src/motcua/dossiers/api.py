"""Dossiers over JSON, at /api/v1/dossiers, and public tracking at /api/v1/tracking.

Every action the officials' pages offer is here, calling the same service with the same
authorization. Each action carries `version`, the dossier version the caller last saw: when
someone else acted first the answer is 409 with code "stale" and nothing is applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from motcua.accounts.models import User
from motcua.catalog.selectors import procedure_get_cached
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import (
    MAX_ROWS,
    AgencyRef,
    AmountVnd,
    Code,
    CommuneCode,
    Cursors,
    ErrorOut,
    Id,
    Moment,
    PositiveInt32,
    PositiveSmallInt,
    SearchText,
    SmallCount,
    Text,
    column,
    list_of,
    paginate,
)
from motcua.organizations.models import Agency
from motcua.organizations.selectors import agency_by_ref

from . import selectors, services
from .constants import TERMINAL
from .documents import dossier_form_pdf, ledger_pdf_for
from .ledger import ledger_check
from .models import Consultation, Dossier, DossierComponent

router = Router(tags=["dossiers"])
tracking_router = Router(tags=["tracking"])


def _agency(ref: AgencyRef, field: str) -> Agency:
    return agency_by_ref(ref, field)


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput(_("Unknown official."), errors={field: [_("Unknown official.")]})
    return user


# Schemas ---------------------------------------------------------------------------------------


class AgencyBrief(Schema):
    id: int
    code: str | None
    name: str


class DossierOut(Schema):
    id: int
    code: str
    external_code: str
    procedure_code: str
    procedure_name: str
    channel: str
    status: str
    status_label: str
    national_status: int
    outcome: str
    applicant_name: str
    applicant_kind: str
    receiving_agency: AgencyBrief
    competent_agency: AgencyBrief
    return_agency: AgencyBrief
    boundary_free: bool
    step_key: str
    step_name: str
    step_agency: AgencyBrief | None
    assignee: str | None
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    step_due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    fee_total_vnd: int
    version: int
    definition_id: int | None
    # deadlines.py in words' keys: "late" | "near" | "" and "missed" | "near" | "".
    step_deadline_state: str = ""
    appointment_state: str = ""

    @staticmethod
    def resolve_step_deadline_state(obj: Dossier) -> str:
        return selectors.deadlines_of(obj, timezone.now()).step

    @staticmethod
    def resolve_appointment_state(obj: Dossier) -> str:
        return selectors.deadlines_of(obj, timezone.now()).appointment

    @staticmethod
    def resolve_procedure_code(obj: Dossier) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_procedure_name(obj: Dossier) -> str:
        return obj.procedure_version.name

    @staticmethod
    def resolve_status_label(obj: Dossier) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_assignee(obj: Dossier) -> str | None:
        return obj.assignee.username if obj.assignee_id else None


class EventOut(Schema):
    seq: int
    at: dt.datetime
    kind: str
    action: str
    actor: str
    from_status: str
    to_status: str
    national_status: int
    from_step: str
    to_step: str
    from_agency: str | None
    to_agency: str | None
    minutes_used: int | None
    step_limit_minutes: int | None
    timeliness: str
    note: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_from_agency(obj) -> str | None:
        return obj.from_agency.name if obj.from_agency_id else None

    @staticmethod
    def resolve_to_agency(obj) -> str | None:
        return obj.to_agency.name if obj.to_agency_id else None


class ApplicantIn(Schema):
    kind: Code = "citizen"
    name: column(Dossier, "applicant_name")
    id_number: column(Dossier, "applicant_id_number")
    phone: column(Dossier, "applicant_phone") = ""
    email: column(Dossier, "applicant_email") = ""
    address: column(Dossier, "applicant_address") = ""
    commune: CommuneCode | None = None


class ComponentInSchema(Schema):
    name: column(DossierComponent, "name")
    code: column(DossierComponent, "code") = ""
    originals: SmallCount = 0
    copies: SmallCount = 0
    file_name: column(DossierComponent, "file_name") = ""


class SubmitIn(Schema):
    procedure: Code
    applicant: ApplicantIn
    components: list_of(ComponentInSchema, MAX_ROWS)
    # "direct" when a desk is given, else "online" (which only the intake identity may use).
    channel: Code | None = None
    desk: AgencyRef | None = None
    form_data: dict[str, Any] = {}
    summary: column(Dossier, "summary") = ""
    sets: PositiveSmallInt = 1
    return_method: Code = "desk"
    external_code: column(Dossier, "external_code") = ""
    accept: bool = False


class VersionIn(Schema):
    version: PositiveInt32


class RefuseIn(VersionIn):
    reasons: list_of(Text)


class SupplementIn(VersionIn):
    items: list_of(Text)
    reason: Text


class SupplementReceivedIn(VersionIn):
    components: list_of(ComponentInSchema, MAX_ROWS) = []
    note: Text = ""


class ActIn(VersionIn):
    action: Code
    note: Text = ""
    next_assignee: column(User, "username") | None = None


class AssignIn(VersionIn):
    assignee: column(User, "username")
    note: Text = ""


class PaymentIn(VersionIn):
    """A financial obligation another authority set by its notice (tax, land levy). The
    procedure's fees are asked with `POST /api/v1/payments/dossiers/{id}/request`, computed
    from the catalog."""

    amount_vnd: AmountVnd
    authority: Text
    notice_number: Text
    note: Text = ""


class ApologyIn(VersionIn):
    reason: Text
    # With its offset (e.g. 2026-03-20T09:00:00+07:00): a naive moment is a 422.
    new_due_at: Moment  # read in UTC, whatever offset ISO admits
    agency_at_fault: AgencyRef | None = None


class ReturnIn(VersionIn):
    method: Code | None = None
    note: Text = ""


class ReasonIn(VersionIn):
    reason: Text


class StopIn(ReasonIn):
    requested_by: Code = "agency"


class AnswerIn(Schema):
    opinion: Text
    agrees: bool = True


class LetterOut(Schema):
    id: int
    sequence: int
    reason: str
    original_due_at: dt.datetime
    new_due_at: dt.datetime
    agency_at_fault: AgencyBrief
    step_key: str
    issued_at: dt.datetime


class MappingOut(Schema):
    status: str
    label: str
    national_code: int
    national_name: str


class TrackIn(Schema):
    code: Code
    factor: Code


class TrackStepOut(Schema):
    at: dt.datetime
    status_name: str
    agency: str


class TrackOut(Schema):
    code: str
    procedure: str
    status_code: int
    status_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    held_by: str
    return_place: str
    steps: list[TrackStepOut]
    # While a supplement is asked for: what to add or correct, and why.
    missing: list[str]
    missing_reason: str


DeskTab = Literal["to_receive", "mine", "to_assign", "near", "late", "to_return"]


# Reads -----------------------------------------------------------------------------------------


@router.get("", response=list[DossierOut])
@paginate(Cursors)
def list_dossiers(
    request: HttpRequest,
    status: Code | None = None,
    agency: Id | None = None,
    mine: bool = False,
    q: SearchText = "",
    closed: bool = False,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    tab: DeskTab | None = None,
    procedure: Code = "",
    field: Id | None = None,
    channel: Literal["direct", "online", "post"] | None = None,
    accepted_from: dt.date | None = None,
    accepted_to: dt.date | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    overdue: bool = False,
):
    """Open dossiers the caller may see, soonest step deadline first; with `closed` (or a
    closed status) the closed ones received from `received_from` to `received_to` (by default
    the last 30 days, at most a year), latest first. Paged by cursor: follow `next`.

    The work desk's filters: `tab` (one of the desk's tabs, `GET /dossiers/desk`), the
    procedure's code, the field's id, the channel, accepted (`accepted_from`/`_to`) and
    appointment (`due_from`/`_to`) days, `overdue` steps only."""
    period = None
    closed = (closed or status in TERMINAL) and not tab
    if closed:
        period = selectors.closed_period(received_from, received_to, today=timezone.localdate())
    return selectors.dossiers_list(
        user=request.user,
        status=status,
        agency_id=agency,
        mine=mine,
        query=q,
        closed=closed,
        period=period,
        tab=tab or "",
        filters=_filters(
            procedure, field, channel, accepted_from, accepted_to, due_from, due_to, overdue
        ),
    )


def _filters(procedure, field, channel, accepted_from, accepted_to, due_from, due_to, overdue):
    procedure_id = None
    if procedure:
        procedure_id = selectors.procedure_id_by_code(procedure)
        if procedure_id is None:
            message = _("No procedure has the code %(code)s.") % {"code": procedure}
            raise InvalidInput(message, errors={"procedure": [message]})
    return selectors.Filters(
        procedure_id=procedure_id,
        field_id=field,
        channel=channel or "",
        received_from=accepted_from,
        received_to=accepted_to,
        due_from=due_from,
        due_to=due_to,
        overdue=overdue,
    )


class TabOut(Schema):
    key: str
    label: str
    count: int
    capped: bool


@router.get("/desk", response=list[TabOut])
def desk(request: HttpRequest):
    """The caller's work desk: its tabs (over every post they hold), each with its live count,
    capped at 1,000 (`capped`: "more than"). List one with `GET /dossiers?tab=…`."""
    return selectors.desk_tabs(user=request.user)


class AssignManyIn(Schema):
    dossier_ids: list[Id] = Field(..., min_length=1, max_length=100)
    assignee: column(User, "username")
    note: Text = ""


class AssignOutcomeOut(Schema):
    dossier_id: int
    code: str
    assigned: bool
    message: str


@router.post("/assign-many", response=list[AssignOutcomeOut])
def assign_many(request: HttpRequest, payload: AssignManyIn):
    """Assign several dossiers to one official: each in its own transaction (one that cannot
    be assigned is reported with its reason, the others are assigned)."""
    return services.dossiers_assign_many(
        actor=request.user,
        dossier_ids=payload.dossier_ids,
        assignee=_user(payload.assignee, "assignee"),
        note=payload.note,
    )


class WarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    dossier_id: int
    dossier_code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    target_at: dt.datetime
    created_at: dt.datetime
    seen_at: dt.datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_dossier_code(obj) -> str:
        return obj.dossier.code

    @staticmethod
    def resolve_procedure_code(obj) -> str:
        return obj.dossier.procedure.code

    @staticmethod
    def resolve_procedure_name(obj) -> str:
        return obj.dossier.procedure.name

    @staticmethod
    def resolve_applicant_name(obj) -> str:
        return obj.dossier.applicant_name


@router.get("/warnings", response=list[WarningOut])
def warnings(request: HttpRequest, all: bool = False):
    """The caller's due warnings (R15), the most urgent first; unread only unless `all`."""
    return list(selectors.warnings_for(request.user, unseen_only=not all)[:200])


@router.post("/warnings/{int:warning_id}/seen", response=WarningOut)
def warning_seen(request: HttpRequest, warning_id: Id):
    warning = services.due_warning_seen(actor=request.user, warning_id=warning_id)
    return selectors.warnings_for(request.user, unseen_only=False).get(pk=warning.pk)


@router.get("/status-mapping", response=list[MappingOut])
def status_mapping(request: HttpRequest):
    """Our statuses and the national portal's code each one is synced as."""
    return selectors.status_mapping()


# Each row costs the PDF renderer about 13 ms: three months of a busy desk ran past gunicorn's
# 30 s worker timeout. A thousand rows print in well under it; longer books are rendered in the
# background (motcua.exports: POST /api/v1/exports, the page /so-theo-doi/).
LEDGER_MAX_DOSSIERS = 1000


@router.get("/ledger.pdf")
def ledger(request: HttpRequest, agency: AgencyRef, start: dt.date, end: dt.date):
    """Sổ theo dõi hồ sơ of a desk for a period (PDF), printed at once for at most
    LEDGER_MAX_DOSSIERS dossiers; a longer one is exported in the background."""
    desk = _agency(agency, "agency")
    ledger_check(request.user, desk, start, end)
    dossiers = selectors.ledger_dossiers(desk=desk, start=start, end=end)
    count = dossiers.count()
    if count > LEDGER_MAX_DOSSIERS:
        message = _(
            "This period holds %(n)s dossiers; a ledger prints at once at most %(max)s. "
            "Export it in the background instead (Sổ theo dõi hồ sơ page, or POST "
            "/api/v1/exports), and download it when it is ready."
        ) % {"n": count, "max": LEDGER_MAX_DOSSIERS}
        raise InvalidInput(message, errors={"end": [message]})
    pdf = ledger_pdf_for(desk, dossiers, start=start, end=end)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-theo-doi-{start}-{end}.pdf"'
    return response


@router.get("/{int:dossier_id}", response=DossierOut)
def get_dossier(request: HttpRequest, dossier_id: Id):
    return selectors.dossier_get(user=request.user, pk=dossier_id)


@router.get("/{int:dossier_id}/history", response=list[EventOut])
def history(request: HttpRequest, dossier_id: Id):
    dossier = selectors.dossier_get(user=request.user, pk=dossier_id)
    return list(selectors.dossier_history(dossier))


@router.get("/{int:dossier_id}/forms/{key}.pdf")
def form(request: HttpRequest, dossier_id: Id, key: Code):
    """A printed form of the dossier: receipt, supplement, refusal, apology, stop,
    control_sheet."""
    dossier = selectors.dossier_get(user=request.user, pk=dossier_id)
    pdf = dossier_form_pdf(dossier, key)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{key}.pdf"'
    return response


# Writes ----------------------------------------------------------------------------------------


def _components(items: list[ComponentInSchema]) -> list[services.ComponentIn]:
    return [services.ComponentIn(**c.dict()) for c in items]


@router.post("", response={201: DossierOut})
def submit(request: HttpRequest, payload: SubmitIn):
    procedure = procedure_get_cached(payload.procedure)
    a = payload.applicant
    dossier = services.dossier_submit(
        actor=request.user,
        procedure=procedure,
        applicant=services.Applicant(
            kind=a.kind,
            name=a.name,
            id_number=a.id_number,
            phone=a.phone,
            email=a.email,
            address=a.address,
            commune_id=a.commune,
        ),
        components=_components(payload.components),
        channel=payload.channel,
        desk=_agency(payload.desk, "desk") if payload.desk is not None else None,
        form_data=payload.form_data,
        summary=payload.summary,
        sets=payload.sets,
        return_method=payload.return_method,
        external_code=payload.external_code,
        accept=payload.accept,
    )
    # The submitter gets the dossier back even when it is routed beyond what they may view.
    return Status(201, dossier)


def _target(request: HttpRequest, dossier_id: Id) -> Dossier:
    return selectors.dossier_get(user=request.user, pk=dossier_id)


def _out(request: HttpRequest, dossier: Dossier) -> Dossier:
    return selectors.dossier_get(user=request.user, pk=dossier.pk)


@router.post("/{int:dossier_id}/accept", response=DossierOut)
def accept(request: HttpRequest, dossier_id: Id, payload: VersionIn):
    d = services.dossier_accept(
        actor=request.user, dossier=_target(request, dossier_id), expected_version=payload.version
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/refuse", response=DossierOut)
def refuse(request: HttpRequest, dossier_id: Id, payload: RefuseIn):
    d = services.dossier_refuse(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        reasons=payload.reasons,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/supplement-request", response=DossierOut)
def supplement_request(request: HttpRequest, dossier_id: Id, payload: SupplementIn):
    d = services.dossier_request_supplement(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        items=payload.items,
        reason=payload.reason,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/supplement-received", response=DossierOut)
def supplement_received(request: HttpRequest, dossier_id: Id, payload: SupplementReceivedIn):
    d = services.dossier_supplement_received(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        components=_components(payload.components),
        note=payload.note,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/act", response=DossierOut)
def act(request: HttpRequest, dossier_id: Id, payload: ActIn):
    d = services.dossier_act(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        action=payload.action,
        note=payload.note,
        next_assignee=_user(payload.next_assignee, "next_assignee"),
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/assign", response=DossierOut)
def assign(request: HttpRequest, dossier_id: Id, payload: AssignIn):
    d = services.dossier_assign(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        assignee=_user(payload.assignee, "assignee"),
        note=payload.note,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/payment-request", response=DossierOut)
def payment_request(request: HttpRequest, dossier_id: Id, payload: PaymentIn):
    """Record a financial obligation set by another authority's notice (tax, land levy): the
    dossier waits in national status 6 and its clock stops. The procedure's own fees are asked
    with `POST /api/v1/payments/dossiers/{dossier_id}/request`, computed from the catalog."""
    d = services.dossier_request_payment(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        amount_vnd=payload.amount_vnd,
        authority=payload.authority,
        notice_number=payload.notice_number,
        note=payload.note,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/payment-received", response=DossierOut)
def payment_received(request: HttpRequest, dossier_id: Id, payload: VersionIn):
    d = services.dossier_payment_received(
        actor=request.user, dossier=_target(request, dossier_id), expected_version=payload.version
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/apology", response={201: LetterOut})
def apology(request: HttpRequest, dossier_id: Id, payload: ApologyIn):
    letter = services.dossier_apology_issue(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        reason=payload.reason,
        new_due_at=payload.new_due_at,
        agency_at_fault=(
            _agency(payload.agency_at_fault, "agency_at_fault")
            if payload.agency_at_fault is not None
            else None
        ),
    )
    return Status(201, letter)


@router.post("/{int:dossier_id}/return", response=DossierOut)
def return_result(request: HttpRequest, dossier_id: Id, payload: ReturnIn):
    d = services.dossier_return(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        method=payload.method,
        note=payload.note,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/withdraw", response=DossierOut)
def withdraw(request: HttpRequest, dossier_id: Id, payload: ReasonIn):
    d = services.dossier_withdraw(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(request, d)


@router.post("/{int:dossier_id}/stop", response=DossierOut)
def stop(request: HttpRequest, dossier_id: Id, payload: StopIn):
    d = services.dossier_stop(
        actor=request.user,
        dossier=_target(request, dossier_id),
        expected_version=payload.version,
        reason=payload.reason,
        requested_by=payload.requested_by,
    )
    return _out(request, d)


@router.post("/consultations/{int:consultation_id}/answer", response=DossierOut)
def answer(request: HttpRequest, consultation_id: Id, payload: AnswerIn):
    consultation = Consultation.objects.select_related("unit").filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFound(_("Consultation not found."))
    d = services.dossier_consult_answer(
        actor=request.user,
        consultation=consultation,
        opinion=payload.opinion,
        agrees=payload.agrees,
    )
    return _out(request, d)


# Public tracking -------------------------------------------------------------------------------


@tracking_router.post("", response={200: TrackOut, 429: ErrorOut}, auth=None)
def track(request: HttpRequest, payload: TrackIn):
    """Track a dossier by its code and the applicant's phone or identity number.

    A wrong second factor and an unknown code both answer 404; nothing else is revealed. Too
    many look-ups from one address, or wrong ones of one code, answer 429."""
    from motcua.portal.tracking import tracking_lookup

    return tracking_lookup(request, payload.code, payload.factor)
