"""What the national portal is told and what it tells us about ratings and questions
(DOMAIN-integration.md §7). The field lists are UNCONFIRMED: the services' names are known
([VT1G]), their fields are not public. Ours follow §1's conventions — Vietnamese PascalCase keys,
codes as strings, date-times `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh, `IdempotencyKey` on every
object we send — and name the dossier the way the portal knows it (`MaHoSo` its own code for a
dossier born there, ours otherwise, as §9.3 does)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.dossiers.national import portal_time
from motcua.organizations.models import Agency

from .constants import NATIONAL_CRITERION, NATIONAL_LEVEL, Criterion, Level, Source
from .models import Question, Rating

# UNCONFIRMED: how the rating was given (`KenhDanhGia`), ours.
NATIONAL_SOURCE = {Source.ACCOUNT: "1", Source.TRACKING: "2"}


def identified(agency: Agency | None) -> Agency | None:
    """The agency itself or the nearest one above it with an electronic identifier (a desk
    has none; the portal knows agencies by identifier)."""
    while agency is not None and not agency.code:
        agency = agency.parent
    return agency


def rating_row(rating: Rating, dossier: Dossier) -> dict[str, Any]:
    """The `DongBoDanhGia` object of one rating (no personal data: the portal knows the
    dossier's applicant already)."""
    unit = identified(dossier.competent_agency)
    with translation.override("vi"):
        return {
            "MaHoSo": dossier.external_code or dossier.code,
            "MaHoSoDonVi": dossier.code,
            "MaTTHC": dossier.procedure.code,
            "MaCoQuan": unit.code if unit else "",
            "TenCoQuan": dossier.competent_agency.name,
            "MucDoHaiLong": NATIONAL_LEVEL[rating.level],
            "TenMucDoHaiLong": str(Level(rating.level).label),
            "DanhGiaChiTiet": [
                {
                    "MaTieuChi": NATIONAL_CRITERION[criterion],
                    "TenTieuChi": str(Criterion(criterion).label),
                    "MucDoHaiLong": NATIONAL_LEVEL[level],
                }
                for criterion, level in sorted(rating.marks.items())
            ],
            "NoiDung": rating.comment,
            "NgayDanhGia": portal_time(rating.rated_at),
            "KenhDanhGia": NATIONAL_SOURCE[rating.source],
        }


def answer_row(question: Question) -> dict[str, Any]:
    """The `DongBoKetQuaHoiDapGuiTuDVCQG` object of an answer."""
    unit = identified(question.agency)
    user = question.answered_by
    return {
        "MaCauHoi": question.national_id,
        "NoiDungTraLoi": question.answer,
        "NguoiTraLoi": (user.full_name or user.get_username()) if user else "",
        "MaCoQuanTraLoi": unit.code if unit else "",
        "TenCoQuanTraLoi": question.agency.name,
        "NgayTraLoi": portal_time(question.answered_at),
    }


def _text(raw: dict[str, Any], key: str, limit: int) -> str:
    value = raw.get(key)
    return str(value).strip()[:limit] if value is not None else ""


def _time(value: Any) -> dt.datetime | None:
    """`yyyyMMddHHmmss` in Hà Nội time, or None when absent or unreadable."""
    from motcua.core.workcalendar import TZ

    try:
        return dt.datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=TZ)
    except (TypeError, ValueError):
        return None


class BadQuestion(ValueError):
    """The portal sent a question we cannot store (no id, no content)."""


def question_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """A question of `LayDanhSachHoiDapGuiTuDVCQG` as our fields (UNCONFIRMED keys: MaCauHoi,
    TieuDe, NoiDung, HoTen, Email, SoDienThoai, MaCoQuan, MaTTHC, NgayGui)."""
    national_id = _text(raw, "MaCauHoi", 60)
    content = _text(raw, "NoiDung", 20000)
    if not national_id:
        raise BadQuestion(_("The question has no MaCauHoi."))
    if not content:
        raise BadQuestion(_("Question %(id)s has no content.") % {"id": national_id})
    return {
        "national_id": national_id,
        "title": _text(raw, "TieuDe", 500) or content[:120],
        "content": content,
        "asker_name": _text(raw, "HoTen", 255),
        "asker_email": _text(raw, "Email", 255),
        "asker_phone": _text(raw, "SoDienThoai", 20),
        "agency_code_given": _text(raw, "MaCoQuan", 40),
        "procedure_code": _text(raw, "MaTTHC", 40),
        "asked_at": _time(raw.get("NgayGui")),
    }
