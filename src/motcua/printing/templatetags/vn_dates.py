"""Template filters for Vietnamese dates on printed forms: `{% load vn_dates %}`."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from motcua.printing import dates

register = template.Library()


@register.filter
def vn_date(value: date | datetime | None) -> str:
    """`{{ d|vn_date }}` → "ngày 13 tháng 02 năm 2026"."""
    return dates.vn_date(value)


@register.filter
def vn_datetime(value: datetime | None) -> str:
    """`{{ dt|vn_datetime }}` → "10 giờ 05 phút, ngày 13 tháng 02 năm 2026"."""
    return dates.vn_datetime(value)


@register.filter
def vn_place_date(value: date | datetime | None, place: str) -> str:
    """`{{ issued_at|vn_place_date:place }}` → "Đồng Tháp, ngày 13 tháng 02 năm 2026"."""
    return dates.vn_place_date(value, place)


@register.filter
def vn_short_date(value: date | datetime | None) -> str:
    """`{{ d|vn_short_date }}` → "13/02/2026"."""
    return dates.vn_short_date(value)


@register.filter
def vn_short_time(value: datetime | None) -> str:
    """`{{ dt|vn_short_time }}` → "10:05"."""
    return dates.vn_short_time(value)
