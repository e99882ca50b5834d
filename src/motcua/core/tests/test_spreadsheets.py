"""core.spreadsheets: no text cell of an export starts like a formula; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from motcua.core.spreadsheets import csv_bytes, neutralize, restore, xlsx_bytes

ATTACKS = [
    '=HYPERLINK("http://x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_formula_starts_get_a_quote_and_come_back_unchanged(value):
    safe = neutralize(value)
    assert safe == "'" + value
    assert restore(safe) == value


@pytest.mark.parametrize(
    "value", [-5, -5000, 3.5, 0, "-5", "+84", "-1.000,5", "Nguyễn Văn A", "", None, "a=b"]
)
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralize(value) == value
    assert restore(value) == value


def test_restore_only_removes_our_own_quote():
    assert restore("'Ông Tư'") == "'Ông Tư'"  # a quote before ordinary text is the author's
    assert restore("'") == "'"


def test_csv_cells_are_neutralized():
    content = csv_bytes(["=tiêu đề", "b"], [[ATTACKS[0], -5, "-5"]])
    assert content.startswith("\ufeff".encode())
    header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == ["'=tiêu đề", "b"]
    assert row == ["'" + ATTACKS[0], "-5", "-5"]


def test_xlsx_has_no_formula_and_keeps_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append([ATTACKS[0], -5, 2.5, "-7"])
    sheet["A2"] = "=1+1"  # assigned straight to a cell: openpyxl would store a formula
    other = book.create_sheet("khác")
    other.append(["@SUM(A1)"])
    content = xlsx_bytes(book)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    read = load_workbook(io.BytesIO(content))
    first = read.worksheets[0]
    assert [c.value for c in first[1]] == ["'" + ATTACKS[0], -5, 2.5, "-7"]
    assert [c.data_type for c in first[1]] == ["s", "n", "n", "s"]
    assert first["A2"].value == "'=1+1"
    assert read["khác"]["A1"].value == "'@SUM(A1)"
