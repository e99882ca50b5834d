"""Import and export through the admin pages and the API: the same preview → apply."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalog.constants import VersionStatus
from motcua.catalog.importing import catalog_export_xlsx
from motcua.catalog.models import CatalogImport, ProcedureVersion
from motcua.catalog.services import version_approve, version_publish

from .documents import document

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


def raised_fee_workbook() -> bytes:
    book = load_workbook(io.BytesIO(catalog_export_xlsx()))
    sheet = book["Phí, lệ phí"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("Mức thu (đồng)") + 1, value=8000)
    sheet.cell(row=2, column=header.index("Miễn, giảm") + 1, value=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_previews_the_diff_then_applies_a_new_draft(client, catalog_admin, published):
    client.force_login(catalog_admin)
    upload = SimpleUploadedFile("phi.xlsx", raised_fee_workbook(), content_type=XLSX)
    response = client.post(reverse("admin:catalog_import"), {"file": upload})
    batch = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_import_batch", args=[batch.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "fees.0.amount_vnd" in page.content.decode()
    assert ProcedureVersion.objects.count() == 1

    applied = client.post(response["Location"])
    assert applied.status_code == 302
    v2 = ProcedureVersion.objects.get(number=2)
    assert (v2.status, v2.source) == (VersionStatus.DRAFT, "xlsx")
    assert v2.fees.get().amount_vnd == 8000


def test_admin_shows_file_errors_and_stores_nothing(client, catalog_admin, published):
    client.force_login(catalog_admin)
    bad = json.dumps([document(code="1.0011")]).encode()
    upload = SimpleUploadedFile("sai.json", bad, content_type="application/json")
    response = client.post(reverse("admin:catalog_import"), {"file": upload})
    assert response.status_code == 200
    assert "Mã thủ tục có dạng 1.001193 (N.NNNNNN)." in response.content.decode()
    assert not CatalogImport.objects.exists()


def test_admin_export_downloads_both_formats(client, catalog_admin, published):
    client.force_login(catalog_admin)
    xlsx = client.get(reverse("admin:catalog_export_xlsx"))
    assert xlsx["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(xlsx.content))["Thủ tục"]["A2"].value == "1.001193"
    data = json.loads(client.get(reverse("admin:catalog_export_json")).content)
    assert [d["code"] for d in data["procedures"]] == ["1.001193"]


def test_import_pages_are_for_catalog_managers(client, make_official, tree):
    clerk = make_official("clerk", tree["osu"], [("receiving_officer", tree["osu"], True)])
    client.force_login(clerk)
    assert client.get(reverse("admin:catalog_import")).status_code == 403
    assert client.get(reverse("admin:catalog_export_json")).status_code == 403


def test_api_import_preview_and_apply(client, catalog_admin, published):
    client.force_login(catalog_admin)
    upload = SimpleUploadedFile("phi.xlsx", raised_fee_workbook(), content_type=XLSX)
    created = client.post("/api/v1/catalog/imports", {"file": upload})
    assert created.status_code == 201
    body = created.json()
    (row,) = body["diff"]
    assert row["status"] == "changed"
    assert {"path": "fees.0.amount_vnd", "before": 0, "after": 8000} in row["changes"]
    applied = client.post(f"/api/v1/catalog/imports/{body['id']}/apply")
    assert applied.status_code == 200
    assert applied.json()["status"] == "applied"
    assert ProcedureVersion.objects.filter(number=2, status="draft").exists()
    exported = client.get("/api/v1/catalog/export.json")
    assert [d["code"] for d in exported.json()["procedures"]] == ["1.001193"]


def test_api_import_refuses_bad_files_and_outsiders(client, make_official, tree, published):
    bad = SimpleUploadedFile("sai.json", b"{broken", content_type="application/json")
    assert client.post("/api/v1/catalog/imports", {"file": bad}).status_code in {401, 403}
    clerk = make_official("clerk", tree["osu"], [("receiving_officer", tree["osu"], True)])
    client.force_login(clerk)
    bad.seek(0)
    assert client.post("/api/v1/catalog/imports", {"file": bad}).status_code == 403
    assert client.get("/api/v1/catalog/export.xlsx").status_code == 403
    assert not CatalogImport.objects.exists()
