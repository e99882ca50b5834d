"""The officials import survives hostile files (issue 11 §5): too large, too many rows in a
small workbook, a CSV cell past Python's field limit, over-long cells; a rejected file is never
kept, only its errors."""

from __future__ import annotations

import csv
import io

import pytest

from motcua.accounts.importing import COLUMNS, MAX_ROWS, officials_import_preview
from motcua.accounts.models import ImportBatch
from motcua.core.tests.spreadsheet_files import many_rows_xlsx

pytestmark = pytest.mark.django_db

HEADER = [vi for _key, vi, _en in COLUMNS]
MB = 1024 * 1024


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def named(content: bytes, name: str) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def test_over_10_mb_is_refused_unread_on_the_admin_page(client, padmin, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client.force_login(padmin)
    big = csv_bytes([]) + b"a," * (6 * MB)  # 12 MB: under the request limit, over the import's
    response = client.post("/admin/accounts/user/import/", {"file": named(big, "can-bo.csv")})
    assert response.status_code == 200
    assert "Tệp quá lớn: chỉ được tải lên tối đa 10 MB." in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert list(tmp_path.iterdir()) == []  # Django's spooled copy is gone with the request


def test_over_10_mb_is_refused_unread_over_the_api(client, padmin):
    client.force_login(padmin)
    big = csv_bytes([]) + b"a," * (6 * MB)
    response = client.post("/api/v1/officials/import", {"file": named(big, "can-bo.csv")})
    assert response.status_code == 422
    assert response.json()["message"] == "Tệp quá lớn: chỉ được tải lên tối đa 10 MB."
    assert not ImportBatch.objects.exists()


def test_a_small_workbook_of_400_000_rows_stops_at_the_row_limit(client, padmin):
    """Reading streams and stops at the limit: the sheet's XML is broken after its 400,000th
    row, which a reader loading every row would trip over."""
    content = many_rows_xlsx(HEADER, 400_000, broken_end=True)
    assert len(content) < 3 * MB
    client.force_login(padmin)
    response = client.post("/api/v1/officials/import", {"file": named(content, "can-bo.xlsx")})
    assert response.status_code == 200, response.content[:300]
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.errors == [
        {"row": MAX_ROWS + 2, "column": "tệp", "message": "Mỗi tệp có tối đa 20000 dòng."}
    ]
    assert bytes(batch.content) == b""  # a rejected file is not kept


def test_a_csv_cell_past_pythons_field_limit_is_a_row_error(client, padmin):
    client.force_login(padmin)
    long_cell = "A" * 131_073
    content = csv_bytes([["cv.a", "Nguyễn Văn A"], ["cv.b", long_cell]])
    response = client.post("/api/v1/officials/import", {"file": named(content, "can-bo.csv")})
    assert response.status_code == 200, response.content[:300]
    batch = response.json()
    assert batch["status"] == "rejected"
    (error,) = batch["errors"]
    assert error["row"] == 3
    assert "Dòng 3: có ô dài quá 131072 ký tự" in error["message"]
    assert bytes(ImportBatch.objects.get().content) == b""


def test_over_long_cells_are_row_errors(tree, padmin):
    row = ["cv.a", "N" * 151, "", "", tree["dept"].code, "P" * 151, "", "", "", "", ""]
    batch = officials_import_preview(actor=padmin, filename="can-bo.csv", content=csv_bytes([row]))
    assert batch.status == ImportBatch.Status.REJECTED
    assert [(e["row"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "Họ và tên", "Tối đa 150 ký tự."),
        (2, "Chức vụ", "Tối đa 150 ký tự."),
    ]


def test_only_an_applicable_file_is_kept_and_errors_are_bounded(tree, padmin):
    good = csv_bytes([["cv.a", "Nguyễn Văn A", "", "", tree["dept"].code]])
    kept = officials_import_preview(actor=padmin, filename="can-bo.csv", content=good)
    assert kept.status == ImportBatch.Status.PREVIEWED
    assert bytes(kept.content) == good

    bad = csv_bytes([[f"cv.{n}", "", "", "", "999"] for n in range(1000)])
    rejected = officials_import_preview(actor=padmin, filename="can-bo.csv", content=bad)
    assert rejected.status == ImportBatch.Status.REJECTED
    assert bytes(rejected.content) == b""
    assert len(rejected.errors) == 501
    assert rejected.errors[-1]["message"] == "… và 1500 lỗi khác."
