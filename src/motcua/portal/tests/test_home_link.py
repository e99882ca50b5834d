"""The home page leads citizens to the procedure catalog."""

from __future__ import annotations

import pytest

from .dom import Page

pytestmark = pytest.mark.django_db


def test_home_has_a_catalog_search_box(client):
    page = Page(client.get("/"))
    (form,) = page.select("form[role=search]")
    assert form.attrs["action"] == "/thu-tuc/"
    assert form.attrs["method"] == "get"
    assert [n.attrs["name"] for n in form.walk() if n.tag == "input"] == ["q"]
    page.assert_controls_labelled()
