"""Vietnamese display conventions for the citizen pages: money in whole đồng, time limits."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.formats import get_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """20000 → "20.000 đồng" (the active language's thousands separator); None and 0 say why.

    None means the rate is not filled in yet (e.g. the provincial People's Council sets it),
    which citizens must not read as "free".
    """
    if amount is None or amount == "":
        return _("No rate set yet")
    amount = int(amount)
    if amount == 0:
        return _("Free of charge")
    # Django's Vietnamese formats set the separator but no grouping, so group by hand.
    grouped = f"{amount:,}".replace(",", get_format("THOUSAND_SEPARATOR"))
    return _("%(amount)s VND") % {"amount": grouped}


# "đồng/trường hợp", "đồng / bản", "Đồng/lần": a unit that repeats the currency.
_CURRENCY_PREFIX = re.compile(r"^\s*(vnđ|vnd|đồng)\s*/\s*", re.IGNORECASE)


@register.filter
def fee_amount(fee: Any) -> str:
    """A fee's amount with its unit, the currency said once: "10.000 đồng/trường hợp" (the
    catalog's units often repeat "đồng/"); no unit after "Free of charge" or "No rate set"."""
    text = vnd(fee.amount_vnd)
    unit = _CURRENCY_PREFIX.sub("", fee.unit or "").strip()
    if not fee.amount_vnd or not unit:
        return text
    return f"{text}/{unit}"


@register.filter
def time_limit(item: Any) -> str:
    """A time limit as citizens say it: "3 ngày làm việc", and "Trong ngày" for a same-day
    settlement (0 working days or hours), never "0 ngày làm việc"."""
    if not item.amount:
        return _("Same day")
    return f"{item.amount} {item.get_unit_display()}"
