"""Pull mode of the national portal's intake (DOMAIN-integration.md §9.4, the DVC liên thông
shape): token → list of undelivered packages → detail → (our intake service) → mark received.

`IntakePullClient` speaks the protocol; `package_to_intake` turns a package's detail (its e-form
an XML `<hoTich>` string, files inline as base64) into the §9.2 object `intake_receive` takes,
so push and pull create dossiers through one service. Settings pick the real API or the
simulator (NATIONAL_PORTAL_INTAKE_PULL_URL, …_USERNAME, …_PASSWORD).

Errors say whether a retry can help: timeouts, connection failures, 5xx and 429 are retryable;
a refused login, another 4xx or an answer without the expected shape are permanent.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from .catalog import NationalPortalError

TOKEN_PATH = "/api/token"  # noqa: S105 — a path, not a secret
LIST_PATH = "/api/lienthongdvclt/hosolienthong"
DETAIL_PATH = "/api/lienthongdvclt/hosolienthong/{id}"
MARK_PATH = "/api/lienthongdvclt/capnhatdanhan"
MAX_XML_BYTES = 1024 * 1024


class IntakePullClient:
    """Hồ sơ liên thông: the packages the national portal holds for the province."""

    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._token = ""
        self._http = httpx.Client(
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "MotCua/1.0 (intake pull)"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IntakePullClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.base_url + path
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = self._http.request(method, url, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise NationalPortalError(f"Timed out: {url}") from exc
        except httpx.HTTPError as exc:
            raise NationalPortalError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise NationalPortalError(f"HTTP {status} from {url}", status=status)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if status >= 400:
            raise NationalPortalError(f"HTTP {status} from {url}", permanent=True, status=status)
        if not isinstance(payload, dict):
            raise NationalPortalError(f"HTTP {status} from {url} is not a JSON object")
        return payload

    def login(self) -> None:
        # The password is sent, never logged (a refused login names the user only).
        self._token = ""
        payload = self._call(
            "POST", TOKEN_PATH, {"userName": self._username, "password": self._password}
        )
        token = payload.get("token")
        if not isinstance(token, str) or not token:
            raise NationalPortalError("The token answer has no token.", permanent=True)
        self._token = token

    def pending(self) -> list[dict[str, Any]]:
        """The packages not yet marked received (the list has no paging, §9.4)."""
        rows = self._call("GET", LIST_PATH).get("data")
        if not isinstance(rows, list):
            raise NationalPortalError("The list answer has no data array.", permanent=True)
        return [r for r in rows if isinstance(r, dict) and r.get("id") and r.get("maHoSo")]

    def detail(self, package_id: str) -> dict[str, Any]:
        path = DETAIL_PATH.format(id=quote(str(package_id), safe=""))
        data = self._call("GET", path).get("data")
        if not isinstance(data, dict):
            raise NationalPortalError(f"No detail for package {package_id}.", permanent=True)
        return data

    def mark_received(self, national_code: str) -> None:
        """Đánh dấu đã nhận; the portal's answer says "cập nhật thành công" (§9.4 step 5)."""
        payload = self._call("PUT", MARK_PATH, {"maHoSo": national_code, "daNhan": True})
        if "thành công" not in str(payload.get("message", "")).lower():
            raise NationalPortalError(f"{national_code} was not marked received: {payload}")


def client_from_settings() -> IntakePullClient:
    return IntakePullClient(
        settings.NATIONAL_PORTAL_INTAKE_PULL_URL,
        settings.NATIONAL_PORTAL_INTAKE_PULL_USERNAME,
        settings.NATIONAL_PORTAL_INTAKE_PULL_PASSWORD,
    )


def _form(xml: Any) -> dict[str, str]:
    """The `<hoTich>` e-form as {tag: text}; an unreadable one is an empty form."""
    if not isinstance(xml, str) or not xml.strip() or len(xml) > MAX_XML_BYTES:
        return {}
    try:
        root = ET.fromstring(xml)  # noqa: S314
    except ET.ParseError:
        return {}
    node = root if root.tag == "hoTich" else root.find(".//hoTich")
    if node is None:
        return {}
    return {child.tag: (child.text or "").strip() for child in node}


def package_to_intake(detail: dict[str, Any]) -> dict[str, Any]:
    """A liên thông package (detail) as the §9.2 object of our intake service: the requester
    (`nyc*`) is the applicant, `maDonVi` the commune (3 digits would be a district: none since
    the 2025 reorganization), the `<hoTich>` fields the e-form, withdrawn files left out."""
    form = _form(detail.get("data"))
    unit = str(detail.get("maDonVi") or "")
    files = [
        {
            "TenTepDinhKem": f.get("tenTepDinhKem") or f.get("tenGiayTo") or "",
            "Base64": f.get("duLieuTepDinhKem") or "",
            "MaThanhPhanHoSo": str(f.get("loaiGiayTo") or ""),
            "TenThanhPhanHoSo": f.get("tenGiayTo") or "",
        }
        for f in detail.get("fileDinhKem") or []
        if isinstance(f, dict) and str(f.get("huyGiayTo") or "0") != "1"
    ]
    return {
        "MaHoSo": detail.get("maHoSo"),
        "MaTTHC": detail.get("maTTHC"),
        "NgayNopHoSo": detail.get("ngayTiepNhan") or "",
        "LoaiDoiTuong": "1",
        "ChuHoSo": form.get("nycHoTen", ""),
        "SoDinhDanh": form.get("nycSoDinhDanh", ""),
        "NgaySinh": form.get("nycNgaySinh", ""),
        "DienThoai": form.get("nycDienThoai", ""),
        "Email": form.get("nycEmail", ""),
        "DiaChi": {
            "MaXa": int(unit) if unit.isdigit() and len(unit) > 3 else None,
            "DiaChiChiTiet": form.get("nycDiaChi", ""),
        },
        "MaDoiTuong": detail.get("techId") or "",
        "DuLieuBieuMau": {"module": detail.get("module") or "", **form},
        "TaiLieuNop": files,
    }
