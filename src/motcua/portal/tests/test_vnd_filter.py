"""The `vnd` filter: whole đồng with the language's thousands separator; None and 0 explained."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext

from motcua.portal.templatetags.portal import vnd


def test_vietnamese_uses_dots():
    with translation.override("vi"):
        assert vnd(20000) == gettext("%(amount)s VND") % {"amount": "20.000"}
        assert vnd(1000000) == gettext("%(amount)s VND") % {"amount": "1.000.000"}
        assert vnd(500) == gettext("%(amount)s VND") % {"amount": "500"}


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (20000, "20,000 VND"),
        (None, "No rate set yet"),
        (0, "Free of charge"),
    ],
)
def test_english(amount, text):
    with translation.override("en"):
        assert vnd(amount) == text


def test_none_and_zero_differ():
    # A missing rate must never read as "free".
    assert vnd(None) != vnd(0)


def test_in_a_template():
    with translation.override("en"):
        out = Template("{% load portal %}{{ a|vnd }}").render(Context({"a": 37500}))
    assert out == "37,500 VND"
