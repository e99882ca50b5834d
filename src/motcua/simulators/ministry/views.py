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
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
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
from motcua.simulators.national_portal.intake import signed_headers

from ..switch import FaultSwitch, enabled, json_answer
from .models import SimHandover, SimReport

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
            ]
        }
    )


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)
