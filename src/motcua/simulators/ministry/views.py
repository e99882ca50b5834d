"""A ministry's centralized system / the national coordination system (contract in
motcua.adapters.ministry), simulated under /sim/bo-nganh/<system>/:

- `TiepNhanHoSo` (POST, `Authorization: Bearer $SIM_MINISTRY_TOKEN`): {"data": [HoSo]} — each
  stored once per (system, AcceptKey); a repeat answers "0" too and is counted
  (`times_received`); a record without `AcceptKey` answers "1" (permanent);
- `TraCuuTienTrinh` (POST, same token): {"AcceptKey": [...]} → the reports made about them;
- `_settle` (POST, `X-Sim-Token`): a test or demo operator settles a dossier handed over:
  {"AcceptKey", "granted": true|false, "progress": true, "callback": true|false, "reason"} makes
  a progress report ("2", a minute earlier) and the result ("3" settled with a decision, or
  "4" refused), kept for `TraCuuTienTrinh`, and — with `callback` (default: the system's mode
  in settings is "callback") — POSTs each, signed with SIM_MINISTRY_CALLBACK_SECRET, to
  SIM_MINISTRY_CALLBACK_URL, answering with the province's replies;
- `nhat-ky` (GET, `X-Sim-Token`): what arrived and what was reported, as JSON;
- `_faults` (POST, `X-Sim-Token`): the standard switch (simulators/switch.py), for every system.

The inbound flow (the system hands dossiers to the province, §5 as observed):
- `_push` (POST, `X-Sim-Token`): {"count": n, "MaTTHC", "MaXa", "push": true|false} makes n
  `HoSoBTXH` dossiers (Vietnamese names, the demo province's communes, a one-page PDF inline),
  or takes {"records": [...]} as given, or {"again": [AcceptKey, ...]} repeats stored ones;
  keeps them for `LayDanhSachHoSo` and — with `push` (default: the system's configured inbound
  includes push) — POSTs each, signed with SIM_MINISTRY_CALLBACK_SECRET, to
  SIM_MINISTRY_INBOUND_URL, answering with the province's replies;
- `LayDanhSachHoSo` (POST, bearer): the dossiers not yet marked taken; `XacNhanDaNhan` (POST,
  bearer) {"AcceptKey": [...]} marks them;
- `CapNhatTienTrinh` (POST, bearer) {"data": [TienTrinhHoSoBTXH]}: each row stored once per
  `IdempotencyKey` (a repeat counted in `times_received`); a row without `AcceptKey` or
  `IdempotencyKey` answers "1";
- `tep/<name>` (GET, bearer): a file the system hands over by address (`TaiLieuNop[].DuongDan`),
  always the one-page sample PDF (UNCONFIRMED: how the systems really host their files).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import random
import secrets
from typing import Any

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from motcua.core.workcalendar import TZ
from motcua.simulators.control import control_allowed, control_refusal
from motcua.simulators.national_portal.intake import (
    COMMUNES,
    PROVINCE,
    SAMPLE_PDF,
    signed_headers,
)

from ..switch import FaultSwitch, enabled, json_answer
from .models import SimHandover, SimInbound, SimProgress, SimReport

switch = FaultSwitch()


def _envelope(error_code: str, message: str, data: list | None = None, status: int = 200):
    return json_answer(
        {"result": {"error_code": error_code, "message": message, "data": data or []}}, status
    )


def _body(request: HttpRequest) -> dict | HttpResponse:
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    expected = f"Bearer {settings.SIM_MINISTRY_TOKEN}"
    if not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), expected.encode()
    ):
        return _envelope("401", "Unauthorized", status=401)
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        return _envelope("1", "Dữ liệu không hợp lệ")
    return body


@csrf_exempt
@require_POST
def handover(request: HttpRequest, system: str) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    records = body.get("data")
    if not isinstance(records, list) or not records:
        return _envelope("1", "data phải là một mảng hồ sơ")
    if any(not isinstance(r, dict) or not str(r.get("AcceptKey") or "").strip() for r in records):
        return _envelope("1", "Thiếu AcceptKey")
    rows = []
    for record in records:
        key = str(record["AcceptKey"])[:80]
        try:
            with transaction.atomic():
                SimHandover.objects.create(system=system, accept_key=key, record=record)
            rows.append({"AcceptKey": key, "Status": "created"})
        except IntegrityError:
            SimHandover.objects.filter(system=system, accept_key=key).update(
                times_received=F("times_received") + 1
            )
            rows.append({"AcceptKey": key, "Status": "duplicate"})
    return _envelope("0", "Thành công", rows)


@csrf_exempt
@require_POST
def reports(request: HttpRequest, system: str) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    keys = body.get("AcceptKey")
    if not isinstance(keys, list):
        return _envelope("1", "AcceptKey phải là một mảng")
    found = SimReport.objects.filter(
        handover__system=system, handover__accept_key__in=[str(k) for k in keys[:1000]]
    ).order_by("id")
    return _envelope("0", "Thành công", [r.body for r in found])


def _moment(at: dt.datetime) -> str:
    return at.astimezone(TZ).strftime("%Y%m%d%H%M%S")


def settle_reports(h: SimHandover, *, granted: bool, progress: bool, reason: str) -> list[dict]:
    """The reports an officer of the ministry makes when settling the dossier."""
    now = timezone.now()
    base = {
        "AcceptKey": h.accept_key,
        "MaHoSo": h.record.get("MaHoSo", ""),
        "TaiKhoanXuLy": "cv.btxh",
        "NguoiXuLy": "Trần Văn Bình",
        "ChucDanh": "Chuyên viên",
        "DonViXuLy": "Cục Bảo trợ xã hội",
    }
    made = []
    n = h.reports.count()
    if progress:
        made.append(
            base
            | {
                "IdempotencyKey": f"{h.system}:{h.accept_key}:{n + 1}",
                "ThoiDiemXuLy": _moment(now - dt.timedelta(minutes=1)),
                "StatusId": "2",
                "NoiDungXuLy": "Đang thẩm định hồ sơ",
            }
        )
    result = base | {
        "IdempotencyKey": f"{h.system}:{h.accept_key}:{n + len(made) + 1}",
        "ThoiDiemXuLy": _moment(now),
    }
    if granted:
        result |= {
            "StatusId": "3",
            "NoiDungXuLy": "Đã giải quyết",
            "LoaiKetQua": "Quyết định",
            "SoQuyetDinh": f"{100 + n}/QĐ-BTXH",
            "CoQuanBanHanh": "Cục Bảo trợ xã hội",
            "TrichYeu": "Quyết định trợ cấp xã hội hằng tháng",
            "NgayBanHanh": now.astimezone(TZ).strftime("%Y%m%d"),
        }
    else:
        result |= {"StatusId": "4", "NoiDungXuLy": reason or "Không đủ điều kiện hưởng"}
    made.append(result)
    return made


def _call_back(system: str, report: dict) -> tuple[int | None, Any]:
    raw = json.dumps(report, ensure_ascii=False).encode()
    url = settings.SIM_MINISTRY_CALLBACK_URL.format(system=system)
    try:
        response = httpx.post(
            url,
            content=raw,
            headers=signed_headers(settings.SIM_MINISTRY_CALLBACK_SECRET, raw),
            timeout=30,
        )
    except httpx.HTTPError as exc:
        return None, {"error": exc.__class__.__name__}
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {"text": response.text[:500]}


@csrf_exempt
@require_POST
def settle(request: HttpRequest, system: str) -> HttpResponse:
    enabled()
    if not control_allowed(request):
        return control_refusal()
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_answer({"error_code": "400", "message": "a JSON object"}, 400)
    h = SimHandover.objects.filter(system=system, accept_key=str(body.get("AcceptKey"))).first()
    if h is None:
        return json_answer({"error_code": "404", "message": "Không có hồ sơ này"}, 404)
    config = settings.EXTERNAL_SYSTEMS.get(system) or {}
    callback = bool(body.get("callback", config.get("mode", "callback") == "callback"))
    made = settle_reports(
        h,
        granted=bool(body.get("granted", True)),
        progress=bool(body.get("progress", True)),
        reason=str(body.get("reason") or ""),
    )
    rows = [SimReport.objects.create(handover=h, body=report) for report in made]
    answers = []
    if callback:
        # No transaction is open here: the province's callback may run in this very process.
        for row in rows:
            row.callback_status, row.callback_answer = _call_back(system, row.body)
            row.save(update_fields=["callback_status", "callback_answer"])
            answers.append({"status": row.callback_status, "answer": row.callback_answer})
    return json_answer({"reports": made, "callbacks": answers})


@require_safe
def log(request: HttpRequest, system: str) -> HttpResponse:
    enabled()
    if not control_allowed(request):
        return control_refusal()
    rows = SimHandover.objects.filter(system=system).prefetch_related("reports")
    progress: dict[str, list[dict]] = {}
    for p in SimProgress.objects.filter(system=system).order_by("id"):
        progress.setdefault(p.accept_key, []).append({"times_received": p.times_received, **p.body})
    return json_answer(
        {
            "handovers": [
                {
                    "AcceptKey": h.accept_key,
                    "MaHoSo": h.record.get("MaHoSo", ""),
                    "times_received": h.times_received,
                    "record": h.record,
                    "reports": [r.body for r in h.reports.all()],
                }
                for h in rows
            ],
            # What the system handed to the province, and the progress the province sent back.
            "inbound": [
                {
                    "AcceptKey": i.accept_key,
                    "MaHoSo": i.record.get("MaHoSo", ""),
                    "MaTTHC": i.record.get("MaTTHC", ""),
                    "HoVaTen": i.record.get("HoVaTen", ""),
                    "taken": i.taken,
                    "times_pushed": i.times_pushed,
                    "replies": i.replies,
                    "progress": progress.get(i.accept_key, []),
                }
                for i in SimInbound.objects.filter(system=system)
            ],
        }
    )


# ---------------------------------------------------------------------------------------------
# The inbound flow: dossiers the system hands to the province, and the progress it gets back

# The demo's procedure for hand-overs from a central system (published, offered online, with a
# workflow that goes back out to the coordination system: demo/workflows.py).
DEFAULT_PROCEDURE = ("1.004873", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân")
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Mai", "Phúc"]


def inbound_record(system: str, *, procedure: str = "", commune: int | None = None) -> dict:
    """A `HoSoBTXH` dossier as the system hands it over (field names §5; values generated)."""
    rng = random.Random()  # noqa: S311 — test data, not secrets
    commune = commune or rng.choice(COMMUNES)[0]
    now = timezone.now().astimezone(TZ)
    key = f"{system.upper()}-{now:%y%m%d}-{secrets.token_hex(5).upper()}"
    code = procedure or DEFAULT_PROCEDURE[0]
    component = DEFAULT_PROCEDURE[1] if code == DEFAULT_PROCEDURE[0] else "Tờ khai"
    pdf = base64.b64encode(SAMPLE_PDF).decode()
    return {
        "AcceptKey": key,
        "LoaiDuLieu": "1",
        "MaHoSo": f"{system.upper()}.{now:%y%m%d}.{rng.randrange(10**6):06d}",
        "MaTTHC": code,
        "KenhThucHien": "2",
        "LoaiDoiTuong": "1",
        "HinhThucTra": "0",
        "HoVaTen": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "NgayThangNamSinh": f"{rng.randrange(1960, 2005)}{rng.randrange(1, 13):02d}15",
        "GioiTinhId": str(rng.choice((1, 2))),
        "SoDinhDanh": f"0871{rng.randrange(10**8):08d}",
        "LoaiDinhDanh": "1",
        "MaTinh": PROVINCE,
        "MaXa": commune,
        "NOHT_DiaChi": f"Số {rng.randrange(1, 300)}, ấp {rng.randrange(1, 9)}",
        "SoDienThoai": f"09{rng.randrange(10**8):08d}",
        "Email": "",
        "NgayTiepNhan": now.strftime("%Y%m%d%H%M%S"),
        "SubmitedDate": now.strftime("%Y%m%d%H%M%S"),
        "DonViXuLy": "UBND cấp xã nơi cư trú",
        "NoiNopHoSo": "Hệ thống điều phối giải quyết TTHC (mô phỏng)",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "StatusId": "1",
        "TrichYeu": "Đề nghị giải quyết hồ sơ do hệ thống trung ương chuyển đến",
        "CertificateExtentData": (
            "<CertificateExtentData><TaiLieuNop><TaiLieu>"
            f"<TenTepDinhKem>to-khai-{key.lower()}.pdf</TenTepDinhKem><Base64>{pdf}</Base64>"
            f"<MaThanhPhanHoSo>TP1</MaThanhPhanHoSo><TenThanhPhanHoSo>{component}"
            "</TenThanhPhanHoSo></TaiLieu></TaiLieuNop><GiayToKetQua/></CertificateExtentData>"
        ),
    }


def _push_one(system: str, row: SimInbound) -> dict:
    raw = json.dumps(row.record, ensure_ascii=False).encode()
    url = settings.SIM_MINISTRY_INBOUND_URL.format(system=system)
    try:
        response = httpx.post(
            url,
            content=raw,
            headers=signed_headers(settings.SIM_MINISTRY_CALLBACK_SECRET, raw),
            timeout=30,
        )
        try:
            answer: Any = response.json()
        except ValueError:
            answer = {"text": response.text[:500]}
        reply = {"status": response.status_code, "answer": answer}
    except httpx.HTTPError as exc:
        reply = {"status": None, "answer": {"error": exc.__class__.__name__}}
    row.times_pushed += 1
    row.replies = [*row.replies, reply][-20:]
    row.save(update_fields=["times_pushed", "replies"])
    return {"AcceptKey": row.accept_key, **reply}


@csrf_exempt
@require_POST
def push(request: HttpRequest, system: str) -> HttpResponse:
    enabled()
    if not control_allowed(request):
        return control_refusal()
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_answer({"error_code": "400", "message": "a JSON object"}, 400)
    config = settings.EXTERNAL_SYSTEMS.get(system) or {}
    send = bool(body.get("push", "push" in config.get("inbound", ["push"])))
    if isinstance(body.get("again"), list):
        rows = list(SimInbound.objects.filter(system=system, accept_key__in=body["again"]))
    else:
        records = body.get("records")
        if not isinstance(records, list):
            count = min(max(int(body.get("count") or 1), 1), 500)
            commune = body.get("MaXa")
            records = [
                inbound_record(
                    system,
                    procedure=str(body.get("MaTTHC") or ""),
                    commune=int(commune) if str(commune or "").isdigit() else None,
                )
                for _ in range(count)
            ]
        rows = []
        for record in records:
            key = str(record.get("AcceptKey") or "")[:80] if isinstance(record, dict) else ""
            row, _created = SimInbound.objects.get_or_create(
                system=system, accept_key=key, defaults={"record": record}
            )
            rows.append(row)
    # No transaction is open here: the province's endpoint may run in this very process.
    replies = [_push_one(system, row) for row in rows] if send else []
    return json_answer({"records": [r.accept_key for r in rows], "replies": replies})


@csrf_exempt
@require_POST
def inbound_list(request: HttpRequest, system: str) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    rows = SimInbound.objects.filter(system=system, taken=False).order_by("id")[:500]
    return _envelope("0", "Thành công", [r.record for r in rows])


@csrf_exempt
@require_POST
def inbound_mark(request: HttpRequest, system: str) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    keys = body.get("AcceptKey")
    if not isinstance(keys, list):
        return _envelope("1", "AcceptKey phải là một mảng")
    n = SimInbound.objects.filter(system=system, accept_key__in=[str(k) for k in keys]).update(
        taken=True
    )
    return _envelope("0", f"Đã xác nhận {n} hồ sơ")


@csrf_exempt
@require_POST
def progress(request: HttpRequest, system: str) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    rows = body.get("data")
    if not isinstance(rows, list) or not rows:
        return _envelope("1", "data phải là một mảng tiến trình")
    if any(
        not isinstance(r, dict) or not r.get("AcceptKey") or not r.get("IdempotencyKey")
        for r in rows
    ):
        return _envelope("1", "Thiếu AcceptKey hoặc IdempotencyKey")
    out = []
    for row in rows:
        key = str(row["IdempotencyKey"])[:200]
        try:
            with transaction.atomic():
                SimProgress.objects.create(
                    system=system, key=key, accept_key=str(row["AcceptKey"])[:80], body=row
                )
            out.append({"IdempotencyKey": key, "Status": "created"})
        except IntegrityError:
            SimProgress.objects.filter(system=system, key=key).update(
                times_received=F("times_received") + 1
            )
            out.append({"IdempotencyKey": key, "Status": "duplicate"})
    return _envelope("0", "Thành công", out)


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)


@require_safe
def file(request: HttpRequest, system: str, name: str) -> HttpResponse:
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    expected = f"Bearer {settings.SIM_MINISTRY_TOKEN}"
    if not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), expected.encode()
    ):
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    response = HttpResponse(SAMPLE_PDF, content_type="application/pdf")
    response["Content-Length"] = str(len(SAMPLE_PDF))
    return response
