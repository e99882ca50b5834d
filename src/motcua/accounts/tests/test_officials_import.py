"""Bulk import: preview, apply, every kind of bad row rejected with nothing applied; export."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from motcua.accounts.importing import (
    COLUMNS,
    officials_export,
    officials_import_apply,
    officials_import_preview,
)
from motcua.accounts.models import Grant, ImportBatch, User
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = [vi for _key, vi, _en in COLUMNS]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def padmin(tree, make_official):
    """A province administrator who also holds, province-wide, every dossier role the files
    below hand out: nobody grants a role they do not hold (grant_refusal)."""
    leads = ["unit_leader", "agency_leader", "receiving_officer"]
    return make_official(
        "padmin",
        tree["root"],
        [("province_admin", tree["root"], True), *[(r, tree["root"], True) for r in leads]],
    )


def good_rows(tree):
    dept, unit, osu = tree["dept"].code, tree["dept_unit"].code, tree["osu"].code
    return [
        [
            "cv.a",
            "Nguyễn Văn A",
            "a@dt.gov.vn",
            "0912000001",
            unit,
            "Chuyên viên",
            "specialist",
            unit,
            "không",
            "G15-TP07",
            "",
        ],
        # The same official, a concurrent post, role written by its Vietnamese name.
        [
            "cv.a",
            "Nguyễn Văn A",
            "a@dt.gov.vn",
            "0912000001",
            unit,
            "Chuyên viên",
            "Cán bộ tiếp nhận",
            osu,
            "có",
            "",
            "",
        ],
        [
            "ld.b",
            "Trần Thị B",
            "b@dt.gov.vn",
            "+84 913 000 002",
            dept,
            "Giám đốc",
            "agency_leader",
            dept,
            "có",
            "",
            "",
        ],
        ["tk.c", "Lê Văn C", "", "", dept, "", "", "", "", "", ""],
    ]


def snapshot_counts():
    return User.objects.count(), Grant.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_preview_then_apply(tree, padmin, fields_and_procedures, fmt):
    content = xlsx(good_rows(tree)) if fmt == "xlsx" else csv_bytes(good_rows(tree))
    before = snapshot_counts()
    batch = officials_import_preview(actor=padmin, filename=f"can-bo.{fmt}", content=content)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.errors == []
    assert batch.summary == {"rows": 4, "officials": 3, "grants": 3}
    assert snapshot_counts() == before  # a dry run writes no official, grant or audit entry

    officials_import_apply(actor=padmin, batch=batch)
    a = User.objects.get(username="cv.a")
    assert a.agency == tree["dept_unit"]
    assert {(g.role.code, g.agency_id, g.include_subtree) for g in a.grants.all()} == {
        ("specialist", tree["dept_unit"].pk, False),
        ("receiving_officer", tree["osu"].pk, True),
    }
    assert a.grants.get(role__code="specialist").field == fields_and_procedures["civil"]
    assert User.objects.get(username="ld.b").phone == "0913000002"
    assert not User.objects.get(username="tk.c").grants.exists()
    assert AuditEntry.objects.filter(action="official.create").count() == 3 + 1  # +padmin
    assert AuditEntry.objects.filter(action="officials.import").count() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    with pytest.raises(Conflict):
        officials_import_apply(actor=padmin, batch=batch)


BAD_ROWS = {
    "unknown agency code": (
        ["x.1", "X Một", "", "", "000.00.99.H20", "", "specialist", "", "", "", ""],
        "Mã cơ quan công tác",
        "Không có cơ quan nào có mã định danh 000.00.99.H20",
    ),
    "unknown scope agency": (
        ["x.1", "X Một", "", "", "{dept}", "", "specialist", "999.99.99.H20", "", "", ""],
        "Mã cơ quan được phân quyền",
        "999.99.99.H20",
    ),
    "duplicate user in database": (
        ["padmin", "Trùng", "", "", "{dept}", "", "", "", "", "", ""],
        "Tên đăng nhập",
        "Tài khoản padmin đã tồn tại",
    ),
    "unknown role": (
        ["x.1", "X Một", "", "", "{dept}", "", "thu_truong", "", "", "", ""],
        "Vai trò",
        "Vai trò thu_truong không tồn tại",
    ),
    "malformed e-mail": (
        ["x.1", "X Một", "khong-phai-email", "", "{dept}", "", "", "", "", "", ""],
        "Thư điện tử",
        "không phải là địa chỉ thư điện tử hợp lệ",
    ),
    "malformed phone": (
        ["x.1", "X Một", "", "12345", "{dept}", "", "", "", "", "", ""],
        "Số điện thoại",
        "không phải là số điện thoại Việt Nam",
    ),
    "e-mail of an existing account": (
        ["x.1", "X Một", "padmin@dt.gov.vn", "", "{dept}", "", "", "", "", "", ""],
        "Thư điện tử",
        "đã được dùng cho tài khoản khác",
    ),
    "unknown field": (
        ["x.1", "X Một", "", "", "{dept}", "", "specialist", "", "", "G99-XX", ""],
        "Mã lĩnh vực",
        "G99-XX",
    ),
    "unknown procedure": (
        ["x.1", "X Một", "", "", "{dept}", "", "specialist", "", "", "", "9.999999"],
        "Mã thủ tục",
        "9.999999",
    ),
    "bad yes/no": (
        ["x.1", "X Một", "", "", "{dept}", "", "specialist", "", "maybe", "", ""],
        "Gồm đơn vị trực thuộc",
        "“có” hoặc “không”",
    ),
    "missing full name": (
        ["x.1", "", "", "", "{dept}", "", "", "", "", "", ""],
        "Họ và tên",
        "Họ và tên là bắt buộc",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_bad_row_rejects_whole_file(tree, padmin, fields_and_procedures, kind):
    padmin.email = "padmin@dt.gov.vn"
    padmin.save(update_fields=["email"])
    bad, column, text = BAD_ROWS[kind]
    bad = [cell.replace("{dept}", tree["dept"].code) for cell in bad]
    rows = [*good_rows(tree)[:1], bad]  # a good row first: it must not be applied either
    before = snapshot_counts()
    batch = officials_import_preview(actor=padmin, filename="f.xlsx", content=xlsx(rows))
    assert batch.status == ImportBatch.Status.REJECTED
    assert len(batch.errors) == 1, batch.errors
    error = batch.errors[0]
    assert error["row"] == 3  # the header is row 1, the good row is row 2
    assert error["column"] == column
    assert text in error["message"]
    with pytest.raises(Conflict):
        officials_import_apply(actor=padmin, batch=batch)
    assert snapshot_counts() == before


def test_duplicate_rows_within_the_file(tree, padmin):
    rows = good_rows(tree)
    repeated_grant = rows[0]
    conflicting = ["cv.a", "Nguyễn Văn Khác", "a@dt.gov.vn", "", rows[0][4], "", "", "", "", "", ""]
    same_email = ["cv.z", "Z", "a@dt.gov.vn", "", rows[0][4], "", "", "", "", "", ""]
    batch = officials_import_preview(
        actor=padmin,
        filename="f.csv",
        content=csv_bytes([*rows, repeated_grant, conflicting, same_email]),
    )
    messages = {e["row"]: e["message"] for e in batch.errors}
    assert "trùng với dòng 2" in messages[6]
    assert "lặp lại với thông tin khác dòng 2" in messages[7]
    assert "đã được dùng trong tệp" in messages[8]
    assert batch.status == ImportBatch.Status.REJECTED


def test_rows_outside_the_actors_province_are_refused(tree, other_tree, padmin):
    row = ["x.1", "X", "", "", other_tree["dept"].code, "", "", "", "", "", ""]
    batch = officials_import_preview(actor=padmin, filename="f.csv", content=csv_bytes([row]))
    assert "không có quyền quản lý cán bộ" in batch.errors[0]["message"]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("f.txt", b"abc", "Hãy tải lên tệp .xlsx hoặc .csv."),
        ("f.xlsx", b"not a zip", "không phải là bảng tính .xlsx"),
        ("f.csv", "Tên đăng nhập\n".encode("utf-16"), "UTF-8"),
        ("f.csv", csv_bytes([], header=["Tên đăng nhập", "Cột lạ"]), "Thiếu cột"),
    ],
)
def test_unreadable_files_are_rejected(padmin, filename, content, message):
    before = snapshot_counts()
    batch = officials_import_preview(actor=padmin, filename=filename, content=content)
    assert batch.status == ImportBatch.Status.REJECTED
    assert any(message in e["message"] for e in batch.errors), batch.errors
    assert snapshot_counts() == before


def test_database_changes_between_preview_and_apply_are_caught(
    tree, padmin, make_official, fields_and_procedures
):
    batch = officials_import_preview(actor=padmin, filename="f.xlsx", content=xlsx(good_rows(tree)))
    make_official("ld.b", tree["dept"])  # someone creates the same account meanwhile
    before = snapshot_counts()
    with pytest.raises(InvalidInput) as exc:
        officials_import_apply(actor=padmin, batch=batch)
    assert "Tài khoản ld.b đã tồn tại" in str(exc.value.errors)
    assert snapshot_counts() == before
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_only_officials_managers_may_import(tree, make_official):
    specialist = make_official("cv", tree["dept"], [("specialist", tree["dept"], True)])
    with pytest.raises(NotAllowed):
        officials_import_preview(actor=specialist, filename="f.csv", content=csv_bytes([]))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_uses_the_import_format(tree, other_tree, padmin, make_official, fmt):
    make_official("cv", tree["dept_unit"], [("specialist", tree["dept_unit"], False)])
    make_official("foreign", other_tree["dept"])
    content = officials_export(actor=padmin, fmt=fmt)
    if fmt == "xlsx":
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        ]
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    usernames = {row[0] for row in rows[1:]}
    assert usernames == {"padmin", "cv"}  # nobody from the other province
    cv = next(row for row in rows if row[0] == "cv")
    assert cv[4] == tree["dept_unit"].code
    assert cv[6:9] == ["specialist", tree["dept_unit"].code, "không"]


def test_exported_file_imports_elsewhere(tree, other_tree, padmin, make_official, superuser):
    # Export from one province, rename the accounts, import into the other: the round trip.
    make_official("cv", tree["dept_unit"], [("specialist", tree["dept_unit"], False)])
    rows = list(
        csv.reader(io.StringIO(officials_export(actor=padmin, fmt="csv").decode("utf-8-sig")))
    )
    mapping = {tree[k].code: other_tree[k].code for k in tree.a if tree[k].code}
    moved = [
        [f"ct.{r[0]}", r[1], "", r[3], mapping[r[4]], r[5], r[6], mapping.get(r[7], ""), *r[8:]]
        for r in rows[1:]
    ]
    batch = officials_import_preview(actor=superuser, filename="f.csv", content=csv_bytes(moved))
    assert batch.errors == []
    officials_import_apply(actor=superuser, batch=batch)
    assert User.objects.get(username="ct.cv").grants.get().agency == other_tree["dept_unit"]
