"""Template filters for the text of printed forms: `{% load form_text %}`."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Longest heading line (in characters) printed on one line in the header's left column at 12 pt.
HEADING_LINE = 30


@register.filter
def two_digits(value: int | str | None) -> str:
    """`{{ 1|two_digits }}` → "01": counts on forms are written with two digits ("01 bộ")."""
    if value is None or value == "":
        return "…"
    try:
        return f"{int(value):02d}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def balanced(value: str) -> SafeString:
    """A header line split into two lines of about equal length when it is too long.

    Official headers wrap the issuing body as "TRUNG TÂM PHỤC VỤ / HÀNH CHÍNH CÔNG", never with a
    lone word on the second line. Line breaks given by the caller ("\\n") are kept as they are.
    """
    text = str(value or "")
    if "\n" in text:
        lines = text.splitlines()
    elif len(text) <= HEADING_LINE or " " not in text:
        lines = [text]
    else:
        middle = len(text) / 2
        spaces = [i for i, char in enumerate(text) if char == " "]
        cut = min(spaces, key=lambda i: abs(i - middle))
        lines = [text[:cut], text[cut + 1 :]]
    return mark_safe("<br>".join(conditional_escape(line) for line in lines))


@register.filter
def code_break(value: str) -> SafeString:
    """A dossier code allowed to wrap after its agency part ("000.00.12.H19-" / "260213-0001")."""
    head, sep, tail = str(value or "").partition("-")
    if not sep:
        return conditional_escape(head)
    return mark_safe(f"{conditional_escape(head)}-<br>{conditional_escape(tail)}")
