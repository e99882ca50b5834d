"""What the national portal is told: the dossier object and a progress row (Style A envelope,
DOMAIN-integration.md §1.2–1.4), built inside the transaction of each change.

Date-times are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (DOMAIN.md decision 10). The delivery (login,
`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`, retry) comes with the integration hub; the events are
complete and ordered already.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.core.workcalendar import TZ

from .constants import NATIONAL_CHANNEL, ApplicantKind, ReturnMethod
from .models import Dossier, DossierEvent


def portal_time(value: dt.datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y%m%d%H%M%S") if value else ""


def dossier_object(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {
        "MaHoSo": dossier.code,
        "MaHoSoKhac": dossier.external_code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "KenhThucHien": NATIONAL_CHANNEL[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": "1" if dossier.applicant_kind == ApplicantKind.CITIZEN else "2",
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "TrichYeuHoSo": (dossier.summary or version.name)[:1000],
        "NgayNopHoSo": portal_time(dossier.submitted_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "TrangThaiHoSo": str(dossier.national_status),
        "NgayKetThucXuLy": portal_time(dossier.finished_at),
        "NgayTra": portal_time(dossier.returned_at),
        "HinhThuc": "1" if dossier.return_method == ReturnMethod.POST else "0",
        "DonViXuLy": dossier.competent_agency.name,
        "DinhDanhCHS": (
            [{"LoaiDinhDanh": "1", "SoDinhDanh": dossier.applicant_id_number}]
            if dossier.applicant_kind == ApplicantKind.CITIZEN
            else []
        ),
        "DanhSachLePhi": [
            {"TenPhiLePhi": fee["name"], "Gia": fee["amount_vnd"]} for fee in dossier.fees
        ],
    }


def progress_row(dossier: Dossier, event: DossierEvent, *, actor_name: str) -> dict[str, Any]:
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": (actor_name or "Chuyên viên")[:50],
        "ChucDanh": "",
        "ThoiDiemXuLy": portal_time(event.at),
        "PhongBanXuLy": event.to_agency.name if event.to_agency_id else "",
        "NoiDungXuLy": event.note or event.get_kind_display(),
        "TrangThai": str(event.national_status),
        "NgayBatDau": portal_time(dossier.step_started_at),
        "NgayKetThucTheoQuyDinh": portal_time(dossier.step_due_at),
    }
