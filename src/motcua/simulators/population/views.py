"""The population database's look-up (DOMAIN-integration.md §6), simulated, under /sim/dancu/.

`POST tra-cuu` with JSON {HoVaTen, SoDinhDanh | SoCMND, NgayThangNam, Nam, MaTichHop, MaDVC,
MaCanBo, MaYeuCau} and header `Authorization: Bearer <SIM_POPULATION_TOKEN>` (the province's
gateway credential; UNCONFIRMED: the national service's authentication is not public) →
{"error_code": "0", "message": "<Envelope><Body><CongdanCollection><CongDan>…"}: an XML string
inside the JSON, as the observed provincial gateway answers. A number nobody holds → error_code
"0" and an empty CongdanCollection. A missing MaYeuCau, MaTichHop or number → error_code "1"
with the reason; a wrong credential → HTTP 401. Every look-up is logged (models.SimLookup).

Only the fields §6 lists are served; the seeded citizens are data.CITIZENS.
`_faults`: see motcua.simulators.switch. `nhat-ky` (GET): the log, as a small page for the demo.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ..switch import FaultSwitch, enabled, json_answer
from . import data
from .models import SimLookup

switch = FaultSwitch()


def _address(parent: ET.Element, tag: str, value: tuple[str, str]) -> None:
    commune, detail = value
    node = ET.SubElement(parent, tag)
    ET.SubElement(node, "MaTinhThanh").text = data.PROVINCE
    ET.SubElement(node, "MaQuanHuyen").text = ""  # no districts since 1/7/2025
    ET.SubElement(node, "MaPhuongXa").text = commune
    ET.SubElement(node, "ChiTiet").text = detail


def reply_xml(citizens: list[dict[str, Any]]) -> str:
    envelope = ET.Element("Envelope")
    collection = ET.SubElement(ET.SubElement(envelope, "Body"), "CongdanCollection")
    for c in citizens:
        node = ET.SubElement(collection, "CongDan")
        ET.SubElement(node, "SoDinhDanh").text = c["SoDinhDanh"]
        ET.SubElement(node, "SoCMND").text = c["SoCMND"]
        ET.SubElement(ET.SubElement(node, "HoVaTen"), "Ten").text = c["HoVaTen"]
        for tag in ("GioiTinh", "DanToc", "TonGiao", "QuocTich"):
            ET.SubElement(node, tag).text = c[tag]
        born = ET.SubElement(node, "NgayThangNamSinh")
        ET.SubElement(born, "NgayThangNam").text = c["NgayThangNamSinh"].replace("-", "")
        ET.SubElement(born, "Nam").text = c["NgayThangNamSinh"][:4]
        for tag in ("QueQuan", "ThuongTru", "NoiOHienTai"):
            _address(node, tag, c[tag])
        ET.SubElement(node, "ThuDienTu").text = c["ThuDienTu"]
        ET.SubElement(node, "LoaiTaiKhoan").text = "1"
    return ET.tostring(envelope, encoding="unicode")


def _authorized(request: HttpRequest) -> bool:
    expected = f"Bearer {settings.SIM_POPULATION_TOKEN}"
    return hmac.compare_digest(request.headers.get("Authorization", ""), expected)


@csrf_exempt
@require_POST
def lookup(request: HttpRequest) -> HttpResponse:
    """Tra cứu thông tin công dân."""
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    if not _authorized(request):
        return json_answer({"error_code": "401", "message": "Không có quyền truy cập"}, 401)
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_answer({"error_code": "1", "message": "Dữ liệu không phải JSON"})
    number = str(body.get("SoDinhDanh") or body.get("SoCMND") or "").strip()
    for field, value in (("MaYeuCau", body.get("MaYeuCau")), ("MaTichHop", body.get("MaTichHop"))):
        if not value:
            return json_answer({"error_code": "1", "message": f"Thiếu {field}"})
    if not number:
        return json_answer({"error_code": "1", "message": "Thiếu SoDinhDanh hoặc SoCMND"})
    citizen = data.find(number)
    with transaction.atomic():
        SimLookup.objects.create(
            request_id=str(body["MaYeuCau"])[:100],
            integration_code=str(body["MaTichHop"])[:60],
            procedure_code=str(body.get("MaDVC") or "")[:40],
            officer=str(body.get("MaCanBo") or "")[:150],
            id_number=number[:20],
            found=citizen is not None,
        )
    return json_answer({"error_code": "0", "message": reply_xml([citizen] if citizen else [])})


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)


@require_safe
def log_page(request: HttpRequest) -> HttpResponse:
    """The last look-ups, as plain text (the simulator's operator page)."""
    enabled()
    lines = [
        f"{e.at:%Y-%m-%d %H:%M:%S} {e.request_id} {e.officer} {e.procedure_code} "
        f"{e.id_number} {'found' if e.found else 'not found'}"
        for e in SimLookup.objects.order_by("-id")[:200]
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
