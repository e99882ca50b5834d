"""Import (.xlsx, our JSON, national records): diff, apply as a new version, bad files refused."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from motcua.catalog.constants import VersionSource, VersionStatus
from motcua.catalog.importing import (
    catalog_export_json,
    catalog_export_xlsx,
    catalog_import_apply,
    catalog_import_preview,
)
from motcua.catalog.models import CatalogImport, Procedure, ProcedureVersion
from motcua.catalog.services import version_approve, version_publish, version_save
from motcua.core.errors import Conflict, InvalidInput, NotAllowed

from .documents import BIRTH, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


def xlsx_with(edit) -> bytes:
    book = load_workbook(io.BytesIO(catalog_export_xlsx()))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_json_export_reimports_as_unchanged(catalog_admin, published):
    batch = catalog_import_preview(
        actor=catalog_admin, filename="catalog.json", content=catalog_export_json()
    )
    assert [(r["code"], r["status"]) for r in batch.diff] == [("1.001193", "unchanged")]
    assert catalog_import_apply(actor=catalog_admin, batch=batch) == []
    assert ProcedureVersion.objects.count() == 1


def test_xlsx_export_reimports_as_unchanged(catalog_admin, published):
    batch = catalog_import_preview(
        actor=catalog_admin, filename="catalog.xlsx", content=catalog_export_xlsx()
    )
    assert batch.source == VersionSource.XLSX
    assert [(r["status"], r["changes"]) for r in batch.diff] == [("unchanged", [])]


def test_reimport_shows_the_diff_and_applies_a_new_version(catalog_admin, published):
    def raise_fee(book):
        sheet = book["Phí, lệ phí"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=2, column=header.index("Mức thu (đồng)") + 1, value=8000)
        sheet.cell(row=2, column=header.index("Miễn, giảm") + 1, value=None)

    batch = catalog_import_preview(
        actor=catalog_admin, filename="sua-phi.xlsx", content=xlsx_with(raise_fee)
    )
    (row,) = batch.diff
    assert row["status"] == "changed"
    assert row["base_version"] == 1
    assert {"path": "fees.0.amount_vnd", "before": 0, "after": 8000} in row["changes"]
    assert ProcedureVersion.objects.count() == 1  # preview writes nothing to the catalog

    (v2,) = catalog_import_apply(actor=catalog_admin, batch=batch)
    assert (v2.number, v2.status, v2.source) == (2, VersionStatus.DRAFT, VersionSource.XLSX)
    assert v2.fees.get().amount_vnd == 8000
    published.refresh_from_db()
    assert published.fees.get().amount_vnd == 0  # the published version is untouched
    batch.refresh_from_db()
    assert batch.status == CatalogImport.Status.APPLIED
    with pytest.raises(Conflict):
        catalog_import_apply(actor=catalog_admin, batch=batch)


def test_new_procedures_are_created_as_drafts(catalog_admin, birth_form):
    payload = json.dumps([document(), document(code="1.000656", name="Đăng ký khai tử")])
    batch = catalog_import_preview(
        actor=catalog_admin, filename="moi.json", content=payload.encode()
    )
    assert [r["status"] for r in batch.diff] == ["new", "new"]
    versions = catalog_import_apply(actor=catalog_admin, batch=batch)
    assert [v.procedure.code for v in versions] == ["1.001193", "1.000656"]
    assert all(v.status == VersionStatus.DRAFT and v.source == "json" for v in versions)


def test_bad_xlsx_rows_are_reported_by_sheet_row_and_column(catalog_admin, published):
    def break_it(book):
        fees = book["Phí, lệ phí"]
        header = [c.value for c in fees[1]]
        fees.cell(row=2, column=header.index("Mức thu (đồng)") + 1, value="hai mươi nghìn")
        main = book["Thủ tục"]
        header = [c.value for c in main[1]]
        main.cell(row=2, column=header.index("Cấp thực hiện") + 1, value="Cấp huyện")
        main.cell(row=2, column=header.index("Ngày hiệu lực") + 1, value="31/02/2026")
        book["Căn cứ pháp lý"].append(["9.999999", "1/2026/NĐ-CP"])

    with pytest.raises(InvalidInput) as caught:
        catalog_import_preview(
            actor=catalog_admin, filename="hong.xlsx", content=xlsx_with(break_it)
        )
    errors = caught.value.errors
    assert errors["Phí, lệ phí · dòng 2 · fees.0.amount_vnd"] == ["Phải là số nguyên."]
    assert "Thủ tục · dòng 2 · level" in errors
    assert errors["Thủ tục · dòng 2 · effective_from"] == ["Ngày không hợp lệ (YYYY-MM-DD)."]
    assert "Căn cứ pháp lý · dòng 4" in errors  # a part for a procedure not in the file
    assert not CatalogImport.objects.exists()
    assert ProcedureVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.xlsx", b"not a workbook"),
        ("x.json", b"{broken"),
        ("x.json", b'"just a string"'),
        ("x.csv", b"a,b"),
        ("x.json", b"[]"),
    ],
)
def test_unreadable_files_change_nothing(catalog_admin, birth_form, name, content):
    with pytest.raises(InvalidInput):
        catalog_import_preview(actor=catalog_admin, filename=name, content=content)
    assert not CatalogImport.objects.exists()
    assert not Procedure.objects.exists()


def test_one_bad_document_rejects_the_whole_file(catalog_admin, birth_form):
    payload = [document(), {**document(code="1.000656"), "times": [{"amount": "ba"}]}]
    with pytest.raises(InvalidInput) as caught:
        catalog_import_preview(
            actor=catalog_admin, filename="a.json", content=json.dumps(payload).encode()
        )
    assert any("times.0.amount" in key for key in caught.value.errors)
    assert not Procedure.objects.exists()


def test_changes_after_preview_block_apply(catalog_admin, published):
    changed = document(fees=[{**BIRTH["fees"][0], "amount_vnd": 1000, "exemptions": ""}])
    batch = catalog_import_preview(
        actor=catalog_admin, filename="a.json", content=json.dumps([changed]).encode()
    )
    version_save(actor=catalog_admin, content=document(result_name="Giấy khai sinh (bản chính)"))
    with pytest.raises(Conflict):
        catalog_import_apply(actor=catalog_admin, batch=batch)
    assert ProcedureVersion.objects.filter(procedure__code="1.001193").count() == 2


def test_national_record_file_is_imported(catalog_admin, db):
    from motcua.simulators.national_portal.records import detail_record

    record = detail_record("1.001193")
    batch = catalog_import_preview(
        actor=catalog_admin,
        filename="1.001193.json",
        content=json.dumps(record, ensure_ascii=False).encode(),
    )
    assert batch.source == VersionSource.NATIONAL
    (row,) = batch.diff
    assert (row["code"], row["status"]) == ("1.001193", "new")
    (version,) = catalog_import_apply(actor=catalog_admin, batch=batch)
    assert version.field.code == "G15-TP07"
    assert version.legal_bases.exists()


def test_only_catalog_managers_import(make_official, tree, birth_form):
    clerk = make_official("clerk", tree["desk"], [("receiving_officer", tree["desk"])])
    with pytest.raises(NotAllowed):
        catalog_import_preview(
            actor=clerk, filename="a.json", content=json.dumps([document()]).encode()
        )
