"""The business registration look-up, simulated under /sim/dkkd/ (contract in
motcua.adapters.business_registry). Seeded enterprises of the demo province; `calls` keeps the
tax codes asked, in order (this process's memory), for tests and the demo."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..switch import FaultSwitch, enabled, json_answer

switch = FaultSwitch()
calls: list[str] = []

BUSINESSES = {
    "1402345678": {
        "MaSoDoanhNghiep": "1402345678",
        "TenDoanhNghiep": "Công ty TNHH Thương mại Sen Hồng",
        "LoaiHinh": "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
        "TinhTrang": "Đang hoạt động",
        "NgayThanhLap": "20150612",
        "DiaChiTruSo": {
            "MaTinhThanh": "82",
            "MaPhuongXa": "29869",
            "ChiTiet": "Số 27 đường Tôn Đức Thắng, Phường Cao Lãnh",
        },
        "NguoiDaiDien": {"HoVaTen": "Trần Văn Hùng", "SoDinhDanh": "087085004321"},
    },
    "1201234567": {
        "MaSoDoanhNghiep": "1201234567",
        "TenDoanhNghiep": "Hợp tác xã Nông nghiệp Mỹ Phước",
        "LoaiHinh": "Hợp tác xã",
        "TinhTrang": "Đang hoạt động",
        "NgayThanhLap": "20190305",
        "DiaChiTruSo": {"MaTinhThanh": "82", "MaPhuongXa": "30037", "ChiTiet": "Ấp Mỹ Phước"},
        "NguoiDaiDien": {"HoVaTen": "Phạm Đức Thắng", "SoDinhDanh": "087068002468"},
    },
}


@csrf_exempt
@require_POST
def lookup(request: HttpRequest) -> HttpResponse:
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    expected = f"Bearer {settings.SIM_BUSINESS_REGISTRY_TOKEN}"
    if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
        return json_answer({"error_code": "401", "message": "Không có quyền truy cập"}, 401)
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or not body.get("MaSoDoanhNghiep") or not body.get("MaYeuCau"):
        return json_answer({"error_code": "1", "message": "Thiếu MaSoDoanhNghiep hoặc MaYeuCau"})
    code = str(body["MaSoDoanhNghiep"]).strip()
    calls.append(code)
    return json_answer({"error_code": "0", "message": "", "data": BUSINESSES.get(code)})


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)
