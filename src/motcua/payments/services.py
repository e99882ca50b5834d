"""Every write of the payments app (R11; DOMAIN-integration.md §4).

The flow: an official asks for the fees (`payment_request`: the dossier goes to "awaiting the
financial obligation", national status 6, through the dossier's own service) → the applicant
starts paying (`payment_start`: INIT to the platform, the browser is sent to its page) → the
browser comes back (`payment_return`: logged, never final) → the platform confirms server to
server (`payment_confirm`, the IPN: checksum, amount, currency, reference and dossier verified,
idempotent) and the dossier leaves status 6 through `dossier_payment_received` as the platform's
system account. A confirmation that never came is recovered by the status check
(`payment_check`, `payments_check_pending`).

Calls to the platform are made outside database transactions (a slow platform must not hold
locks); what they return is written in the transaction that follows, with the message log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.adapters.payment_platform import (
    GatewayError,
    PaymentPlatformClient,
    client_from_settings,
)
from motcua.adapters.payment_platform import protocol as p
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from motcua.dossiers import lifecycle
from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.lifecycle import Context, Op
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.process import unit_scope
from motcua.dossiers.services import dossier_payment_received, dossier_request_fees

from .constants import RETRYABLE, Direction, MessageKind, Outcome, PaymentStatus, RefundStatus
from .fees import FeeComputation, fees_compute
from .models import Payment, PaymentMessage, Refund

# LoaiPhiLePhi of ThongTinBienLai.PhiLePhi[] per catalog FeeKind (UNCONFIRMED codes: OCPS
# sends one "phí" line and one "lệ phí" line; the code values are not public).
FEE_KIND_CODES = {"fee": "1", "charge": "2", "other": "3"}


class PlatformError(DomainError):
    """The payment platform did not answer, or refused (its message says which)."""

    status = 503
    code = "platform_unavailable"


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation did, and the answer the platform gets."""

    outcome: str
    answer: dict[str, Any]
    payment: Payment | None


# ---------------------------------------------------------------------------------------------
# Who


def platform_account() -> User:
    """The payment platform's system identity (settings.PAYMENT_PLATFORM_ACCOUNT), created the
    first time it is needed: no password, no grants; the lifecycle lets exactly this account
    record a payment (dossiers/lifecycle.py `PaymentPlatform`)."""
    user, _created = User.objects.get_or_create(
        username=settings.PAYMENT_PLATFORM_ACCOUNT,
        defaults={
            "kind": User.Kind.SYSTEM,
            "full_name": "Nền tảng thanh toán trên Cổng DVC quốc gia",
            "is_active": True,
        },
    )
    if user.kind != User.Kind.SYSTEM or not user.is_active:
        raise NotAllowed(_("The payment platform's account is not a working system account."))
    return user


def may_view(actor: User | None, d: Dossier) -> bool:
    """An official who may see the dossier, or its applicant."""
    return actor is not None and (
        can(actor, Action.DOSSIER_VIEW, d) or lifecycle.is_applicant(actor, d)
    )


def may_refund(actor: User | None, d: Dossier) -> bool:
    """Refunds are decided by the competent agency's leadership (the approving permission)."""
    return actor is not None and can(
        actor, Action.DOSSIER_APPROVE, unit_scope(d.procedure, d.competent_agency)
    )


def _require_view(actor: User | None, d: Dossier) -> None:
    if not may_view(actor, d):
        raise NotFound(_("Dossier not found."))


# ---------------------------------------------------------------------------------------------
# Fees and the request


def fees_for(
    *,
    actor: User,
    dossier: Dossier,
    exemptions: Sequence[str] = (),
    quantities: Mapping[int, int] | None = None,
) -> FeeComputation:
    """The fees of a dossier as an official would ask for them (a read, permission-checked)."""
    if actor is None or not can(actor, Action.DOSSIER_VIEW, dossier):
        raise NotFound(_("Dossier not found."))
    return fees_compute(dossier=dossier, exemptions=exemptions, quantities=quantities)


def _new_reference(now: dt.datetime) -> str:
    # ≤ 20 characters (OCPS cuts its references to 20): MC + yymmdd + 12 hex.
    return "MC" + now.astimezone(p.TZ).strftime("%y%m%d") + secrets.token_hex(6).upper()


def payment_request(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    exemptions: Sequence[str] = (),
    quantities: Mapping[int, int] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """Ask the applicant for the fees computed from the catalog (fees.py), through the
    dossier's own service: the dossier waits in national status 6 and its clock stops."""
    now = now or timezone.now()
    lifecycle.check(Op.PAYMENT_REQUEST, actor, dossier, Context(now=now))
    computed = fees_compute(dossier=dossier, exemptions=exemptions, quantities=quantities)
    if computed.unpriced:
        message = _("The catalog gives no amount for: %(names)s. Set it in the catalog first.") % {
            "names": "; ".join(computed.unpriced)
        }
        raise InvalidInput(message, errors={"fees": [message]})
    if computed.total_vnd <= 0:
        message = _("Nothing to pay: the procedure has no fee, or every fee is waived.")
        raise InvalidInput(message, errors={"fees": [message]})
    reference = _new_reference(now)
    with transaction.atomic():
        d = dossier_request_fees(
            actor=actor,
            dossier=dossier,
            expected_version=expected_version,
            amount_vnd=computed.total_vnd,
            reference=reference,
            note=note.strip() or _("Fees and charges of the procedure"),
            now=now,
        )
        event = (
            DossierEvent.objects.filter(dossier=d, kind=EventKind.PAYMENT_REQUEST)
            .order_by("-seq")
            .first()
        )
        payment = Payment.objects.create(
            dossier=d,
            obligation_seq=event.seq,
            reference=reference,
            amount_vnd=computed.total_vnd,
            lines=[line.as_dict() for line in computed.lines],
            exemptions=computed.exemptions,
            note=note.strip()[:500],
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="payment.request",
            obj=payment,
            agency=d.competent_agency,
            after={"dossier": d.code, "amount_vnd": payment.amount_vnd},
        )
    return payment


# ---------------------------------------------------------------------------------------------
# The applicant pays


def _log(
    *,
    payment: Payment | None,
    reference: str,
    kind: str,
    direction: str,
    body: Any,
    outcome: str,
    reply: Any = None,
    checksum_valid: bool | None = None,
    note: str = "",
) -> PaymentMessage:
    return PaymentMessage.objects.create(
        payment=payment,
        reference=reference[:60],
        kind=kind,
        direction=direction,
        body=body if isinstance(body, dict) else {"raw": str(body)[:2000]},
        reply=reply if isinstance(reply, dict) else ({} if reply is None else {"raw": str(reply)}),
        checksum_valid=checksum_valid,
        outcome=outcome,
        note=note[:500],
    )


def _obligation(d: Dossier) -> Payment:
    """The attempt to pay now: the latest request's latest attempt, or a new attempt after a
    cancelled or failed one (a new reference: the platform keeps the old one closed)."""
    if d.status != Status.AWAITING_PAYMENT:
        raise Conflict(_("This dossier is not waiting for a payment."), code="not_awaiting")
    latest = Payment.objects.select_for_update().filter(dossier=d).order_by("-id").first()
    if latest is None:
        raise Conflict(
            _("The agency has not asked for an online payment of this dossier."),
            code="no_payment_requested",
        )
    if latest.paid_at is not None:
        raise Conflict(_("This payment has already been made."), code="already_paid")
    if latest.status in RETRYABLE:
        latest = Payment.objects.create(
            dossier=d,
            obligation_seq=latest.obligation_seq,
            reference=_new_reference(timezone.now()),
            amount_vnd=latest.amount_vnd,
            lines=latest.lines,
            exemptions=latest.exemptions,
            note=latest.note,
            created_by=latest.created_by,
        )
    return latest


def _receipt_info(payment: Payment, d: Dossier) -> dict[str, Any]:
    """ThongTinBienLai (§4.1) for administrative-procedure fees (MaDichVu 2)."""
    version = d.procedure_version
    return {
        "MaDichVu": "2",
        "MaDonVi": d.competent_agency.code,
        "TenDonVi": d.competent_agency.name,
        "MaHoSo": d.code,
        "MaDVC": f"{d.procedure.code}.01",  # TDDVC's rule (MaTTHC + ".01")
        "TenDVC": version.name,
        "MaTTHC": d.procedure.code,
        "TenTTHC": version.name,
        "TKThuHuong": settings.PAYMENT_BENEFICIARY_ACCOUNT,
        "MaNHThuHuong": settings.PAYMENT_BENEFICIARY_BANK,
        "TenTKThuHuong": settings.PAYMENT_BENEFICIARY_NAME,
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": FEE_KIND_CODES.get(line["kind"], "3"),
                "MaPhiLePhi": str(line["fee_id"]),
                "TenPhiLePhi": line["name"],
                "SoTien": str(line["amount_vnd"]),
            }
            for line in payment.lines
            if line["amount_vnd"] > 0
        ],
        "DSKhoanNop": [
            {"NoiDung": line["name"], "SoTien": str(line["amount_vnd"])}
            for line in payment.lines
            if line["amount_vnd"] > 0
        ],
        "NoiDungThanhToan": f"THANH TOAN HO SO {d.code}",
        "HoTenNguoiNop": d.applicant_name,
        "SoCMNDNguoiNop": d.applicant_id_number,
        "DiaChiNguoiNop": d.applicant_address,
    }


def _start(d: Dossier, ip: str, client: PaymentPlatformClient | None) -> Payment:
    with transaction.atomic():
        d = Dossier.objects.select_for_update().get(pk=d.pk)
        payment = _obligation(d)
        if payment.status == PaymentStatus.PENDING and payment.pay_url:
            return payment  # the page of the same transaction (the platform's INIT is idempotent)
    description = f"THANH TOAN HO SO {d.code}"
    now = timezone.now()
    try:
        with client or client_from_settings() as c:
            exchange, url = c.init(
                reference=payment.reference,
                amount_vnd=payment.amount_vnd,
                description=description,
                ip=ip,
                receipt_info=_receipt_info(payment, d),
                now=now,
            )
    except GatewayError as exc:
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk).update(last_error=exc.message[:500])
            _log(
                payment=payment,
                reference=payment.reference,
                kind=MessageKind.INIT,
                direction=Direction.OUTBOUND,
                body={"MaThamChieu": payment.reference, "SoTien": str(payment.amount_vnd)},
                outcome=Outcome.ERROR,
                note=exc.message,
            )
        raise PlatformError(
            _("The payment platform cannot take the payment now. Try again later."),
            code="platform_refused" if exc.permanent else "platform_unavailable",
        ) from exc
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
            status=PaymentStatus.PENDING,
            pay_url=url,
            started_at=now,
            last_error="",
            last_message=exchange.reply,
        )
        _log(
            payment=payment,
            reference=payment.reference,
            kind=MessageKind.INIT,
            direction=Direction.OUTBOUND,
            body=exchange.sent,
            reply=exchange.reply,
            checksum_valid=True,
            outcome=Outcome.SENT,
        )
    payment.refresh_from_db()
    return payment


def payment_start(
    *, actor: User, dossier: Dossier, ip: str = "", client: PaymentPlatformClient | None = None
) -> Payment:
    """The applicant, logged in ("Hồ sơ của tôi"), starts paying: the payment to redirect to."""
    if not lifecycle.is_applicant(actor, dossier):
        raise NotFound(_("Dossier not found."))
    return _start(dossier, ip, client)


def dossier_by_code_and_factor(code: str, factor: str) -> Dossier:
    """The dossier a public visitor proves with its code and the applicant's identity number or
    phone (as on the tracking page); a wrong factor and an unknown code are the same "not
    found". Callers wrap it in the tracking limits (portal.tracking.tracking_guard)."""
    import hmac

    factor = (factor or "").strip()
    given = factor if factor.isdigit() and len(factor) == 12 else normalize_phone(factor)
    d = (
        Dossier.objects.select_related("procedure", "procedure_version", "competent_agency")
        .filter(code=(code or "").strip(), is_sandbox=False)
        .first()
    )
    if (
        d is None
        or not given
        or not any(
            hmac.compare_digest(given.encode(), c.encode())
            for c in (d.applicant_id_number, d.applicant_phone)
            if c
        )
    ):
        raise NotFound(_("No dossier matches this code and phone or identity number."))
    return d


def payment_start_public(
    *, code: str, factor: str, ip: str = "", client: PaymentPlatformClient | None = None
) -> Payment:
    """The applicant, from the public tracking page (code + identity number), starts paying."""
    return _start(dossier_by_code_and_factor(code, factor), ip, client)


def payment_return(*, query: Mapping[str, str]) -> Payment | None:
    """The browser came back from the platform (§4.2): logged, never final. The payment it
    names, if any (the page shows its status as recorded, which the confirm decides)."""
    import base64
    import json

    reference = ""
    try:
        data = json.loads(base64.urlsafe_b64decode(str(query.get("data", "")).encode()))
        if isinstance(data, dict):
            reference = str(data.get("MaThamChieu") or "")[:60]
    except (ValueError, TypeError):
        data = None
    payment = Payment.objects.filter(reference=reference).first() if reference else None
    _log(
        payment=payment,
        reference=reference,
        kind=MessageKind.RETURN,
        direction=Direction.INBOUND,
        body={k: str(query.get(k, ""))[:500] for k in ("data", "responseCode", "secureCode")},
        outcome=Outcome.INFO,
        note=_("Browser return; the platform's confirmation decides."),
    )
    return payment


# ---------------------------------------------------------------------------------------------
# The platform confirms (IPN) or answers a status check


def _receipt_number(payment: Payment, paid_at: dt.datetime) -> str:
    return f"BL{paid_at.astimezone(p.TZ):%Y}-{payment.pk:07d}"


def _judge(body: dict[str, Any], payment: Payment | None) -> tuple[str, str]:
    """The outcome of a verified confirmation for `payment` (already locked)."""
    if payment is None:
        return Outcome.UNKNOWN_REFERENCE, _("No payment has this reference.")
    code = str(body.get("MaHoSo") or "")
    if code and code != payment.dossier.code:
        return Outcome.ORDER_MISMATCH, _("The reference belongs to another dossier.")
    if str(body.get("MaTienTe")) != payment.currency or str(body.get("SoTien")) != str(
        payment.amount_vnd
    ):
        return Outcome.AMOUNT_MISMATCH, _("%(given)s %(cur)s instead of %(ours)s VND.") % {
            "given": str(body.get("SoTien"))[:20],
            "cur": str(body.get("MaTienTe"))[:5],
            "ours": payment.amount_vnd,
        }
    paid = str(body.get("MaLoi")) == p.OK
    transaction_id = str(body.get("MaGiaoDich") or "")[:40]
    if payment.paid_at is not None:
        if paid and transaction_id == payment.transaction_id:
            return Outcome.REPLAYED, ""
        return Outcome.CONFLICT, _("The payment is already recorded as paid by %(t)s.") % {
            "t": payment.transaction_id
        }
    if not paid:
        if payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING):
            return Outcome.NOT_PAID, ""
        return Outcome.REPLAYED, ""
    if not transaction_id:
        return Outcome.UNREADABLE, _("No transaction id.")
    other = (
        Payment.objects.filter(dossier_id=payment.dossier_id, obligation_seq=payment.obligation_seq)
        .exclude(pk=payment.pk)
        .filter(paid_at__isnull=False)
        .first()
    )
    if other is not None:
        return Outcome.CONFLICT, _("This obligation was already paid under %(ref)s.") % {
            "ref": other.reference
        }
    return Outcome.APPLIED, ""


def _apply(body: dict[str, Any], payment: Payment, outcome: str, now: dt.datetime) -> str:
    """Write what a confirmation or check says; a note about the dossier, if any."""
    if outcome == Outcome.NOT_PAID:
        code = str(body.get("MaLoi"))
        status = PaymentStatus.CANCELLED if code in {"01", "02"} else PaymentStatus.FAILED
        if code == "01" and str(body.get("LoaiBanTin")) == p.CHECK:
            return _("Still being paid on the platform.")  # "01" answers a check: pending
        payment.status = status
        payment.last_message = body
        payment.save(update_fields=["status", "last_message"])
        return ""
    if outcome != Outcome.APPLIED:
        return ""
    paid_at = p.parse_moment(body.get("ThoiGianGD")) or now
    payment.status = PaymentStatus.PAID
    payment.transaction_id = str(body.get("MaGiaoDich"))[:40]
    payment.bank = str(body.get("MaNganHang") or "")[:20]
    payment.paid_at = paid_at
    payment.receipt_number = _receipt_number(payment, paid_at)
    payment.last_message = body
    payment.save(
        update_fields=[
            "status",
            "transaction_id",
            "bank",
            "paid_at",
            "receipt_number",
            "last_message",
        ]
    )
    system = platform_account()
    d = Dossier.objects.get(pk=payment.dossier_id)
    audit_record(
        actor=system,
        action="payment.paid",
        obj=payment,
        agency=d.competent_agency,
        after={"transaction_id": payment.transaction_id, "amount_vnd": payment.amount_vnd},
    )
    if d.status != Status.AWAITING_PAYMENT:
        return _("The dossier was no longer waiting for the payment.")
    try:
        dossier_payment_received(actor=system, dossier=d, expected_version=d.version, now=now)
    except DomainError as exc:
        return str(exc.message)
    return ""


def _answer(code: str, reference: str, now: dt.datetime) -> dict[str, Any]:
    body = {
        "MaLoi": code,
        "MoTaLoi": "Thành công" if code == p.OK else "Các lỗi khác",
        "MaDoiTac": settings.PAYMENT_PARTNER_CODE,
        "MaThamChieu": reference,
        "ThoiGianGD": p.moment(now),
    }
    return p.signed(body, p.ANSWER_FIELDS, settings.PAYMENT_SECRET)


def payment_confirm(*, body: Any, now: dt.datetime | None = None) -> Confirmation:
    """The platform's confirmation (IPN, §4.3), from its server: verified and idempotent.

    Checksum (our partner code and secret), a known reference, the dossier it names, amount
    and currency must all hold, or nothing changes and the message is logged with why. A
    replay of an applied confirmation changes nothing. Answers MaLoi "00" when the payment's
    record agrees with the confirmation, "99" otherwise (§4.3)."""
    now = now or timezone.now()
    if not isinstance(body, dict):
        with transaction.atomic():
            _log(
                payment=None,
                reference="",
                kind=MessageKind.CONFIRM,
                direction=Direction.INBOUND,
                body=body,
                outcome=Outcome.UNREADABLE,
            )
        return Confirmation(Outcome.UNREADABLE, _answer("99", "", now), None)
    reference = str(body.get("MaThamChieu") or "")[:60]
    ours = {**body, "MaDoiTac": settings.PAYMENT_PARTNER_CODE}
    valid = p.verify(ours, p.CONFIRM_FIELDS, settings.PAYMENT_SECRET)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .select_related("dossier")
            .filter(reference=reference)
            .first()
            if reference
            else None
        )
        if not valid:
            outcome, note = Outcome.FORGED, _("The checksum (MaXacThuc) does not match.")
        else:
            outcome, note = _judge(body, payment)
            if payment is not None:
                note = _apply(body, payment, outcome, now) or note
        _log(
            payment=payment,
            reference=reference,
            kind=MessageKind.CONFIRM,
            direction=Direction.INBOUND,
            body=body,
            checksum_valid=valid,
            outcome=outcome,
            note=note,
        )
    ok = outcome in (Outcome.APPLIED, Outcome.REPLAYED, Outcome.NOT_PAID)
    return Confirmation(outcome, _answer(p.OK if ok else "99", reference, now), payment)


def payment_check(
    *,
    actor: User | None,
    payment: Payment,
    now: dt.datetime | None = None,
    client: PaymentPlatformClient | None = None,
) -> Payment:
    """ "Kiểm tra lại": ask the platform about a payment and record what it says, like a
    confirmation (a lost IPN is recovered here). `actor` None: the scheduler or a command."""
    now = now or timezone.now()
    if actor is not None and not can(actor, Action.DOSSIER_VIEW, payment.dossier):
        raise NotFound(_("Payment not found."))
    try:
        with client or client_from_settings() as c:
            exchange = c.check(reference=payment.reference, now=now)
    except GatewayError as exc:
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk).update(
                checked_at=now, checks=payment.checks + 1, last_error=exc.message[:500]
            )
            _log(
                payment=payment,
                reference=payment.reference,
                kind=MessageKind.CHECK,
                direction=Direction.OUTBOUND,
                body={"MaThamChieu": payment.reference},
                outcome=Outcome.ERROR,
                note=exc.message,
            )
        raise PlatformError(
            _("The payment platform cannot be asked now. Try again later."),
            code="platform_refused" if exc.permanent else "platform_unavailable",
        ) from exc
    reply = exchange.reply
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
        if str(reply.get("MaLoi")) == "04":
            outcome, note = Outcome.NOT_PAID, _("The platform has no transaction with it.")
        else:
            outcome, note = _judge(reply, locked)
            note = _apply(reply, locked, outcome, now) or note
        Payment.objects.filter(pk=locked.pk).update(
            checked_at=now, checks=locked.checks + 1, last_error=""
        )
        _log(
            payment=locked,
            reference=locked.reference,
            kind=MessageKind.CHECK,
            direction=Direction.OUTBOUND,
            body=exchange.sent,
            reply=reply,
            checksum_valid=True,
            outcome=outcome,
            note=note,
        )
        if actor is not None:
            audit_record(
                actor=actor,
                action="payment.check",
                obj=locked,
                agency=locked.dossier.competent_agency,
                note=str(outcome),
            )
    payment.refresh_from_db()
    return payment


def payments_check_pending(
    *, older_than_minutes: int | None = None, now: dt.datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """Ask the platform about every payment pending longer than `older_than_minutes`
    (PAYMENT_CHECK_AFTER_MINUTES): the beat task and the command. Counts by result."""
    now = now or timezone.now()
    minutes = (
        settings.PAYMENT_CHECK_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    )
    due = Payment.objects.filter(
        status=PaymentStatus.PENDING, started_at__lte=now - dt.timedelta(minutes=minutes)
    ).order_by("started_at")[:limit]
    counts = {"checked": 0, "paid": 0, "errors": 0}
    for payment in due:
        try:
            after = payment_check(actor=None, payment=payment, now=now)
        except PlatformError:
            counts["errors"] += 1
            continue
        counts["checked"] += 1
        counts["paid"] += after.status == PaymentStatus.PAID
    return counts


# ---------------------------------------------------------------------------------------------
# Receipts and refunds


def payment_platform_receipt(
    *, actor: User, payment: Payment, client: PaymentPlatformClient | None = None
) -> bytes:
    """The platform's own e-receipt of a paid payment (PDF bytes), fetched through the adapter."""
    if not may_view(actor, payment.dossier):
        raise NotFound(_("Payment not found."))
    if payment.paid_at is None:
        raise Conflict(_("There is no receipt before the payment is made."), code="not_paid")
    try:
        with client or client_from_settings() as c:
            pdf = c.receipt(reference=payment.reference)
    except GatewayError as exc:
        raise PlatformError(
            _("The payment platform cannot give its receipt now. Try again later.")
        ) from exc
    with transaction.atomic():
        _log(
            payment=payment,
            reference=payment.reference,
            kind=MessageKind.RECEIPT,
            direction=Direction.OUTBOUND,
            body={"MaThamChieu": payment.reference},
            outcome=Outcome.INFO,
            note=f"{len(pdf)} bytes",
        )
    return pdf


def payment_refund(
    *,
    actor: User,
    payment: Payment,
    amount_vnd: int,
    reason: str,
    now: dt.datetime | None = None,
    client: PaymentPlatformClient | None = None,
) -> Refund:
    """Hoàn tiền: the competent agency's leadership refunds part or all of a paid payment
    (reason required; at most what is left). The platform's refund API is UNCONFIRMED: the
    simulator's design is used (adapters/payment_platform)."""
    now = now or timezone.now()
    d = payment.dossier
    if not may_view(actor, d):
        raise NotFound(_("Payment not found."))
    if not may_refund(actor, d):
        raise NotAllowed(_("You do not have permission for this action."))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the refund.")]
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        errors["amount_vnd"] = [_("Enter the amount in whole đồng.")]
    if errors:
        raise InvalidInput(_("The refund has errors."), errors=errors)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.paid_at is None:
            raise Conflict(_("Only a paid payment can be refunded."), code="not_paid")
        in_flight = sum(r.amount_vnd for r in locked.refunds.filter(status=RefundStatus.REQUESTED))
        left = locked.amount_vnd - locked.refunded_vnd - in_flight
        if amount_vnd > left:
            message = _("At most %(n)s đồng can be refunded.") % {
                "n": f"{left:,}".replace(",", ".")
            }
            raise InvalidInput(message, errors={"amount_vnd": [message]})
        refund = Refund.objects.create(
            payment=locked, amount_vnd=amount_vnd, reason=reason[:500], requested_by=actor
        )
        audit_record(
            actor=actor,
            action="payment.refund_request",
            obj=locked,
            agency=d.competent_agency,
            after={"refund": refund.pk, "amount_vnd": amount_vnd},
            note=reason,
        )
    try:
        with client or client_from_settings() as c:
            exchange = c.refund(
                reference=payment.reference, amount_vnd=amount_vnd, reason=reason, now=now
            )
    except GatewayError as exc:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(
                status=RefundStatus.FAILED, error=exc.message[:500]
            )
            _log(
                payment=payment,
                reference=payment.reference,
                kind=MessageKind.REFUND,
                direction=Direction.OUTBOUND,
                body={"MaThamChieu": payment.reference, "SoTien": str(amount_vnd)},
                outcome=Outcome.ERROR,
                note=exc.message,
            )
        raise PlatformError(
            _("The payment platform did not make the refund: %(why)s") % {"why": exc.message}
        ) from exc
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.refunded_vnd += amount_vnd
        fields = ["refunded_vnd"]
        if locked.refunded_vnd == locked.amount_vnd:
            locked.status = PaymentStatus.REFUNDED
            fields.append("status")
        locked.save(update_fields=fields)
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundStatus.DONE,
            platform_ref=str(exchange.reply.get("MaHoanTien") or "")[:40],
            done_at=now,
        )
        _log(
            payment=locked,
            reference=locked.reference,
            kind=MessageKind.REFUND,
            direction=Direction.OUTBOUND,
            body=exchange.sent,
            reply=exchange.reply,
            checksum_valid=True,
            outcome=Outcome.APPLIED,
        )
        audit_record(
            actor=actor,
            action="payment.refund",
            obj=locked,
            agency=d.competent_agency,
            after={"refunded_vnd": locked.refunded_vnd},
        )
    refund.refresh_from_db()
    return refund
