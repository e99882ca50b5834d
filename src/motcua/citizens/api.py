"""The citizen's own dossiers over JSON, at /api/v1/me (session of a VNeID login).

The same selectors and service as the pages: an official's or a system account's session is
refused (403), another person's dossier answers 404, a withdrawal and an online supplement
carry `version`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints

from motcua.core.errors import InvalidInput
from motcua.core.schemas import Code, Cursors, PositiveInt32, Text, paginate
from motcua.documents.api import WarehouseItemOut
from motcua.documents.warehouse import my_warehouse as my_warehouse_list
from motcua.dossiers import services as dossier_services
from motcua.feedback.api import CriterionIn, LevelIn
from motcua.feedback.constants import COMMENT_MAX, Source
from motcua.feedback.services import rating_submit

from . import selectors, services
from .selectors import APPLICANT_FORMS

router = Router(tags=["citizens"])


class CitizenIdentityOut(Schema):
    kind: str
    number: str
    name: str
    birth_date: str
    address: str
    representative_name: str
    ial: str


class MyDossierBase(Schema):
    code: str
    procedure: str
    channel: str
    status_code: int
    status_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment: dt.datetime | None
    finished_at: dt.datetime | None
    needs_action: bool


class MyDossierOut(MyDossierBase):
    """A row of the list, read from the dossier the cursor page holds."""

    @staticmethod
    def resolve_procedure(obj) -> str:
        return obj.procedure_version.name

    @staticmethod
    def resolve_status_code(obj) -> int:
        return obj.national_status

    @staticmethod
    def resolve_status_name(obj) -> str:
        return selectors.row(obj).status_name

    @staticmethod
    def resolve_appointment(obj) -> dt.datetime | None:
        return selectors.public_appointment(obj)

    @staticmethod
    def resolve_needs_action(obj) -> bool:
        return selectors.row(obj).needs_action


class MyDossierStepOut(Schema):
    at: dt.datetime
    status_name: str
    agency: str


class MyDossierRequestOut(Schema):
    """What the agency asks of the applicant: a supplement (`items`, `reason`) or a payment
    (`amount_vnd`; `basis` "fees": the procedure's fees, paid online with
    `POST /api/v1/payments/mine/{code}/start` while `payable_online`; "notice": an amount
    another authority set by its notice `notice_number`, paid to that `authority`)."""

    kind: str
    at: dt.datetime
    items: list[str]
    reason: str
    amount_vnd: int | None
    basis: str
    authority: str
    notice_number: str
    payable_online: bool


class MyResultOut(Schema):
    """The signed result, once returned: download it at `/dossiers/{code}/result`."""

    document_id: int
    name: str
    size: int
    sha256: str
    signed_at: dt.datetime


class MyNoticeOut(Schema):
    """A form addressed to the applicant: download it at `/dossiers/{code}/forms/{key}.pdf`."""

    key: str
    title: str


class MyReceiptOut(Schema):
    """The electronic receipt of a fee paid online: `/api/v1/payments/{payment_id}/receipt.pdf`."""

    payment_id: int
    number: str
    amount_vnd: int
    paid_at: dt.datetime


class MyDossierDetailOut(MyDossierBase):
    version: int
    applicant_name: str
    received_by: str
    held_by: str
    return_place: str
    fee_total_vnd: int
    components: list[str]
    timeline: list[MyDossierStepOut]
    request: MyDossierRequestOut | None
    may_withdraw: bool
    closed_reason: str
    # The rating given (its level, in words), or whether one may be given now.
    rating: str
    may_rate: bool
    # Whether the supplement request may be answered online now (POST …/supplement).
    may_supplement: bool
    result: MyResultOut | None
    notices: list[MyNoticeOut]
    receipts: list[MyReceiptOut]


class MyDossierRatingIn(Schema):
    level: LevelIn
    marks: dict[CriterionIn, LevelIn] = Field(default_factory=dict)
    comment: Annotated[str, StringConstraints(max_length=COMMENT_MAX)] = ""


class MySupplementIn(Schema):
    version: PositiveInt32
    # For each file of `files`, in the same order: the number (from 1) of the request's item
    # (`request.items`) it answers.
    items: list[PositiveInt32]
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class MyDossierWithdrawIn(Schema):
    version: PositiveInt32
    reason: Text


def _detail(view: selectors.MyDossier) -> dict:
    return {
        **view.row.__dict__,
        "version": view.version,
        "applicant_name": view.applicant_name,
        "received_by": view.received_by,
        "held_by": view.held_by,
        "return_place": view.return_place,
        "fee_total_vnd": view.fee_total_vnd,
        "components": view.components,
        "timeline": [s.__dict__ for s in view.timeline],
        "request": view.request.__dict__ if view.request else None,
        "may_withdraw": view.may_withdraw,
        "closed_reason": view.closed_reason,
        "rating": view.rating,
        "may_rate": view.may_rate,
        "may_supplement": view.may_supplement,
        "result": view.result.__dict__ if view.result else None,
        "notices": [n.__dict__ for n in view.notices],
        "receipts": [r.__dict__ for r in view.receipts],
    }


@router.get("/identity", response=CitizenIdentityOut)
def me(request: HttpRequest):
    """Who is logged in (VNeID): the identity the dossiers are matched by."""
    return selectors.citizen_account(request.user)


@router.get("/warehouse", response=list[WarehouseItemOut])
def my_warehouse(request: HttpRequest):
    """Kho dữ liệu của tôi: the citizen's (organization's) digitized papers, results and
    certified copies in force, newest first; `expired` marks a validity that has ended. Each
    file downloads from /api/v1/documents/{id}/content (audited)."""
    return my_warehouse_list(user=request.user)


@router.get("/dossiers", response=list[MyDossierOut])
@paginate(Cursors)
def my_dossiers(request: HttpRequest):
    """Every dossier naming the citizen's identity number as its applicant, latest first."""
    return selectors.my_dossiers_queryset(user=request.user)


@router.get("/dossiers/{code}", response=MyDossierDetailOut)
def my_dossier(request: HttpRequest, code: Code):
    """One of the citizen's dossiers: status, appointment once accepted, the public timeline,
    what is asked of them, whether they may withdraw it now."""
    return _detail(selectors.my_dossier(user=request.user, code=code))


@router.get("/dossiers/{code}/result")
def my_result(request: HttpRequest, code: Code):
    """The signed result of the citizen's returned dossier (a PAdES-signed PDF, verifiable at
    the public verification page); 404 before return, without a result file, or for another
    person's dossier. Every read is audited."""
    from motcua.documents.selectors import document_open
    from motcua.documents.views import file_response

    document = selectors.my_result_get(user=request.user, code=code)
    return file_response(document_open(user=request.user, document=document))


@router.get("/dossiers/{code}/forms/{key}.pdf")
def my_notice(request: HttpRequest, code: Code, key: Literal[APPLICANT_FORMS]):
    """A form the agency addressed to the applicant about this dossier, as PDF: `receipt`
    (giấy tiếp nhận và hẹn trả kết quả), `supplement`, `refusal`, `apology`, `stop`; 404 when
    it does not apply to the dossier (see `notices` in the dossier) or for another person's."""
    pdf, name = selectors.my_notice_pdf(user=request.user, code=code, key=key)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/dossiers/{code}/withdraw", response=MyDossierDetailOut)
def withdraw(request: HttpRequest, code: Code, payload: MyDossierWithdrawIn):
    """Withdraw the dossier (national status 7) while the lifecycle allows the applicant to."""
    d = selectors.my_dossier_get(user=request.user, code=code)
    dossier_services.dossier_withdraw(
        actor=request.user, dossier=d, expected_version=payload.version, reason=payload.reason
    )
    return _detail(selectors.my_dossier(user=request.user, code=code))


@router.post("/dossiers/{code}/rating", response=MyDossierDetailOut)
def rate(request: HttpRequest, code: Code, payload: MyDossierRatingIn):
    """Rate the handling of an ended dossier, once, as its applicant (the identity number the
    identity provider verified); sent to the national portal."""
    account = selectors.citizen_account(request.user)
    rating_submit(
        code=code,
        identity_number=account.number,
        level=payload.level,
        marks={str(k): str(v) for k, v in payload.marks.items()},
        comment=payload.comment,
        source=Source.ACCOUNT,
        actor=request.user,
    )
    return _detail(selectors.my_dossier(user=request.user, code=code))


@router.post("/dossiers/{code}/supplement", response=MyDossierDetailOut)
def supplement(
    request: HttpRequest,
    code: Code,
    fields: Form[MySupplementIn],
    files: File[list[UploadedFile]],
):
    """Nộp bổ sung trực tuyến: answer the supplement request with the papers it asks for
    (multipart: `files`, and `items` giving for each file the item it answers). Every file is
    checked by its content; any refusal answers 422 with every message (`errors.item_<n>`)
    and nothing is stored. Then the dossier goes back to the desk (a supplement at reception)
    or to processing, as when the national portal re-delivers it; 409 when the dossier is not
    waiting for a supplement (`not_awaiting_supplement`) or changed meanwhile (`stale`)."""
    if len(fields.items) != len(files):
        message = _("Give, for each file, the number of the item it answers.")
        raise InvalidInput(message, errors={"items": [message]})
    services.my_supplement_submit(
        actor=request.user,
        code=code,
        expected_version=fields.version,
        files=[
            services.SupplementFile(item=n, upload=f, name=f.name or "")
            for n, f in zip(fields.items, files, strict=True)
        ],
        note=fields.note,
    )
    return _detail(selectors.my_dossier(user=request.user, code=code))
