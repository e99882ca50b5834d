"""Every .xlsx and .csv file the system hands out is written here, with formula injection
neutralized (issue 11 §5; OWASP "CSV Injection").

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and a leading tab
or carriage return hides such a start: an official's name `=HYPERLINK("http://x";"bấm vào")`
would become a live link, or worse, in the province's office. Text cells beginning with one of
these characters are written with a single quote in front, in .csv and .xlsx alike, and an
.xlsx never receives a formula cell at all. Numbers stay numbers (a negative fee is -5000, not
text), and so does text that is a plain number ("-5", "+84").

Our importers read their own exports back: `restore` removes exactly the quote added here, and
`xlsx_open` opens an uploaded workbook only when it cannot unpack into more than a bound.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

from .errors import InvalidInput

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*)")


def neutralize(value: Any) -> Any:
    """`value` as a cell that no spreadsheet evaluates: text starting like a formula gets a
    leading single quote; anything else (numbers, dates, safe text) is returned unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The text an exported cell held before `neutralize` (for importers of our own files)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV with a byte-order mark (Excel then reads Vietnamese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize(v) for v in header])
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _neutralize_sheet(sheet: Worksheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                safe = neutralize(value)
                if safe is not value or cell.data_type == "f":
                    cell.value = safe
                    # openpyxl stores a string that starts with "=" as a formula: never.
                    cell.data_type = "s"


def xlsx_bytes(workbook: Workbook) -> bytes:
    """Save a workbook for download, every text cell of every sheet neutralized first (so a
    value assigned straight to a cell is covered as well as an appended row)."""
    for sheet in workbook.worksheets:
        _neutralize_sheet(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"


def xlsx_stream(
    target: IO[bytes],
    *,
    title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    preamble: Sequence[Sequence[Any]] = (),
) -> int:
    """Write one sheet to `target` row by row (openpyxl's write-only mode: memory stays flat
    however many rows `rows` yields) and return the number of data rows.

    Text is neutralized like every other export; moments are shown in local time (Excel has no
    time zones) as dd/mm/yyyy hh:mm, dates as dd/mm/yyyy. `preamble` rows (a title, the period)
    come before the header."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])

    def cells(values: Sequence[Any]) -> list[Any]:
        out = []
        for value in values:
            if isinstance(value, dt.datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_TIME_FORMAT
                out.append(cell)
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            else:
                out.append(neutralize(value))
        return out

    for line in preamble:
        sheet.append(cells(line))
    sheet.append(cells(header))
    count = 0
    for row in rows:
        sheet.append(cells(row))
        count += 1
    workbook.save(target)
    return count


def xlsx_open(content: bytes, *, max_unpacked: int) -> Workbook:
    """A read-only workbook (rows are streamed, never all loaded), or InvalidInput.

    An .xlsx is a zip archive: a few hundred kilobytes can unpack into gigabytes of XML (and
    openpyxl keeps the shared strings in memory). The archive's declared sizes, which bound
    what zipfile will ever inflate, must stay within `max_unpacked`.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InvalidInput(_("The file is not a readable .xlsx workbook.")) from exc
    if len(entries) > 10_000 or sum(e.file_size for e in entries) > max_unpacked:
        raise InvalidInput(
            _("The workbook unpacks to more than %(n)d MB; split it into smaller files.")
            % {"n": max_unpacked // (1024 * 1024)}
        )
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(_("The file is not a readable .xlsx workbook.")) from exc
