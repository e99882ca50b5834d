"""Hostile spreadsheet files for the import tests: many rows in a small file, a zip bomb."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SHEET = "xl/worksheets/sheet1.xml"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def many_rows_xlsx(
    header: list[str], rows: int, title: str = "Sheet1", broken_end: bool = False
) -> bytes:
    """A workbook whose first sheet has `header` and then `rows` one-cell rows.

    Written as raw XML (openpyxl would take minutes): 400,000 rows pack into a couple of
    megabytes at most. With `broken_end` the sheet's XML is cut off after the last row, so a
    reader that reads every row fails, and one that stops at its row limit never notices."""
    book = Workbook()
    book.active.title = title
    book.active.append(header)
    plain = io.BytesIO()
    book.save(plain)
    head = "".join(_cell(f"{get_column_letter(i)}1", h) for i, h in enumerate(header, start=1))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        # Excel always writes the dimension; without it openpyxl scans the whole sheet once
        # on opening (bounded by xlsx_open's unpacked-size limit).
        f'<dimension ref="A1:{get_column_letter(len(header))}{rows + 1}"/>'
        f'<sheetData><row r="1">{head}</row>'
    ]
    parts += [f'<row r="{n}">{_cell(f"A{n}", "x")}</row>' for n in range(2, rows + 2)]
    parts.append('<row r="0"><c r=' if broken_end else "</sheetData></worksheet>")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for item in source.infolist():
            if item.filename == SHEET:
                target.writestr(SHEET, "".join(parts))
            else:
                target.writestr(item, source.read(item.filename))
    return out.getvalue()


def zip_bomb_xlsx(unpacked_bytes: int) -> bytes:
    """A workbook with an extra part of `unpacked_bytes` zeros (a few kilobytes packed)."""
    book = Workbook()
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/padding.bin", "w", force_zip64=True) as padding:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked_bytes // len(chunk)):
                padding.write(chunk)
    return out.getvalue()
