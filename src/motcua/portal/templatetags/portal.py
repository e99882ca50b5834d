"""Vietnamese display conventions for the citizen pages: money in whole đồng."""

from __future__ import annotations

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
