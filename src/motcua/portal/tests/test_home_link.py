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


def test_home_is_for_citizens_tracking_in_the_header_and_on_the_page(client):
    """Tracking is one click away everywhere; the operators' links (API, probes) are not on
    the citizens' home page (they are in the administration's header)."""
    response = client.get("/")
    page = Page(response)
    header_links = [n.attrs.get("href") for n in page.select("header a")]
    assert "/tra-cuu-ho-so/" in header_links and "/thu-tuc/" in header_links
    (track,) = [f for f in page.select("form") if f.attrs.get("action") == "/tra-cuu-ho-so/"]
    assert track.attrs["method"] == "post"
    names = [n.attrs["name"] for n in track.walk() if n.tag == "input"]
    assert {"ma", "xac_thuc"} <= set(names)
    body = response.content.decode()
    assert "/api/v1/docs" not in body and "/healthz" not in body and "/readyz" not in body
    page.assert_controls_labelled()


def test_home_tracking_form_reaches_the_tracking_answer(client):
    response = client.post(
        "/tra-cuu-ho-so/", {"ma": "000.00.12.H20-260302-0001", "xac_thuc": "0912345678"}
    )
    assert response.status_code == 404  # looked up: unknown code, the same answer as a wrong one
