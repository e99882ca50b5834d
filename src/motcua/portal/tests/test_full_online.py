"""GET /thu-tuc/toan-trinh/: the province's latest approved full-online list (R25)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalog.services import full_online_list_create

from .dom import Page

pytestmark = pytest.mark.django_db

URL = "/thu-tuc/toan-trinh/"


def test_url_name():
    assert reverse("portal:full_online") == URL


def test_shows_the_latest_decision_and_its_procedures(client, catalog, catalog_admin):
    full_online_list_create(
        actor=catalog_admin,
        decision_number="100/QĐ-UBND",
        decision_date=dt.date(2025, 8, 1),
        issuer="Ủy ban nhân dân tỉnh Đồng Tháp",
        procedures=[catalog.birth, catalog.permit],
    )
    full_online_list_create(
        actor=catalog_admin,
        decision_number="250/QĐ-UBND",
        decision_date=dt.date(2026, 3, 2),
        issuer="Ủy ban nhân dân tỉnh Đồng Tháp",
        procedures=[catalog.birth],
    )
    response = client.get(URL)
    assert response.status_code == 200
    page = Page(response)
    text = page.text
    assert "250/QĐ-UBND" in text
    assert "02/03/2026" in text
    assert "100/QĐ-UBND" not in text
    rows = page.select("table tbody tr")
    assert len(rows) == 1
    assert "1.001193" in rows[0].text
    assert "Hộ tịch" in rows[0].text
    links = [n.attrs["href"] for n in rows[0].walk() if n.tag == "a"]
    assert links == [reverse("portal:procedure", args=["1.001193"])]
    page.assert_tables_accessible()
    page.assert_headings_in_order()


def test_without_a_list_says_so(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert Page(response).select("p.empty")
    assert not Page(response).select("table")


def test_links_a_public_xlsx_export_of_that_decision(client, catalog, catalog_admin):
    decision = full_online_list_create(
        actor=catalog_admin,
        decision_number="250/QĐ-UBND",
        decision_date=dt.date(2026, 3, 2),
        issuer="Ủy ban nhân dân tỉnh Đồng Tháp",
        procedures=[catalog.birth],
    )
    response = client.get(URL)
    export_url = reverse("portal:full_online_export", args=[decision.pk])
    assert response.context["export_url"] == export_url
    # Citizens are not logged in: the annex of a public decision is public.
    download = client.get(export_url)
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "1.001193" in cells
    assert (
        client.get(reverse("portal:full_online_export", args=[decision.pk + 1])).status_code == 404
    )
