"""Client of the national business registration system (Hệ thống thông tin quốc gia về đăng ký
doanh nghiệp), reached through the province's LGSP.

`POST {BUSINESS_REGISTRY_URL}` with JSON {"MaSoDoanhNghiep", "MaTichHop", "MaCanBo",
"MaYeuCau"} and `Authorization: Bearer <BUSINESS_REGISTRY_TOKEN>` → {"error_code": "0",
"data": {MaSoDoanhNghiep, TenDoanhNghiep, LoaiHinh, TinhTrang, NgayThanhLap, DiaChiTruSo
{MaTinhThanh, MaPhuongXa, ChiTiet}, NguoiDaiDien {HoVaTen, SoDinhDanh}}}; "not found" is
error_code "0" with `data` null. UNCONFIRMED: the service's real name and shape are not public;
this is the same envelope as the population database's gateway (§6), with JSON data.

Errors as adapters/errors.py: transport, 5xx, 429 retryable; 4xx and other codes permanent.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
from django.conf import settings

from ..errors import GatewayError, post_json

__all__ = ["Business", "BusinessRegistryClient", "GatewayError", "client_from_settings"]

# A tax code is 10 digits, or 10 digits, a hyphen and 3 for a branch.
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass(frozen=True)
class Business:
    tax_code: str
    name: str
    kind: str
    status: str
    founded: str
    province_code: str
    commune_code: str
    address: str
    representative: str


class BusinessRegistryClient:
    def __init__(self, url: str, token: str, integration_code: str, timeout: float) -> None:
        self.url = url
        self.integration_code = integration_code
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {token}",
                "User-Agent": "MotCua/1.0 (provincial one-stop system; business look-up)",
            },
        )

    def __repr__(self) -> str:
        return f"BusinessRegistryClient(url={self.url!r})"

    def __enter__(self) -> BusinessRegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def lookup(self, *, tax_code: str, officer: str = "") -> Business | None:
        body = {
            "MaSoDoanhNghiep": tax_code.strip(),
            "MaTichHop": self.integration_code,
            "MaCanBo": officer,
            "MaYeuCau": uuid.uuid4().hex,
        }
        payload = post_json(self._http, self.url, body, timeout=self.timeout)
        code = str(payload.get("error_code", "")).strip()
        if code != "0":
            message = str(payload.get("message", ""))[:200]
            raise GatewayError(f"Business registry error {code}: {message}", permanent=True)
        data = payload.get("data")
        if not data:
            return None
        if not isinstance(data, dict):
            raise GatewayError("The business registry answered no object", permanent=True)
        seat = data.get("DiaChiTruSo") or {}
        person = data.get("NguoiDaiDien") or {}
        return Business(
            tax_code=str(data.get("MaSoDoanhNghiep", "")),
            name=str(data.get("TenDoanhNghiep", "")),
            kind=str(data.get("LoaiHinh", "")),
            status=str(data.get("TinhTrang", "")),
            founded=str(data.get("NgayThanhLap", "")),
            province_code=str(seat.get("MaTinhThanh", "")),
            commune_code=str(seat.get("MaPhuongXa", "")),
            address=str(seat.get("ChiTiet", "")),
            representative=str(person.get("HoVaTen", "")),
        )


def client_from_settings() -> BusinessRegistryClient:
    return BusinessRegistryClient(
        url=settings.BUSINESS_REGISTRY_URL,
        token=settings.BUSINESS_REGISTRY_TOKEN,
        integration_code=settings.POPULATION_DB_INTEGRATION_CODE,
        timeout=settings.BUSINESS_REGISTRY_TIMEOUT,
    )
