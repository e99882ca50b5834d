"""Background exports over the API, mounted at /api/v1/exports: ask for a file (202), follow its
progress, download it when it is ready. Only the owner sees a job; others get 404."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from motcua.core.schemas import AgencyRef, Id

from . import selectors, services
from .files import export_file_response
from .models import ExportJob

router = Router(tags=["exports"])


class LedgerParams(Schema):
    """Sổ theo dõi hồ sơ: the desk (id or electronic identifier) and the local days."""

    agency: AgencyRef
    start: dt.date
    end: dt.date


class ExportIn(Schema):
    kind: Literal["ledger"] = "ledger"
    format: Literal["pdf", "xlsx"]
    params: LedgerParams


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
    """Ask for a file; it is prepared in the background. Follow `status_url`."""
    job = services.export_request(
        actor=request.user,
        kind=payload.kind,
        params=payload.params.model_dump(),
        fmt=payload.format,
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
