"""Officials' pages of background exports (/xuat-tep/): the tracking book's form, a job's
progress (polled every 2 s with JavaScript, a refreshing page without), the download."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from motcua.core.errors import DomainError, InvalidInput, NotFound
from motcua.core.idempotency import once_token
from motcua.dossiers.forms import apply_errors
from motcua.dossiers.selectors import ledger_agencies
from motcua.dossiers.views import official_required

from . import selectors, services
from .constants import ExportKind, ExportStatus
from .files import export_file_response
from .forms import LedgerExportForm
from .kinds import KINDS


@official_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ: choose the desk (or, for a leader, the agency), the days and the
    format; the file is prepared in the background and the next page follows it."""
    desks = ledger_agencies(request.user)
    if not desks:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = LedgerExportForm(request.POST, desks=desks)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.export_request(
                    actor=request.user,
                    kind=ExportKind.LEDGER,
                    params={"agency": data["desk"], "start": data["start"], "end": data["end"]},
                    fmt=data["format"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc.errors, LedgerExportForm.ALIASES)
                if not exc.errors:
                    form.add_error(None, exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("exports:status", pk=job.pk)
        status = 422
    else:
        today = timezone.localdate()
        home = next((d.pk for d in desks if d.pk == request.user.agency_id), desks[0].pk)
        form = LedgerExportForm(
            initial={"desk": home, "start": today.replace(day=1), "end": today}, desks=desks
        )
    jobs = [(job, _describe(job)) for job in selectors.exports_recent(user=request.user)]
    return TemplateResponse(
        request,
        "exports/ledger.html",
        {"form": form, "jobs": jobs, "once": once_token()},
        status=status,
    )


def _describe(job) -> str:
    try:
        return KINDS[job.kind].describe(job.params)
    except (KeyError, ValueError):
        return job.get_kind_display()


def _job(request: HttpRequest, pk: int):
    try:
        return selectors.export_get(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


@official_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One export's progress; htmx-style polling asks for the fragment alone (HX-Request)."""
    job = _job(request, pk)
    running = job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    context = {
        "job": job,
        "description": _describe(job),
        "running": running,
        "ready": selectors.export_file_ready(job),
    }
    if request.headers.get("HX-Request") == "true":
        return TemplateResponse(request, "exports/_status.html", context)
    return TemplateResponse(request, "exports/status.html", context)


@official_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not selectors.export_file_ready(job):
        return redirect("exports:status", pk=job.pk)
    return export_file_response(job)
