"""Background exports over the API, mounted at /api/v1/exports: ask for a file (202), follow its
progress, download it when it is ready. Only the owner sees a job; others get 404."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from pydantic import Field

from motcua.core.schemas import AgencyRef, Code, Id, SearchText
from motcua.dossiers.api import DeskTab

from . import selectors, services
from .files import export_file_response
from .models import ExportJob

router = Router(tags=["exports"])


class LedgerParams(Schema):
    """Sổ theo dõi hồ sơ: the desk (id or electronic identifier) — or, for a leader, an agency
    whose reports they read: its dossiers by competence — and the local days."""

    agency: AgencyRef
    start: dt.date
    end: dt.date


class LedgerExportIn(Schema):
    kind: Literal["ledger"] = "ledger"
    format: Literal["pdf", "xlsx"]
    params: LedgerParams


class WorklistParams(Schema):
    """The work desk's list as `GET /api/v1/dossiers` filters it (the same names): the rows
    are read again with your permissions when the file is made."""

    tab: DeskTab | None = None
    status: Code | None = None
    q: SearchText = ""
    closed: bool = False
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    procedure: Code = ""
    field: Id | None = None
    channel: Literal["direct", "online", "post"] | None = None
    accepted_from: dt.date | None = None
    accepted_to: dt.date | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    overdue: bool = False

    def query_string(self) -> dict[str, str]:
        """The desk's own query-string names (`dossiers.worklist`), which the export reads."""
        from motcua.dossiers import worklist as w

        values = {
            w.TAB: w.SLUG_OF.get(self.tab, "") if self.tab else "",
            w.STATUS: self.status or "",
            w.Q: self.q,
            w.CLOSED: "1" if self.closed else "",
            w.SINCE: self.received_from.isoformat() if self.received_from else "",
            w.UNTIL: self.received_to.isoformat() if self.received_to else "",
            w.PROCEDURE: self.procedure,
            w.FIELD: str(self.field) if self.field else "",
            w.CHANNEL: self.channel or "",
            w.RECEIVED_FROM: self.accepted_from.isoformat() if self.accepted_from else "",
            w.RECEIVED_TO: self.accepted_to.isoformat() if self.accepted_to else "",
            w.DUE_FROM: self.due_from.isoformat() if self.due_from else "",
            w.DUE_TO: self.due_to.isoformat() if self.due_to else "",
            w.OVERDUE: "1" if self.overdue else "",
        }
        return {k: v for k, v in values.items() if v}


class WorklistExportIn(Schema):
    kind: Literal["worklist"]
    format: Literal["xlsx"] = "xlsx"
    params: WorklistParams = WorklistParams()


ExportIn = Annotated[LedgerExportIn | WorklistExportIn, Field(discriminator="kind")]


class ExportOut(Schema):
    id: int
    kind: str
    format: str
    status: str
    status_label: str
    rows_done: int
    rows_total: int | None
    percent: int
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime
    status_url: str
    download_url: str | None

    @staticmethod
    def resolve_status_label(obj: ExportJob) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_status_url(obj: ExportJob) -> str:
        return reverse("api:export_get", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_download_url(obj: ExportJob) -> str | None:
        if not selectors.export_file_ready(obj):
            return None
        return reverse("api:export_download", kwargs={"job_id": obj.pk})


@router.post("", response={202: ExportOut})
def export_create(request: HttpRequest, payload: ExportIn):
    """Ask for a file; it is prepared in the background. Follow `status_url`.

    `ledger`: the dossier tracking book of a desk or agency, PDF or .xlsx. `worklist`: the work
    desk's list with its filters (those of `GET /api/v1/dossiers`), .xlsx."""
    if isinstance(payload, WorklistExportIn):
        params = payload.params.query_string()
    else:
        params = payload.params.model_dump()
    job = services.export_request(
        actor=request.user, kind=payload.kind, params=params, fmt=payload.format
    )
    job.refresh_from_db()  # the embedded default has already run it
    return Status(202, job)


@router.get("", response=list[ExportOut])
def exports_recent(request: HttpRequest):
    """Your latest exports, newest first."""
    return list(selectors.exports_recent(user=request.user))


@router.get("/{int:job_id}", response=ExportOut, url_name="export_get")
def export_get(request: HttpRequest, job_id: Id):
    return selectors.export_get(user=request.user, pk=job_id)


@router.get("/{int:job_id}/file", url_name="export_download")
def export_download(request: HttpRequest, job_id: Id):
    """The finished file (409 while it is being prepared)."""
    return export_file_response(selectors.export_get(user=request.user, pk=job_id))
