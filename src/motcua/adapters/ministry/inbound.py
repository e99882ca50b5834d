"""A dossier a ministry's system or the national coordination system hands to the province
(DOMAIN-integration.md §5: `HoSoBTXH`), as the §9.2 object our intake service takes
(`dossiers/services/intake.py` `intake_receive`), so every way a dossier arrives from outside
goes through one pipeline — like `adapters/national_portal/intake.py` `package_to_intake`.

Mapping (HoSoBTXH → §9.2): `HoVaTen` → `ChuHoSo`; `SoDinhDanh`, else `CMND` → `SoDinhDanh`;
`LoaiDoiTuong`; `NgayThangNamSinh` → `NgaySinh`; `MaTinh`/`MaXa` and the current address
(`NOHT_DiaChi`, else the permanent one `HKTT_DiaChi`) → `DiaChi`; `SoDienThoai` → `DienThoai`;
`Email`; `MaTTHC`; `NgayTiepNhan` (else `SubmitedDate`) → `NgayNopHoSo`; `TrichYeu`. Every other
scalar field (`MaHoSo` the system's own code, `LoaiDuLieu`, `DonViXuLy`, `NoiNopHoSo`, decision
fields, …) is kept as e-form data. Files: `TaiLieuNop` [{`TenTepDinhKem`, `Base64` or
`DuongDan`, `MaThanhPhanHoSo`, `TenThanhPhanHoSo`}] as in §9.2, or the `CertificateExtentData`
XML's `<TaiLieuNop>` list (one element per file, its children named like those keys).

UNCONFIRMED (§5 lists the field names only): the code lists of `LoaiDoiTuong` and the address
codes (read as §9.2's: 1 citizen / 2 organization; the 2025 commune list), and the inner shape
of `CertificateExtentData`. Routing takes the applicant's commune, not `DonViXuLy` (a name).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

MAX_XML_CHARS = 15 * 1024 * 1024  # inline base64 files make it large; the intake checks sizes

# Keys turned into the §9.2 object (or files): not repeated in the e-form data.
_MAPPED = {
    "AcceptKey",
    "HoVaTen",
    "SoDinhDanh",
    "CMND",
    "LoaiDoiTuong",
    "NgayThangNamSinh",
    "MaTinh",
    "MaXa",
    "NOHT_DiaChi",
    "HKTT_DiaChi",
    "SoDienThoai",
    "Email",
    "MaTTHC",
    "TrichYeu",
    "TaiLieuNop",
    "CertificateExtentData",
    "IdempotencyKey",
}
_FILE_KEYS = ("TenTepDinhKem", "Base64", "DuongDan", "MaThanhPhanHoSo", "TenThanhPhanHoSo")


class RecordInvalid(ValueError):
    """The record cannot be read: `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _files_from_xml(xml: Any) -> list[dict[str, str]]:
    if not isinstance(xml, str) or not xml.strip():
        return []
    if len(xml) > MAX_XML_CHARS:
        raise RecordInvalid("CertificateExtentData", "too large")
    try:
        root = ET.fromstring(xml)  # noqa: S314 — the stdlib parser expands no external entities
    except ET.ParseError:
        raise RecordInvalid("CertificateExtentData", "not well-formed XML") from None
    node = root if root.tag == "TaiLieuNop" else root.find(".//TaiLieuNop")
    if node is None:
        return []
    return [
        {k: (item.findtext(k) or "").strip() for k in _FILE_KEYS if item.find(k) is not None}
        for item in node
    ]


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def hoso_to_intake(record: dict[str, Any]) -> dict[str, Any]:
    """The §9.2 object of a `HoSoBTXH` record (RecordInvalid when its files cannot be read)."""
    files = record.get("TaiLieuNop")
    if files is None:
        files = _files_from_xml(record.get("CertificateExtentData"))
    address = record.get("NOHT_DiaChi") or record.get("HKTT_DiaChi") or ""
    form = {k: v for k, v in record.items() if k not in _MAPPED and _scalar(v) and v != ""}
    return {
        "MaHoSo": record.get("MaHoSo") or "",
        "MaTTHC": record.get("MaTTHC"),
        "NgayNopHoSo": record.get("NgayTiepNhan") or record.get("SubmitedDate") or "",
        "LoaiDoiTuong": record.get("LoaiDoiTuong") or "1",
        "ChuHoSo": record.get("HoVaTen"),
        "SoDinhDanh": record.get("SoDinhDanh") or record.get("CMND"),
        "NgaySinh": record.get("NgayThangNamSinh") or "",
        "DiaChi": {
            "MaTinh": record.get("MaTinh"),
            "MaXa": record.get("MaXa"),
            "DiaChiChiTiet": address if isinstance(address, str) else "",
        },
        "DienThoai": record.get("SoDienThoai") or "",
        "Email": record.get("Email") or "",
        "TrichYeu": record.get("TrichYeu") or "",
        "DuLieuBieuMau": form,
        "TaiLieuNop": files,
    }
