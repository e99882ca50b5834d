"""The leaders' report over the API, mounted at /api/v1/reports: the same figures as the page
(`selectors.leader_report`), the late and at-risk dossiers (keyset-paged), the .xlsx."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema

from motcua.core.schemas import Cursors, paginate
from motcua.core.spreadsheets import XLSX_CONTENT_TYPE
from motcua.dossiers.selectors import deadlines_of

from . import selectors
from .rules import FLOWS
from .spreadsheet import report_xlsx

router = Router(tags=["reports"])


class Counts(Schema):
    """A month's counters (`reports.rules.FLOWS`) and the dossiers in progress at its end
    (so far, for the current month). Decision 766's three results of a settled dossier:
    `settled_early` (trước hạn, before the deadline's day), `settled_on_time` (early or on
    time, as it always meant: on time only, đúng hạn, is `settled_on_time - settled_early`),
    `settled_late` (quá hạn)."""

    received: int
    online: int
    accepted: int
    refused: int
    settled: int
    settled_on_time: int = Field(description="Settled early or on time (early included).")
    settled_early: int = Field(description="Settled early (before the deadline's day).")
    settled_late: int
    returned: int
    withdrawn: int
    stopped: int
    paid_online: int
    digitized: int
    in_progress: int


class Held(Schema):
    """Open dossiers held now (current step at the unit), past and near their step deadline."""

    held: int
    overdue: int
    near: int


class Ref(Schema):
    id: int
    code: str | None
    name: str


class UnitFigures(Schema):
    agency: Ref
    this_month: Counts
    last_month: Counts
    now: Held


class ProcedureFigures(Schema):
    procedure: Ref
    this_month: Counts
    last_month: Counts


class FiguresOut(Schema):
    this_month: dt.date
    last_month: dt.date
    at: dt.datetime
    total_this_month: Counts
    total_last_month: Counts
    total_now: Held
    units: list[UnitFigures]
    procedures: list[ProcedureFigures]


def _counts(values: dict) -> dict:
    return {c: values.get(c, 0) for c in (*FLOWS, "in_progress")}


def _held(h) -> dict:
    return {"held": h.held, "overdue": h.overdue, "near": h.near}


def _ref(obj) -> dict:
    return {"id": obj.pk, "code": obj.code or None, "name": obj.name}


@router.get("/figures", response=FiguresOut)
def figures(request: HttpRequest):
    """Your units' figures (`report.view`: one agency, or an agency and its sub-tree): this
    month's and last month's counts per competent agency and per procedure, read from the
    counts tables; per unit the open dossiers it holds now."""
    r = selectors.leader_report(request.user)
    return {
        "this_month": r.this_month,
        "last_month": r.last_month,
        "at": r.at,
        "total_this_month": _counts(r.total_this),
        "total_last_month": _counts(r.total_last),
        "total_now": _held(r.total_now),
        "units": [
            {
                "agency": _ref(u.obj),
                "this_month": _counts(u.this),
                "last_month": _counts(u.last),
                "now": _held(u.now),
            }
            for u in r.units
        ],
        "procedures": [
            {"procedure": _ref(p.obj), "this_month": _counts(p.this), "last_month": _counts(p.last)}
            for p in r.procedures
        ],
    }


class ShareOut(Schema):
    counted: int
    of: int
    percent: float


class PapersMonthOut(Schema):
    """One month's shares for your units: `dossiers` (of the dossiers submitted with papers,
    those whose every current paper is digitized), `results` (result papers digitized),
    `reuse` (of the dossiers accepted, those that reused a paper from a data warehouse or a
    national database)."""

    month: dt.date
    dossiers: ShareOut
    results: ShareOut
    reuse: ShareOut


@router.get("/papers", response=list[PapersMonthOut])
def papers(request: HttpRequest):
    """Digitization and reuse of papers (R9, R10) for your units, this month so far and last
    month."""
    return [
        {
            "month": m.first,
            "dossiers": {
                "counted": m.dossiers.digitized,
                "of": m.dossiers.total,
                "percent": m.dossiers.percent,
            },
            "results": {
                "counted": m.results.digitized,
                "of": m.results.total,
                "percent": m.results.percent,
            },
            "reuse": {
                "counted": m.reuse.reused,
                "of": m.reuse.received,
                "percent": m.reuse.percent,
            },
        }
        for m in selectors.report_papers(request.user)
    ]


@router.get("/figures.xlsx", url_name="report_xlsx")
def figures_xlsx(request: HttpRequest):
    """The same figures as a workbook (a sheet per table)."""
    r = selectors.leader_report(request.user)
    response = HttpResponse(report_xlsx(r), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-{r.this_month:%Y-%m}.xlsx"'
    return response


class AtRiskOut(Schema):
    id: int
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    step_name: str
    held_by: Ref | None
    assignee: str | None
    assignee_name: str | None
    due_at: dt.datetime | None
    step_due_at: dt.datetime | None
    # deadlines.py's words' keys: "late" | "near" | "" and "missed" | "near" | "".
    step_deadline_state: str
    appointment_state: str
    url: str

    @staticmethod
    def resolve_procedure_code(obj) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_procedure_name(obj) -> str:
        return obj.procedure_version.name

    @staticmethod
    def resolve_held_by(obj) -> dict | None:
        return _ref(obj.step_agency) if obj.step_agency_id else None

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.username if obj.assignee_id else None

    @staticmethod
    def resolve_assignee_name(obj) -> str | None:
        return (obj.assignee.full_name or obj.assignee.username) if obj.assignee_id else None

    @staticmethod
    def resolve_step_deadline_state(obj) -> str:
        return deadlines_of(obj, timezone.now()).step

    @staticmethod
    def resolve_appointment_state(obj) -> str:
        return deadlines_of(obj, timezone.now()).appointment

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("dossiers:detail", args=[obj.pk])


@router.get("/at-risk", response=list[AtRiskOut])
@paginate(Cursors)
def at_risk(request: HttpRequest):
    """The late and at-risk dossiers of your units (step overdue or near its deadline,
    appointment missed), soonest step deadline first, with who holds each. Paged by cursor."""
    return selectors.report_at_risk(request.user)
