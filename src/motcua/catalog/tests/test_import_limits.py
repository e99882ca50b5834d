"""The catalog import survives hostile files (issue 11 §5): too large (refused unread), too many
rows in a small workbook (streaming stops), JSON nested too deep or holding too many documents."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from motcua.catalog.importing import MAX_ROWS, PROCEDURE_COLUMNS, catalog_import_preview
from motcua.catalog.models import CatalogImport
from motcua.core.errors import InvalidInput
from motcua.core.tests.spreadsheet_files import many_rows_xlsx

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def named(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


def test_over_20_mb_is_refused_unread_over_the_api(admin_client):
    big = named(b" " * (20 * MB + 1), "danh-muc.json")
    response = admin_client.post("/api/v1/catalog/imports", {"file": big})
    assert response.status_code == 422
    assert response.json()["message"] == "Tệp quá lớn: chỉ được tải lên tối đa 20 MB."
    assert not CatalogImport.objects.exists()


def test_over_20_mb_is_refused_unread_on_the_admin_page(admin_client):
    big = named(b" " * (20 * MB + 1), "danh-muc.json")
    response = admin_client.post(reverse("admin:catalog_import"), {"file": big, "codes": ""})
    assert response.status_code == 200
    assert "Tệp quá lớn: chỉ được tải lên tối đa 20 MB." in response.content.decode()
    assert not CatalogImport.objects.exists()


def test_a_small_workbook_of_400_000_rows_stops_at_the_row_limit(catalog_admin):
    header = [label for _key, label in PROCEDURE_COLUMNS]
    # The XML is cut off after the last row: reading it all would fail differently.
    content = many_rows_xlsx(header, 400_000, title="Thủ tục", broken_end=True)
    with pytest.raises(InvalidInput) as refused:
        catalog_import_preview(actor=catalog_admin, filename="danh-muc.xlsx", content=content)
    assert refused.value.errors["Thủ tục"] == [f"Mỗi trang tính có tối đa {MAX_ROWS} dòng."]
    assert not CatalogImport.objects.exists()


def test_json_nested_too_deep_is_invalid_not_a_crash(catalog_admin):
    with pytest.raises(InvalidInput) as refused:
        catalog_import_preview(
            actor=catalog_admin, filename="danh-muc.json", content=b"[" * 100_000
        )
    assert "JSON" in refused.value.message


def test_json_with_too_many_documents_is_refused(catalog_admin):
    content = b"[" + b",".join([b"{}"] * (MAX_ROWS + 1)) + b"]"
    with pytest.raises(InvalidInput) as refused:
        catalog_import_preview(actor=catalog_admin, filename="danh-muc.json", content=content)
    assert refused.value.errors == {"file": [f"Mỗi tệp có tối đa {MAX_ROWS} thủ tục."]}
