"""The leaders' report page (Báo cáo), mounted at /bao-cao/: their units' figures this month and
last (the counts tables), what the units hold now, the late and at-risk dossiers with who holds
them, links to the figures' .xlsx and to the dossier tracking book."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from motcua.core.errors import NotAllowed
from motcua.core.keyset import capped_count, keyset_page
from motcua.core.spreadsheets import XLSX_CONTENT_TYPE
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.views import official_required

from . import selectors
from .spreadsheet import MONTH_COLUMNS, NOW_COLUMNS, report_xlsx

# The page's columns of a month (the .xlsx has them all, `spreadsheet.MONTH_COLUMNS`).
PAGE_COUNTERS = (
    "received",
    "settled",
    "settled_on_time",
    "settled_early",
    "settled_late",
    "returned",
    "in_progress",
)
PAGE_COLUMNS = tuple((c, h) for c, h in MONTH_COLUMNS if c in PAGE_COUNTERS)
PAGE = "trang"
PAGE_SIZE = 25
COUNT_CAP = 1000


@official_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        figures = selectors.leader_report(request.user, now=now)
        at_risk = selectors.report_at_risk(request.user, now=now)
        papers = selectors.report_papers(request.user, now=now)
    except NotAllowed:
        raise PermissionDenied from None
    page = keyset_page(
        at_risk, dossier_selectors.OPEN_ORDER, cursor=request.GET.get(PAGE), size=PAGE_SIZE
    )
    count, capped = capped_count(at_risk, COUNT_CAP)
    rows = [(d, dossier_selectors.deadlines_of(d, now)) for d in page.items]
    months = [
        {
            "first": first,
            "key": key,
            "units": _cells(figures.counted_units, key),
            "procedures": _cells(figures.procedures, key),
            "total": [(h, total.get(c, 0)) for c, h in PAGE_COLUMNS],
        }
        for first, key, total in (
            (figures.this_month, "this", figures.total_this),
            (figures.last_month, "last", figures.total_last),
        )
    ]
    return TemplateResponse(
        request,
        "reports/report.html",
        {
            "r": figures,
            "months": months,
            "month_columns": [h for _c, h in PAGE_COLUMNS],
            "now_columns": [h for _c, h in NOW_COLUMNS],
            "holding": [
                (row.obj, [(h, getattr(row.now, c)) for c, h in NOW_COLUMNS])
                for row in figures.holding_units
            ],
            "total_now": [(h, getattr(figures.total_now, c)) for c, h in NOW_COLUMNS],
            "papers": papers,
            "rows": rows,
            "page": page,
            "count": count,
            "capped": capped,
        },
    )


def _cells(rows, key: str) -> list:
    """(unit or procedure, [(column header, number), …]) per row: the headers label the
    cards at 360 px."""
    return [(row.obj, [(h, getattr(row, key).get(c, 0)) for c, h in PAGE_COLUMNS]) for row in rows]


@official_required
@require_safe
def report_download(request: HttpRequest) -> HttpResponse:
    """The page's figures as .xlsx (small: made in the request)."""
    try:
        figures = selectors.leader_report(request.user)
    except NotAllowed:
        raise PermissionDenied from None
    return xlsx_response(report_xlsx(figures), figures)


def xlsx_response(content: bytes, figures) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"bao-cao-{figures.this_month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
