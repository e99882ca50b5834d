"""Online payments over JSON, mounted at /api/v1/payments: the same services as the pages.

- Officials (session): compute the fees, ask for them, list a dossier's payments, check one
  again with the platform, download our receipt and the platform's, refund, reconcile.
- The applicant (VNeID session, or the tracking page's code + identity number): start paying.
- The platform: `POST /ipn`, its confirmation, unauthenticated but verified by its checksum;
  it always answers 200 with the §4.3 body (`MaLoi` "00" or "99").
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from motcua.core.proxies import client_address
from motcua.core.schemas import AmountVnd, Code, ErrorOut, Id, PositiveInt32, Text

from . import reconciliation, selectors, services
from .fees import MAX_QUANTITY
from .receipts import receipt_pdf

router = Router(tags=["payments"])
PLATFORM = {503: ErrorOut}
ExemptionKey = Annotated[str, StringConstraints(max_length=60)]
Amount = Annotated[AmountVnd, Field(ge=1)]  # strict whole đồng, at least 1


class QuantityIn(Schema):
    fee_id: Id
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class FeesIn(Schema):
    exemptions: list[ExemptionKey] = Field(default_factory=list, max_length=20)
    quantities: list[QuantityIn] = Field(default_factory=list, max_length=100)


class FeeLineOut(Schema):
    fee_id: int
    kind: str
    name: str
    unit: str
    quantity: int
    unit_amount_vnd: int
    list_amount_vnd: int
    reduction_basis: str
    exemption: str
    exemption_basis: str
    waived_vnd: int
    amount_vnd: int


class FeesOut(Schema):
    lines: list[FeeLineOut]
    total_vnd: int
    unpriced: list[str]
    exemptions: list[str]


class RequestIn(FeesIn):
    version: PositiveInt32
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class RefundOut(Schema):
    id: int
    amount_vnd: int
    reason: str
    status: str
    platform_ref: str
    error: str
    requested_at: dt.datetime
    done_at: dt.datetime | None


class PaymentOut(Schema):
    id: int
    dossier_code: str
    reference: str
    amount_vnd: int
    currency: str
    status: str
    lines: list[FeeLineOut]
    exemptions: list[str]
    transaction_id: str
    bank: str
    paid_at: dt.datetime | None
    receipt_number: str
    refunded_vnd: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    checked_at: dt.datetime | None
    refunds: list[RefundOut]

    @staticmethod
    def resolve_dossier_code(obj) -> str:
        return obj.dossier.code

    @staticmethod
    def resolve_refunds(obj) -> list:
        return list(obj.refunds.all())


class StartOut(Schema):
    reference: str
    amount_vnd: int
    pay_url: str


class PublicStartIn(Schema):
    code: Code
    factor: Annotated[str, StringConstraints(max_length=20)]


class RefundIn(Schema):
    amount_vnd: Amount
    reason: Text


class ReconcileIn(Schema):
    day: dt.date


class DifferenceOut(Schema):
    reference: str
    kind: str
    ours: str
    platform: str


class ReconciliationOut(Schema):
    id: int
    day: dt.date
    state: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ours: int
    theirs: int
    matching: int
    differing: int
    error: str
    differences: list[DifferenceOut]

    @staticmethod
    def resolve_differences(obj) -> list:
        return list(obj.differences.all())


class ConfirmAnswerOut(Schema):
    MaLoi: str
    MoTaLoi: str
    MaDoiTac: str
    MaThamChieu: str
    ThoiGianGD: str
    MaXacThuc: str


def _start_out(p) -> StartOut:
    return StartOut(reference=p.reference, amount_vnd=p.amount_vnd, pay_url=p.pay_url)


@router.post("/dossiers/{int:dossier_id}/fees", response=FeesOut)
def fees(request: HttpRequest, dossier_id: Id, payload: FeesIn):
    """Compute a dossier's fees with the exemptions and quantities given (nothing is written)."""
    d = selectors.dossier_for_official(actor=request.user, dossier_id=dossier_id)
    return services.fees_for(
        actor=request.user,
        dossier=d,
        exemptions=payload.exemptions,
        quantities={q.fee_id: q.quantity for q in payload.quantities},
    )


@router.post("/dossiers/{int:dossier_id}/request", response={201: PaymentOut})
def request_payment(request: HttpRequest, dossier_id: Id, payload: RequestIn):
    """Ask the applicant for the computed fees: the dossier waits in national status 6."""
    d = selectors.dossier_for_official(actor=request.user, dossier_id=dossier_id)
    p = services.payment_request(
        actor=request.user,
        dossier=d,
        expected_version=payload.version,
        exemptions=payload.exemptions,
        quantities={q.fee_id: q.quantity for q in payload.quantities},
        note=payload.note,
    )
    return Status(201, p)


@router.get("/dossiers/{int:dossier_id}", response=list[PaymentOut])
def dossier_payments(request: HttpRequest, dossier_id: Id):
    d = selectors.dossier_for_official(actor=request.user, dossier_id=dossier_id)
    return list(selectors.payments_of(actor=request.user, dossier=d))


@router.post("/mine/{code}/start", response={200: StartOut, **PLATFORM})
def start_mine(request: HttpRequest, code: Code):
    """The logged-in applicant starts paying: send the browser to `pay_url`."""
    from motcua.citizens.selectors import my_dossier_get

    d = my_dossier_get(user=request.user, code=code)
    p = services.payment_start(actor=request.user, dossier=d, ip=client_address(request))
    return _start_out(p)


@router.post("/tracking/start", response={200: StartOut, 429: ErrorOut, **PLATFORM}, auth=None)
def start_public(request: HttpRequest, payload: PublicStartIn):
    """The applicant starts paying with the dossier code and their identity number (or phone),
    under the public tracking's limits (a wrong pair answers 404; too many, 429)."""
    from motcua.portal.tracking import tracking_guard

    p = tracking_guard(
        request,
        payload.code,
        lambda: services.payment_start_public(
            code=payload.code, factor=payload.factor, ip=client_address(request)
        ),
    )
    return _start_out(p)


@router.post(
    "/ipn",
    response={200: ConfirmAnswerOut},
    auth=None,
    summary="The payment platform's confirmation (IPN)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def ipn(request: HttpRequest):
    """Xác nhận giao dịch (DOMAIN-integration.md §4.3), verified by its MaXacThuc; a replayed
    or forged confirmation changes nothing and is logged."""
    body: Any
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        body = None
    return services.payment_confirm(body=body).answer


@router.post("/{int:payment_id}/check", response={200: PaymentOut, **PLATFORM})
def check(request: HttpRequest, payment_id: Id):
    """ "Kiểm tra lại": ask the platform about the payment and record its answer."""
    p = selectors.payment_get(actor=request.user, payment_id=payment_id)
    return services.payment_check(actor=request.user, payment=p)


@router.get("/{int:payment_id}/receipt.pdf")
def receipt(request: HttpRequest, payment_id: Id):
    """Our electronic receipt (biên lai điện tử) of a paid payment."""
    p = selectors.payment_get(actor=request.user, payment_id=payment_id)
    response = HttpResponse(receipt_pdf(actor=request.user, payment=p), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{p.receipt_number}.pdf"'
    return response


@router.get("/{int:payment_id}/platform-receipt.pdf", response={200: None, **PLATFORM})
def platform_receipt(request: HttpRequest, payment_id: Id):
    """The payment platform's own receipt, fetched from it."""
    p = selectors.payment_get(actor=request.user, payment_id=payment_id)
    pdf = services.payment_platform_receipt(actor=request.user, payment=p)
    response = HttpResponse(pdf, "application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-nen-tang-{p.reference}.pdf"'
    return response


@router.post("/{int:payment_id}/refunds", response={201: RefundOut, **PLATFORM})
def refund(request: HttpRequest, payment_id: Id, payload: RefundIn):
    """Refund part or all of a paid payment (the competent agency's leadership; reason
    required). The platform's refund API is UNCONFIRMED (our simulator's design)."""
    p = selectors.payment_get(actor=request.user, payment_id=payment_id)
    r = services.payment_refund(
        actor=request.user, payment=p, amount_vnd=payload.amount_vnd, reason=payload.reason
    )
    return Status(201, r)


@router.post("/reconciliations", response={201: ReconciliationOut})
def reconcile(request: HttpRequest, payload: ReconcileIn):
    """Compare our payments of a day with the platform's list (`system.operate`); a platform
    that does not answer gives a run in state "failed"."""
    run = reconciliation.payments_reconcile(day=payload.day, actor=request.user)
    return Status(201, run)


@router.get("/reconciliations", response=list[ReconciliationOut])
def reconciliations(request: HttpRequest):
    return selectors.reconciliation_list(actor=request.user)


@router.get("/reconciliations/{int:run_id}", response=ReconciliationOut)
def reconciliation_one(request: HttpRequest, run_id: Id):
    return selectors.reconciliation_get(actor=request.user, run_id=run_id)
