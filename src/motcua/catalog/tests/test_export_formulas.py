"""No catalog spreadsheet turns a procedure's text into a live formula (issue 11 §5): the
catalog export, the health review and the full-online list all go through core.spreadsheets,
and the catalog export still imports back unchanged."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalog.importing import catalog_import_preview
from motcua.catalog.services import full_online_list_create, version_save

from .documents import document

pytestmark = pytest.mark.django_db

ATTACK = '=HYPERLINK("http://x","click")'
STEPS = "- Bước 1: nộp hồ sơ.\n- Bước 2: nhận kết quả."  # legitimate text starting with "-"


@pytest.fixture
def tainted(catalog_admin, birth_form):
    """A draft whose name is a formula and whose steps start with a dash (no competence rule:
    the health review lists a gap for it)."""
    return version_save(actor=catalog_admin, content=document(name=ATTACK, steps=STEPS))


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


def assert_no_formula(content: bytes) -> list:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    for cell in cells:
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    return [c.value for c in cells]


@pytest.mark.parametrize(
    "url", [reverse("admin:catalog_export_xlsx"), "/api/v1/catalog/export.xlsx"]
)
def test_catalog_export_quotes_formulas_and_reimports_unchanged(
    admin_client, catalog_admin, tainted, url
):
    response = admin_client.get(url)
    assert response.status_code == 200
    values = assert_no_formula(response.content)
    assert "'" + ATTACK in values
    assert "'" + STEPS in values
    batch = catalog_import_preview(
        actor=catalog_admin, filename="danh-muc.xlsx", content=response.content
    )
    assert [(r["status"], r["changes"]) for r in batch.diff] == [("unchanged", [])]


@pytest.mark.parametrize(
    "url", [reverse("admin:catalog_health_export"), "/api/v1/catalog/health.xlsx"]
)
def test_health_review_quotes_formulas(admin_client, tainted, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    values = assert_no_formula(response.content)
    assert "'" + ATTACK in values
    assert any(isinstance(v, int | float) for v in values)  # counts stay numbers


def test_full_online_list_quotes_formulas(client, catalog_admin, tainted):
    decision = full_online_list_create(
        actor=catalog_admin,
        decision_number="@12/QĐ-UBND",
        decision_date=dt.date(2026, 3, 2),
        issuer="+Ủy ban nhân dân tỉnh",
        note="-ghi chú",
        procedures=[tainted.procedure],
    )
    response = client.get(reverse("portal:full_online_export", args=[decision.pk]))
    assert response.status_code == 200
    values = assert_no_formula(response.content)
    assert "'" + ATTACK in values
    assert 1 in values  # the row number is still a number
