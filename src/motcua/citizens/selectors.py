"""Reads of the citizens' side: "Hồ sơ của tôi" — every dossier naming the logged-in citizen's
identity number (an organization's code) as its applicant, whatever its channel (at a desk,
online, migrated), with what the applicant may know of it.

What is shown follows the public tracking page (`dossiers.selectors.dossier_track`): the
national status names, the agencies, the times — never who acted nor the officials' notes.
What is asked of the applicant is the text addressed to them: the items and reason of the
supplement request (the slip they receive, Mẫu 02), the amount of a financial obligation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import NotAllowed, NotFound
from motcua.dossiers import lifecycle
from motcua.dossiers.constants import NATIONAL_STATUS_NAMES, EventKind, PaymentBasis, Status
from motcua.dossiers.lifecycle import Op
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import TrackingStep, public_steps
from motcua.feedback.constants import RATABLE
from motcua.feedback.models import Rating

from .models import CitizenAccount

# A page of "Hồ sơ của tôi": a person has a few dossiers a year; an enterprise may have more.
PAGE = 50
# Closed without an appointment to keep: refused at reception, withdrawn, stopped.
_NO_APPOINTMENT = {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}


def citizen_account(user: User | None) -> CitizenAccount:
    """The VNeID account of the logged-in user; NotAllowed for anyone else (an official, a
    system account, an anonymous visitor)."""
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANIZATION)
    ):
        raise NotAllowed(_("This page is for citizens and organizations logged in with VNeID."))
    account = getattr(user, "citizen_account", None)
    if account is None:
        raise NotAllowed(_("This page is for citizens and organizations logged in with VNeID."))
    return account


def _mine(account: CitizenAccount) -> QuerySet[Dossier]:
    # Equality on the applicant's identity number: its index (dossier.applicant_id_number).
    return Dossier.objects.filter(
        applicant_id_number=account.number, applicant_kind=account.kind, is_sandbox=False
    )


def public_appointment(d: Dossier) -> dt.datetime | None:
    """The appointment the applicant may rely on: only once the dossier is accepted (the
    receipt's date; before, the provisional one is no promise) and while it means something."""
    if d.received_at is None or d.status in _NO_APPOINTMENT:
        return None
    return d.due_at


@dataclass(frozen=True)
class MyDossierRow:
    id: int
    code: str
    procedure: str
    channel: str
    channel_label: str
    status_code: int
    status_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment: dt.datetime | None
    finished_at: dt.datetime | None
    needs_action: bool


def row(d: Dossier) -> MyDossierRow:
    return MyDossierRow(
        id=d.pk,
        code=d.code,
        procedure=d.procedure_version.name,
        channel=d.channel,
        channel_label=str(d.get_channel_display()),
        status_code=d.national_status,
        status_name=NATIONAL_STATUS_NAMES[d.national_status],
        submitted_at=d.submitted_at,
        received_at=d.received_at,
        appointment=public_appointment(d),
        finished_at=d.finished_at,
        needs_action=d.status in (Status.SUPPLEMENT, Status.AWAITING_PAYMENT),
    )


def my_dossiers_queryset(*, user: User) -> QuerySet[Dossier]:
    """The citizen's dossiers, latest first (the API pages it by cursor)."""
    account = citizen_account(user)
    return (
        _mine(account)
        .select_related("procedure_version")
        .only(
            "code",
            "channel",
            "status",
            "national_status",
            "submitted_at",
            "received_at",
            "due_at",
            "finished_at",
            "procedure_version__name",
        )
        .order_by("-submitted_at", "-pk")
    )


def my_dossiers(*, user: User, page: int = 1) -> tuple[list[MyDossierRow], bool]:
    """The citizen's dossiers, latest first, a page at a time; and whether more follow."""
    page = max(page, 1)
    start = (page - 1) * PAGE
    dossiers = list(my_dossiers_queryset(user=user)[start : start + PAGE + 1])
    return [row(d) for d in dossiers[:PAGE]], len(dossiers) > PAGE


def my_dossier_get(*, user: User, code: str) -> Dossier:
    """One of the citizen's dossiers; "not found" for anyone else's (STYLE rule 3)."""
    account = citizen_account(user)
    d = (
        _mine(account)
        .select_related("procedure_version", "receiving_agency", "return_agency", "step_agency")
        .defer("procedure_version__document")
        .filter(code=code.strip())
        .first()
    )
    if d is None:
        raise NotFound(_("Dossier not found."))
    return d


@dataclass(frozen=True)
class Request:
    """What the agency asks of the applicant now."""

    kind: str  # "supplement" | "payment"
    at: dt.datetime
    items: list[str] = field(default_factory=list)
    reason: str = ""
    amount_vnd: int | None = None
    # A payment: the procedure's fees ("fees", paid online when `payable_online`) or another
    # authority's notice ("notice": tax, land levy, paid to that authority).
    basis: str = ""
    authority: str = ""
    notice_number: str = ""
    payable_online: bool = False


@dataclass(frozen=True)
class MyDossier:
    row: MyDossierRow
    version: int
    applicant_name: str
    received_by: str
    held_by: str
    return_place: str
    fee_total_vnd: int
    components: list[str]
    timeline: list[TrackingStep]
    request: Request | None
    may_withdraw: bool
    closed_reason: str
    # The satisfaction rating: the one given (its level's label), or whether it may be given.
    rating: str = ""
    may_rate: bool = False
    # Whether the applicant may answer the supplement request online now (the lifecycle's
    # `Op.SUPPLEMENT_RECEIVED` by the applicant): "Nộp bổ sung trực tuyến".
    may_supplement: bool = False
    # The signed result handed over at return (dossiers/services/results.py).
    result: MyResult | None = None
    # The forms addressed to the applicant, and the receipts of fees paid online.
    notices: list[MyNotice] = field(default_factory=list)
    receipts: list[MyReceipt] = field(default_factory=list)


@dataclass(frozen=True)
class MyNotice:
    """A printed form the agency addressed to the applicant (receipt and appointment,
    supplement request, refusal, apology letter, stop notice), to download as PDF."""

    key: str
    title: str


@dataclass(frozen=True)
class MyReceipt:
    """The electronic receipt (biên lai điện tử) of a fee paid online."""

    payment_id: int
    number: str
    amount_vnd: int
    paid_at: dt.datetime


# The forms addressed to the applicant; the control sheet is the agencies' own record.
APPLICANT_FORMS = ("receipt", "supplement", "refusal", "apology", "stop")


def _notices(d: Dossier, events: list[DossierEvent]) -> list[MyNotice]:
    from motcua.dossiers.selectors import dossier_forms
    from motcua.printing.forms import FormNotAvailable, form_for

    received_on = d.received_at or d.submitted_at
    notices = []
    for key in dossier_forms(d, events):
        if key not in APPLICANT_FORMS:
            continue
        try:
            notices.append(MyNotice(key, form_for(key, received_on).title))
        except FormNotAvailable:
            continue
    return notices


def _receipts(d: Dossier) -> list[MyReceipt]:
    from motcua.payments.models import Payment

    paid = Payment.objects.filter(dossier_id=d.pk, paid_at__isnull=False).order_by("paid_at")
    return [MyReceipt(p.pk, p.receipt_number, p.amount_vnd, p.paid_at) for p in paid]


def my_notice_pdf(*, user: User, code: str, key: str) -> tuple[bytes, str]:
    """One of the forms addressed to the applicant of one of their dossiers, as PDF, with its
    file name; "not found" for another person's dossier or a form that does not apply."""
    from motcua.dossiers.documents import dossier_form_pdf

    d = my_dossier_get(user=user, code=code)
    events = list(DossierEvent.objects.filter(dossier_id=d.pk).only("kind"))
    if key not in {n.key for n in _notices(d, events)}:
        raise NotFound(_("There is no such form."))
    return dossier_form_pdf(d, key), f"{key}-{d.code}.pdf"


@dataclass(frozen=True)
class MyResult:
    """The signed result file the citizen downloads once it is returned."""

    document_id: int
    name: str
    size: int
    sha256: str
    signed_at: dt.datetime


def _result(d: Dossier):
    """The signed result in force, once returned (a result is handed over at return)."""
    from motcua.dossiers.services.results import result_current

    if d.status != Status.RETURNED:
        return None
    return result_current(d)


def my_result_get(*, user: User, code: str):
    """The signed result of one of the citizen's returned dossiers (a Document); "not found"
    when it is not theirs, not returned, or has no result file."""
    document = _result(my_dossier_get(user=user, code=code))
    if document is None:
        raise NotFound(_("This dossier has no result file to download."))
    return document


def _request(d: Dossier) -> Request | None:
    if d.status == Status.SUPPLEMENT:
        kind = EventKind.SUPPLEMENT_REQUEST
    elif d.status == Status.AWAITING_PAYMENT:
        kind = EventKind.PAYMENT_REQUEST
    else:
        return None
    event = (
        DossierEvent.objects.filter(dossier_id=d.pk, kind=kind)
        .only("at", "seq", "data")
        .order_by("-seq")
        .first()
    )
    if event is None:
        return None
    data = event.data or {}
    if kind == EventKind.SUPPLEMENT_REQUEST:
        return Request(
            "supplement",
            event.at,
            items=[str(i) for i in data.get("items") or []],
            reason=str(data.get("reason") or ""),
        )
    from motcua.payments.models import Payment

    amount = data.get("amount_vnd")
    payable = Payment.objects.filter(
        dossier_id=d.pk, obligation_seq=event.seq, paid_at__isnull=True
    ).exists()
    return Request(
        "payment",
        event.at,
        amount_vnd=int(amount) if amount is not None else None,
        basis=str(data.get("basis") or (PaymentBasis.FEES if payable else PaymentBasis.NOTICE)),
        authority=str(data.get("authority") or ""),
        notice_number=str(data.get("notice_number") or ""),
        payable_online=payable,
    )


def supplement_asked(d: Dossier) -> Request | None:
    """The supplement request the dossier waits on (its items and reason), or None when it
    waits for none."""
    asked = _request(d)
    return asked if asked is not None and asked.kind == "supplement" else None


def my_dossier(*, user: User, code: str) -> MyDossier:
    """One dossier as its applicant sees it: status, appointment once accepted, the public
    timeline, what is asked of them, and whether they may withdraw it now (the lifecycle's
    own rule, `Op.WITHDRAW` by the applicant)."""
    d = my_dossier_get(user=user, code=code)
    events = list(
        DossierEvent.objects.filter(dossier_id=d.pk)
        .select_related("to_agency")
        .only("at", "kind", "national_status", "to_agency__name")
        .order_by("seq")
    )
    timeline = public_steps(
        (e.at, e.national_status, e.to_agency.name if e.to_agency_id else "") for e in events
    )
    rating = Rating.objects.filter(dossier_id=d.pk).only("level").first()
    # Withdrawn, refused or stopped: the applicant's own words or the agency's reasons to them.
    closed_reason = d.closed_reason if d.status in _NO_APPOINTMENT else ""
    return MyDossier(
        row=row(d),
        version=d.version,
        applicant_name=d.applicant_name,
        received_by=d.receiving_agency.name,
        held_by=d.step_agency.name if d.step_agency_id and d.status not in _NO_APPOINTMENT else "",
        return_place=d.return_agency.name,
        fee_total_vnd=d.fee_total_vnd,
        components=list(d.components.order_by("order", "pk").values_list("name", flat=True)),
        timeline=timeline,
        request=_request(d),
        may_withdraw=lifecycle.allowed(Op.WITHDRAW, user, d),
        closed_reason=closed_reason,
        rating=rating.get_level_display() if rating else "",
        may_rate=rating is None and d.status in RATABLE,
        may_supplement=lifecycle.allowed(Op.SUPPLEMENT_RECEIVED, user, d),
        result=_my_result(d),
        notices=_notices(d, events),
        receipts=_receipts(d),
    )


def _my_result(d: Dossier) -> MyResult | None:
    document = _result(d)
    if document is None:
        return None
    return MyResult(
        document.pk, document.original_name, document.size, document.sha256, document.uploaded_at
    )
