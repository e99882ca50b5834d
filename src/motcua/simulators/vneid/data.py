"""The test identities the simulated VNeID knows: the population database simulator's citizens
(simulators/population/data.py, so a desk look-up and a login name the same people) and an
organization account of the business register simulator's enterprise with its representative.

Claim names are those TDDVC reads from VNeID (DOMAIN-integration.md §3.1: `sub`,
`LoaiTaiKhoan`, `SoDinhDanh`, `HoVaTen`, `NgayThangNamSinh`, `TechID`, `loAs`, `IAL`).
UNCONFIRMED, decided here: `LoaiTaiKhoan` "1" a citizen, "2" an organization; an organization's
claims `MaSoDoanhNghiep`, `TenToChuc`, `NguoiDaiDien` {HoVaTen, SoDinhDanh}; the date of birth
as yyyy-mm-dd; the address (`DiaChi`) and e-mail (`ThuDienTu`) from userinfo only.
"""

from __future__ import annotations

import uuid
from typing import Any

from motcua.simulators.population import data as population

CITIZEN = "1"
ORGANIZATION = "2"
_NAMESPACE = uuid.UUID("8f0d6c1e-3b1a-4c55-9d7e-0a5c1f2e7b10")


def subject(kind: str, number: str) -> str:
    """A stable pairwise subject per account, as a provider would give (not the number)."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{number}"))


def tech_id(kind: str, number: str) -> str:
    """The national portal's technical account id (TechID), stable per account."""
    return "TK" + uuid.uuid5(_NAMESPACE, f"tech:{kind}:{number}").hex[:16].upper()


def citizen_claims(
    number: str, name: str, born: str = "", address: str = "", email: str = ""
) -> dict[str, Any]:
    return {
        "sub": subject(CITIZEN, number),
        "LoaiTaiKhoan": CITIZEN,
        "SoDinhDanh": number,
        "HoVaTen": name,
        "NgayThangNamSinh": born,
        "TechID": tech_id(CITIZEN, number),
        "loAs": "2",
        "IAL": "2",
        "DiaChi": address,
        "ThuDienTu": email,
    }


def _citizen(c: dict[str, Any]) -> dict[str, Any]:
    _commune, detail = c["NoiOHienTai"]
    return citizen_claims(
        c["SoDinhDanh"], c["HoVaTen"], c["NgayThangNamSinh"], detail, c["ThuDienTu"]
    )


ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "code": "1402345678",
        "name": "Công ty TNHH Thương mại Sen Hồng",
        "address": "Số 45 đường Nguyễn Huệ, khóm 2, phường Cao Lãnh",
        "representative": ("Trần Văn Hùng", "087085004321"),
    },
]


def _organization(o: dict[str, Any]) -> dict[str, Any]:
    rep_name, rep_number = o["representative"]
    return {
        "sub": subject(ORGANIZATION, o["code"]),
        "LoaiTaiKhoan": ORGANIZATION,
        "MaSoDoanhNghiep": o["code"],
        "TenToChuc": o["name"],
        "HoVaTen": rep_name,
        "NguoiDaiDien": {"HoVaTen": rep_name, "SoDinhDanh": rep_number},
        "TechID": tech_id(ORGANIZATION, o["code"]),
        "loAs": "2",
        "IAL": "2",
        "DiaChi": o["address"],
        "ThuDienTu": "",
    }


def identities() -> list[dict[str, Any]]:
    """Every test identity, citizens first."""
    return [_citizen(c) for c in population.CITIZENS] + [_organization(o) for o in ORGANIZATIONS]


def find(number: str) -> dict[str, Any] | None:
    for claims in identities():
        if number and number in (claims.get("SoDinhDanh"), claims.get("MaSoDoanhNghiep")):
            return claims
    return None


# What the ID token carries; the rest (address, e-mail, the representative) is userinfo's.
ID_TOKEN_CLAIMS = (
    "sub",
    "LoaiTaiKhoan",
    "SoDinhDanh",
    "MaSoDoanhNghiep",
    "TenToChuc",
    "HoVaTen",
    "NgayThangNamSinh",
    "TechID",
    "loAs",
    "IAL",
)
