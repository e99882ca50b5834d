"""The leaders' report as .xlsx (Báo cáo số liệu): the page's figures, a sheet per table. Small
(one row per unit or procedure), so it is written in the request with openpyxl."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from motcua.core.spreadsheets import xlsx_bytes

from .selectors import FigureRow, LeaderReport

# The month's columns, in the page's order: (counter, header).
MONTH_COLUMNS = (
    ("received", gettext_lazy("Dossiers received")),
    ("online", gettext_lazy("Of them online")),
    ("settled", gettext_lazy("Dossiers settled")),
    ("settled_on_time", gettext_lazy("Settled on time or early")),
    # Trước hạn, apart (Decision 766): part of the column before it; on time only is their
    # difference.
    ("settled_early", gettext_lazy("Of them early")),
    ("settled_late", gettext_lazy("Settled late")),
    ("returned", gettext_lazy("Results returned")),
    ("refused", gettext_lazy("Refused at reception")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("stopped", gettext_lazy("Processing stopped")),
    ("in_progress", gettext_lazy("In progress at the end of the period")),
)
NOW_COLUMNS = (
    ("held", gettext_lazy("Open dossiers held")),
    ("overdue", gettext_lazy("Step overdue")),
    ("near", gettext_lazy("Due soon")),
)


def _name(obj) -> str:
    code = getattr(obj, "code", "") or ""
    return f"{obj.name} ({code})" if code else obj.name


def _month_sheet(wb: Workbook, title: str, heading: str, label: str, rows, total, which: str):
    sheet = wb.create_sheet(title)
    sheet.append([heading])
    sheet.append([label, *(str(h) for _c, h in MONTH_COLUMNS)])
    for r in rows:
        counts = getattr(r, which)
        sheet.append([_name(r.obj), *(counts.get(c, 0) for c, _h in MONTH_COLUMNS)])
    if total is not None:
        sheet.append([_("Total"), *(total.get(c, 0) for c, _h in MONTH_COLUMNS)])


def report_xlsx(report: LeaderReport) -> bytes:
    """The workbook: per unit and per procedure for each month, and what the units hold now."""
    wb = Workbook()
    wb.remove(wb.active)
    for which, first, total in (
        ("this", report.this_month, report.total_this),
        ("last", report.last_month, report.total_last),
    ):
        month = f"{first:%m-%Y}"
        _month_sheet(
            wb,
            _("Units %(month)s") % {"month": month},
            _("Dossiers by competent agency, %(month)s") % {"month": f"{first:%m/%Y}"},
            _("Competent agency"),
            report.counted_units,
            total,
            which,
        )
        _month_sheet(
            wb,
            _("Procedures %(month)s") % {"month": month},
            _("Dossiers by procedure, %(month)s") % {"month": f"{first:%m/%Y}"},
            _("Procedure"),
            report.procedures,
            None,
            which,
        )
    sheet = wb.create_sheet(_("Now"))
    sheet.append([str(_("Open dossiers the units hold at %(at)s") % {"at": _at(report)})])
    sheet.append([_("Unit"), *(str(h) for _c, h in NOW_COLUMNS)])
    rows: list[FigureRow] = report.holding_units
    for r in rows:
        sheet.append([_name(r.obj), *(getattr(r.now, c) for c, _h in NOW_COLUMNS)])
    sheet.append([_("Total"), *(getattr(report.total_now, c) for c, _h in NOW_COLUMNS)])
    return xlsx_bytes(wb)


def _at(report: LeaderReport) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(report.at):%H:%M %d/%m/%Y}"
