"""Vietnamese date and time wording for printed forms, in Asia/Ho_Chi_Minh.

Decree 30/2020/NĐ-CP, Annex I, section II.5 (địa danh và thời gian ban hành văn bản): days below 10
and the months 1 and 2 are written with a leading zero ("ngày 05 tháng 02 năm 2026"), other months
without ("ngày 13 tháng 3 năm 2026"), so a "1" cannot later be turned into "11" or "12".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# What an official form prints where a value is not known yet: dotted blanks to fill by hand.
BLANK_DATE = "ngày … tháng … năm …"
BLANK_DATETIME = "… giờ … phút, " + BLANK_DATE


def local(value: datetime) -> datetime:
    """The aware `value` in Vietnam time; naive datetimes are refused (STYLE.md rule 10)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: forms only print aware datetimes")
    return value.astimezone(VN_TZ)


def local_date(value: date | datetime) -> date:
    """The calendar day of `value` in Vietnam (a `date` is returned as it is)."""
    if isinstance(value, datetime):
        return local(value).date()
    return value


def _day_month(day: date) -> tuple[str, str]:
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}", month


def vn_date(value: date | datetime | None) -> str:
    """ "ngày 13 tháng 02 năm 2026"; blanks when `value` is None."""
    if value is None:
        return BLANK_DATE
    day = local_date(value)
    dd, mm = _day_month(day)
    return f"ngày {dd} tháng {mm} năm {day.year}"


def vn_datetime(value: datetime | None) -> str:
    """ "10 giờ 05 phút, ngày 13 tháng 02 năm 2026"; blanks when `value` is None."""
    if value is None:
        return BLANK_DATETIME
    moment = local(value)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {vn_date(moment)}"


def vn_place_date(value: date | datetime | None, place: str) -> str:
    """ "Đồng Tháp, ngày 13 tháng 02 năm 2026" (the line under the national motto)."""
    return f"{place}, {vn_date(value)}"


def vn_short_date(value: date | datetime | None) -> str:
    """ "13/02/2026" for table cells (the ledger); empty when `value` is None."""
    if value is None:
        return ""
    return f"{local_date(value):%d/%m/%Y}"


def vn_short_time(value: datetime | None) -> str:
    """ "10:05" for table cells; empty when `value` is None."""
    if value is None:
        return ""
    return f"{local(value):%H:%M}"
