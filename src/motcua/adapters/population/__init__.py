"""Client of the population database (CSDL quốc gia về dân cư; DOMAIN-integration.md §6).

`POST {POPULATION_DB_URL}` (the province's LGSP endpoint) with JSON {HoVaTen, SoDinhDanh,
SoCMND, NgayThangNam, Nam, MaTichHop, MaDVC, MaCanBo, MaYeuCau} and `Authorization: Bearer
<POPULATION_DB_TOKEN>` (UNCONFIRMED: the gateway's authentication); the answer is JSON
{"error_code", "message"} with `message` an XML string Envelope/Body/CongdanCollection/CongDan.
Namespaces, if any, are ignored (UNCONFIRMED on the wire). An empty collection is "not found".

Errors (GatewayError.permanent): timeouts, connection failures, 5xx, 429 and a non-JSON answer
are retryable; 4xx, an error_code other than "0" and unreadable XML are permanent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import httpx
from django.conf import settings

from ..errors import GatewayError, post_json

__all__ = ["Address", "Citizen", "GatewayError", "PopulationClient", "client_from_settings"]


@dataclass(frozen=True)
class Address:
    province_code: str = ""
    commune_code: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Citizen:
    """Công dân as the population database answers (the fields we use)."""

    id_number: str
    old_id_number: str
    full_name: str
    gender: str
    birth_date: str  # yyyymmdd, or yyyy when only the year is known
    permanent: Address = field(default_factory=Address)
    current: Address = field(default_factory=Address)
    email: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: ET.Element | None, name: str) -> ET.Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: ET.Element | None, *path: str) -> str:
    for name in path:
        node = _child(node, name)
    return (node.text or "").strip() if node is not None else ""


def _address(node: ET.Element | None) -> Address:
    return Address(
        province_code=_text(node, "MaTinhThanh"),
        commune_code=_text(node, "MaPhuongXa"),
        detail=_text(node, "ChiTiet"),
    )


def parse_reply(xml: str) -> list[Citizen]:
    try:
        root = ET.fromstring(xml)  # noqa: S314 — a trusted gateway; no DTDs are served
    except ET.ParseError as exc:
        raise GatewayError("The population database answered unreadable XML", True) from exc
    people = [n for n in root.iter() if _local(n.tag) == "CongDan"]
    return [
        Citizen(
            id_number=_text(n, "SoDinhDanh"),
            old_id_number=_text(n, "SoCMND"),
            full_name=_text(n, "HoVaTen", "Ten") or _text(n, "HoVaTen"),
            gender=_text(n, "GioiTinh"),
            birth_date=_text(n, "NgayThangNamSinh", "NgayThangNam")
            or _text(n, "NgayThangNamSinh", "Nam"),
            permanent=_address(_child(n, "ThuongTru")),
            current=_address(_child(n, "NoiOHienTai")),
            email=_text(n, "ThuDienTu"),
        )
        for n in people
    ]


class PopulationClient:
    def __init__(self, url: str, token: str, integration_code: str, timeout: float) -> None:
        self.url = url
        self.integration_code = integration_code
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {token}",
                "User-Agent": "MotCua/1.0 (provincial one-stop system; population look-up)",
            },
        )

    def __repr__(self) -> str:  # never print the token
        return f"PopulationClient(url={self.url!r})"

    def __enter__(self) -> PopulationClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def lookup(
        self, *, id_number: str, full_name: str = "", procedure_code: str = "", officer: str = ""
    ) -> Citizen | None:
        """The citizen holding this 12-digit (or old 9-digit) number, or None."""
        number = id_number.strip()
        body = {
            "HoVaTen": full_name,
            "SoDinhDanh": number if len(number) != 9 else "",
            "SoCMND": number if len(number) == 9 else "",
            "NgayThangNam": "",
            "Nam": "",
            "MaTichHop": self.integration_code,
            "MaDVC": procedure_code,
            "MaCanBo": officer,
            "MaYeuCau": uuid.uuid4().hex,
        }
        payload = post_json(self._http, self.url, body, timeout=self.timeout)
        code = str(payload.get("error_code", "")).strip()
        if code != "0":
            message = str(payload.get("message", ""))[:200]
            raise GatewayError(f"Population database error {code}: {message}", permanent=True)
        people = parse_reply(str(payload.get("message") or ""))
        return next((p for p in people if number in (p.id_number, p.old_id_number)), None)


def client_from_settings() -> PopulationClient:
    return PopulationClient(
        url=settings.POPULATION_DB_URL,
        token=settings.POPULATION_DB_TOKEN,
        integration_code=settings.POPULATION_DB_INTEGRATION_CODE,
        timeout=settings.POPULATION_DB_TIMEOUT,
    )
