"""The national portal's payment platform (DOMAIN-integration.md §4, message-type design),
simulated, under /sim/thanh-toan/.

- `POST init`: INIT (§4.1), checksum verified → {MaLoi "00", MoTaLoi, MaDoiTac, MaThamChieu,
  ThoiGianGD, UrlThanhToan, MaXacThuc}; a bad checksum or partner → MaLoi "01"; a reference
  already paid → "02". INIT of a pending reference again answers the same page (idempotent).
- `GET/POST thanh-toan/<token>/`: the citizen's payment page: choose a bank, pay or cancel.
  Paying confirms to the province (IPN, §4.3: POST JSON to SIM_PAYMENT_IPN_URL, signed) and
  sends the browser back to SIM_PAYMENT_RETURN_URL with `data`, `responseCode`, `secureCode`
  (§4.2; our secureCode recipe, SHA-256 of data|responseCode|secret, is UNCONFIRMED).
  Cancelling confirms MaLoi "01" and returns responseCode "01".
- `POST truy-van`: status check (§4.4): the confirm's fields with LoaiBanTin "CHECK",
  TrangThai and SoTienHoan, signed like a confirm (reply fields UNCONFIRMED).
- `POST bien-lai`: the e-receipt of a paid reference: PDF bytes (§4.4).
- `POST hoan-tien`: refund (UNCONFIRMED message, our design).
- `POST doi-soat`: the day's transactions {MaLoi, Ngay, DanhSach: [confirm-shaped lines, each
  signed]} for reconciliation (đối soát; the real exchange is UNCONFIRMED, this is our design).
- `GET giao-dich`: the platform's transaction list, a page for the demo.
- `POST _faults` (X-Sim-Token): {"drop_ipn": true} pays without confirming (a lost IPN),
  {"duplicate_ipn": true} confirms twice, {"reset": true} or {} turns both off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..control import control_allowed, control_refusal
from ..switch import enabled, json_answer
from .models import SimTransaction

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BANKS = [
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970405", "Agribank"),
]

# The platform's own copy of the recipes (the province's are in adapters/payment_platform).
INIT_FIELDS = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
]
CONFIRM_FIELDS = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
]
QUERY_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]
ANSWER_FIELDS = ["MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]
REFUND_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien", "ThoiGianGD"]
STATEMENT_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "Ngay", "ThoiGianGD"]

_faults_lock = threading.Lock()
_faults: dict[str, bool] = {}


def _hash(body: dict[str, Any], fields: list[str], secret: str) -> str:
    joined = "|".join(["" if body.get(f) is None else str(body.get(f)) for f in fields])
    return hashlib.sha256(f"{joined}|{secret}".encode()).hexdigest()


def _sign(body: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {**body, "MaXacThuc": _hash(body, fields, settings.SIM_PAYMENT_SECRET)}


def _valid(body: dict[str, Any], fields: list[str]) -> bool:
    given = body.get("MaXacThuc")
    return (
        isinstance(given, str)
        and body.get("MaDoiTac") == settings.SIM_PAYMENT_PARTNER_CODE
        and hmac.compare_digest(given, _hash(body, fields, settings.SIM_PAYMENT_SECRET))
    )


def _now() -> str:
    return timezone.now().astimezone(TZ).strftime("%Y%m%d%H%M%S")


def _answer(code: str, text: str, reference: str = "", **extra: Any) -> HttpResponse:
    body = {
        "MaLoi": code,
        "MoTaLoi": text,
        "MaDoiTac": settings.SIM_PAYMENT_PARTNER_CODE,
        "MaThamChieu": reference,
        "ThoiGianGD": _now(),
    }
    return json_answer(_sign(body, ANSWER_FIELDS) | extra)


def _message(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _confirm_body(t: SimTransaction, code: str, kind: str = "CONFIRM") -> dict[str, Any]:
    at = t.paid_at or timezone.now()
    body = {
        "LoaiBanTin": kind,
        "MaLoi": code,
        "MaDoiTac": t.partner,
        "MaThamChieu": t.reference,
        "SoTien": str(t.amount_vnd),
        "MaTienTe": "VND",
        "MaGiaoDich": t.transaction_id,
        "MaNganHang": t.bank,
        "ThoiGianGD": at.astimezone(TZ).strftime("%Y%m%d%H%M%S"),
        "ThongTinGiaoDich": t.description,
        "MaHoSo": (t.init.get("ThongTinBienLai") or {}).get("MaHoSo", ""),
    }
    return _sign(body, CONFIRM_FIELDS)


def _send_ipn(t: SimTransaction, code: str) -> None:
    with _faults_lock:
        faults = dict(_faults)
    if faults.get("drop_ipn"):
        return
    body = _confirm_body(t, code)
    answers = []
    for _ in range(2 if faults.get("duplicate_ipn") else 1):
        try:
            response = httpx.post(settings.SIM_PAYMENT_IPN_URL, json=body, timeout=30)
            try:
                answers.append({"status": response.status_code, "body": response.json()})
            except ValueError:
                answers.append({"status": response.status_code, "text": response.text[:300]})
        except httpx.HTTPError as exc:
            answers.append({"error": exc.__class__.__name__})
    SimTransaction.objects.filter(pk=t.pk).update(
        ipn_sent=t.ipn_sent + len(answers), ipn_answers=t.ipn_answers + answers
    )


@csrf_exempt
@require_POST
def init(request: HttpRequest) -> HttpResponse:
    enabled()
    body = _message(request)
    if body is None:
        return _answer("99", "Bản tin không đọc được")
    reference = str(body.get("MaThamChieu") or "")[:60]
    if body.get("LoaiBanTin") != "INIT" or not _valid(body, INIT_FIELDS):
        return _answer("01", "Sai mã xác thực", reference)
    try:
        amount = int(str(body.get("SoTien")))
    except ValueError:
        amount = 0
    if not reference or amount <= 0 or body.get("MaTienTe") != "VND":
        return _answer("03", "Thông tin giao dịch không hợp lệ", reference)
    with transaction.atomic():
        t = SimTransaction.objects.select_for_update().filter(reference=reference).first()
        if t is not None and t.state != SimTransaction.State.PENDING:
            return _answer("02", "Mã tham chiếu đã được sử dụng", reference)
        if t is None:
            t = SimTransaction.objects.create(
                token=secrets.token_urlsafe(24),
                partner=body["MaDoiTac"],
                reference=reference,
                amount_vnd=amount,
                description=str(body.get("ThongTinGiaoDich") or "")[:500],
                init=body,
            )
        elif t.amount_vnd != amount:
            return _answer("03", "Số tiền khác lần khởi tạo trước", reference)
    url = request.build_absolute_uri(reverse("sim_payment_platform:pay", args=[t.token]))
    return _answer("00", "Thành công", reference, UrlThanhToan=url)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def pay_page(request: HttpRequest, token: str) -> HttpResponse:
    enabled()
    t = SimTransaction.objects.filter(token=token).first()
    if t is None:
        raise Http404("Unknown transaction")
    if request.method != "POST":
        return render(request, "sim_payment_platform/pay.html", {"t": t, "banks": BANKS})
    if t.state != SimTransaction.State.PENDING:
        return render(
            request, "sim_payment_platform/pay.html", {"t": t, "banks": BANKS}, status=409
        )
    if request.POST.get("action") == "pay":
        bank = request.POST.get("bank") or BANKS[0][0]
        if bank not in dict(BANKS):
            return render(
                request,
                "sim_payment_platform/pay.html",
                {"t": t, "banks": BANKS, "error": "Chọn ngân hàng"},
                status=422,
            )
        updated = SimTransaction.objects.filter(pk=t.pk, state=SimTransaction.State.PENDING).update(
            state=SimTransaction.State.PAID,
            bank=bank,
            paid_at=timezone.now(),
            transaction_id="GD" + secrets.token_hex(8).upper(),
        )
        code = "00"
    else:
        updated = SimTransaction.objects.filter(pk=t.pk, state=SimTransaction.State.PENDING).update(
            state=SimTransaction.State.CANCELLED
        )
        code = "01"
    t.refresh_from_db()
    if updated:
        _send_ipn(t, code)
    data = base64.urlsafe_b64encode(
        json.dumps(
            {
                "MaThamChieu": t.reference,
                "SoTien": str(t.amount_vnd),
                "MaGiaoDich": t.transaction_id,
            }
        ).encode()
    ).decode()
    secure = hashlib.sha256(f"{data}|{code}|{settings.SIM_PAYMENT_SECRET}".encode()).hexdigest()
    query = urlencode({"data": data, "responseCode": code, "secureCode": secure})
    return HttpResponseRedirect(f"{settings.SIM_PAYMENT_RETURN_URL}?{query}")


def _query(request: HttpRequest, kind: str) -> tuple[dict | None, SimTransaction | None, str]:
    body = _message(request)
    if body is None or body.get("LoaiBanTin") != kind or not _valid(body, QUERY_FIELDS):
        return None, None, str((body or {}).get("MaThamChieu") or "")[:60]
    reference = str(body.get("MaThamChieu") or "")[:60]
    return body, SimTransaction.objects.filter(reference=reference).first(), reference


@csrf_exempt
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    enabled()
    body, t, reference = _query(request, "CHECK")
    if body is None:
        return _answer("01", "Sai mã xác thực", reference)
    if t is None:
        reply = {
            "LoaiBanTin": "CHECK",
            "MaLoi": "04",
            "MaDoiTac": settings.SIM_PAYMENT_PARTNER_CODE,
            "MaThamChieu": reference,
            "ThoiGianGD": _now(),
        }
        return json_answer(_sign(reply, CONFIRM_FIELDS) | {"MoTaLoi": "Không tìm thấy giao dịch"})
    paid = t.state in (SimTransaction.State.PAID, SimTransaction.State.REFUNDED)
    code = "00" if paid else ("02" if t.state == SimTransaction.State.CANCELLED else "01")
    return json_answer(
        _confirm_body(t, code, kind="CHECK") | {"TrangThai": t.state, "SoTienHoan": t.refunded_vnd}
    )


@csrf_exempt
@require_POST
def receipt(request: HttpRequest) -> HttpResponse:
    enabled()
    body, t, _reference = _query(request, "GETBILL")
    if body is None:
        return json_answer({"MaLoi": "01", "MoTaLoi": "Sai mã xác thực"}, 403)
    if t is None or t.paid_at is None:
        return json_answer({"MaLoi": "04", "MoTaLoi": "Không có biên lai"}, 404)
    from motcua.printing.pdf import render_pdf

    pdf = render_pdf("sim_payment_platform/receipt.html", {"t": t})
    return HttpResponse(pdf, content_type="application/pdf")


@csrf_exempt
@require_POST
def refund(request: HttpRequest) -> HttpResponse:
    enabled()
    body = _message(request)
    reference = str((body or {}).get("MaThamChieu") or "")[:60]
    if body is None or body.get("LoaiBanTin") != "REFUND" or not _valid(body, REFUND_FIELDS):
        return _answer("01", "Sai mã xác thực", reference)
    try:
        amount = int(str(body.get("SoTien")))
    except ValueError:
        amount = 0
    with transaction.atomic():
        t = SimTransaction.objects.select_for_update().filter(reference=reference).first()
        if t is None or t.paid_at is None:
            return _answer("04", "Không tìm thấy giao dịch đã thanh toán", reference)
        if amount <= 0 or t.refunded_vnd + amount > t.amount_vnd:
            return _answer("03", "Số tiền hoàn không hợp lệ", reference)
        t.refunded_vnd += amount
        if t.refunded_vnd == t.amount_vnd:
            t.state = SimTransaction.State.REFUNDED
        t.save(update_fields=["refunded_vnd", "state"])
    return _answer("00", "Thành công", reference, MaHoanTien="HT" + secrets.token_hex(6).upper())


@csrf_exempt
@require_POST
def statement(request: HttpRequest) -> HttpResponse:
    enabled()
    body = _message(request)
    if body is None or body.get("LoaiBanTin") != "DOISOAT" or not _valid(body, STATEMENT_FIELDS):
        return json_answer({"MaLoi": "01", "MoTaLoi": "Sai mã xác thực"})
    import datetime as dt

    try:
        day = dt.datetime.strptime(str(body.get("Ngay")), "%Y%m%d").date()
    except ValueError:
        return json_answer({"MaLoi": "03", "MoTaLoi": "Ngày không hợp lệ"})
    start = dt.datetime.combine(day, dt.time(), tzinfo=TZ)
    rows = SimTransaction.objects.filter(
        partner=body["MaDoiTac"], paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1)
    )
    lines = [
        _confirm_body(t, "00", kind="DOISOAT")
        | {"TrangThai": t.state, "SoTienHoan": t.refunded_vnd}
        for t in rows
    ]
    return json_answer({"MaLoi": "00", "Ngay": body["Ngay"], "DanhSach": lines})


@require_safe
def transactions(request: HttpRequest) -> HttpResponse:
    enabled()
    rows = SimTransaction.objects.order_by("-id")[:200]
    return render(request, "sim_payment_platform/transactions.html", {"rows": rows})


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    enabled()
    if not control_allowed(request):
        return control_refusal()
    body = _message(request) if request.body else {}
    if body is None or set(body) - {"drop_ipn", "duplicate_ipn", "reset"}:
        return json_answer({"error_code": "400", "message": "drop_ipn, duplicate_ipn, reset"}, 400)
    state = {k: bool(body.get(k)) for k in ("drop_ipn", "duplicate_ipn") if body.get(k)}
    with _faults_lock:
        _faults.clear()
        _faults.update(state)
    return json_answer({"faults": state})


def faults_set(**state: bool) -> None:
    """For the tests and the demo's commands in this process."""
    with _faults_lock:
        _faults.clear()
        _faults.update({k: v for k, v in state.items() if v})
