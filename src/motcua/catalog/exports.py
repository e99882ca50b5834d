"""Spreadsheets of the catalog: the health review and the full-online list (.xlsx).

The sheets are documents of the Vietnamese administration, filed and forwarded as they are, so
their headers are Vietnamese whatever the reader's language (like the officials export,
accounts.importing), laid out as the province's review reports and decision annexes are. Saved
by core.spreadsheets, so no procedure name or gap text can become a formula.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.core.spreadsheets import xlsx_bytes

from .constants import Level, VersionStatus
from .models import FullOnlineList
from .selectors import Health

HEALTH_COLUMNS = [
    ("STT", 6),
    ("Mã TTHC", 14),
    ("Tên thủ tục", 60),
    ("Lĩnh vực", 24),
    ("Phiên bản", 10),
    ("Trạng thái", 14),
    ("Vấn đề", 70),
    ("Vị trí", 24),
]
FULL_ONLINE_COLUMNS = [
    ("STT", 6),
    ("Mã TTHC", 14),
    ("Tên thủ tục", 70),
    ("Lĩnh vực", 28),
    ("Cấp thực hiện", 24),
]

_WRAP = Alignment(wrap_text=True, vertical="top")


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _columns(sheet: Worksheet, row: int, columns: Sequence[tuple[str, int]]) -> None:
    """Write a bold header row at `row`, size the columns and keep the header in view."""
    for index, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=index, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{row + 1}"


def _append(sheet: Worksheet, values: Sequence) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        cell.alignment = _WRAP


def health_xlsx(health: Health) -> bytes:
    """The health review: one row per gap ("Rà soát") and the totals ("Tổng hợp")."""
    workbook = Workbook()
    review = workbook.active
    review.title = "Rà soát"
    _columns(review, 1, HEALTH_COLUMNS)
    number = 0
    for row in health.rows:
        procedure, version = row.procedure, row.version
        for gap in row.gaps:
            number += 1
            _append(
                review,
                [
                    number,
                    procedure.code,
                    procedure.name,
                    procedure.field.name if procedure.field_id else "",
                    version.number if version else "",
                    _label(VersionStatus, version.status) if version else "",
                    gap.message,
                    gap.where,
                ],
            )
    review.auto_filter.ref = f"A1:{get_column_letter(len(HEALTH_COLUMNS))}{max(number + 1, 2)}"

    summary = workbook.create_sheet("Tổng hợp")
    _columns(summary, 1, [("Chỉ tiêu", 44), ("Giá trị", 16)])
    for label, value in [
        ("Tổng số thủ tục", health.total),
        ("Số thủ tục đầy đủ", health.complete),
        ("Số thủ tục còn thiếu", health.total - health.complete),
        ("Tỷ lệ đầy đủ (%)", health.percent),
        ("Số thủ tục đang công bố", health.published),
        ("Số vấn đề", number),
        ("Thời điểm lập", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
    ]:
        _append(summary, [label, value])
    return xlsx_bytes(workbook)


def full_online_list_xlsx(decision: FullOnlineList) -> bytes:
    """The list of full-online procedures, as the annex of the province's decision."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục toàn trình"
    date = decision.decision_date.strftime("%d/%m/%Y") if decision.decision_date else ""
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN TOÀN TRÌNH"])
    sheet.append([f"(Kèm theo Quyết định số {decision.decision_number} ngày {date})"])
    sheet.append([f"Cơ quan ban hành: {decision.issuer}"])
    if decision.note:
        sheet.append([f"Ghi chú: {decision.note}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"].font = Font(italic=True)
    header_row = sheet.max_row + 2
    _columns(sheet, header_row, FULL_ONLINE_COLUMNS)
    procedures = sorted(
        decision.procedures.all(),
        key=lambda p: (p.field.name if p.field_id else "", p.code),
    )
    for number, procedure in enumerate(procedures, start=1):
        _append(
            sheet,
            [
                number,
                procedure.code,
                procedure.name,
                procedure.field.name if procedure.field_id else "",
                _label(Level, procedure.level),
            ],
        )
    return xlsx_bytes(workbook)
