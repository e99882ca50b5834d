"""Every write of background exports: request one, render it (the worker), purge old ones."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import DomainError, InvalidInput, NotAllowed

from .constants import EXPORT_KEEP, PROGRESS_EVERY, ExportFormat, ExportStatus
from .kinds import KINDS
from .models import ExportJob

logger = logging.getLogger(__name__)

# A job still queued or running after this long lost its worker (a restart, a lost message).
EXPORT_STALE_AFTER = dt.timedelta(hours=2)


def export_request(
    *,
    actor: User | None,
    kind: str,
    params: dict,
    fmt: str,
    now: dt.datetime | None = None,
) -> ExportJob:
    """Ask for a file to be prepared in the background; the worker starts once this commits.

    The kind's own rule decides who may (the ledger: whoever receives dossiers at the desk,
    the same check as the ledger printed at once), before the parameters are looked at."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise NotAllowed(_("You do not have permission for this action."))
    spec = KINDS.get(kind)
    if spec is None:
        message = _("There is no such export.")
        raise InvalidInput(message, errors={"kind": [message]})
    cleaned = spec.clean(actor, params)
    if fmt not in getattr(spec, "formats", ExportFormat.values):
        message = _("Choose PDF or .xlsx.")
        raise InvalidInput(message, errors={"format": [message]})
    now = now or timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=actor,
            kind=kind,
            params=cleaned,
            format=fmt,
            filename=spec.filename(cleaned, fmt),
            created_at=now,
            expires_at=now + EXPORT_KEEP,
        )
        audit_record(
            actor=actor,
            action="export.request",
            obj=job,
            after={"kind": kind, "format": fmt, "params": cleaned},
        )
        # A queued job whose message is lost (the process died before the commit's callbacks)
        # is failed by `export_purge` after EXPORT_STALE_AFTER; the official asks again.
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import export_render

    export_render.delay(job_id)


def export_render(
    *, job_id: int, now: dt.datetime | None = None, progress_every: int = PROGRESS_EVERY
) -> ExportJob | None:
    """Prepare the job's file, once: the conditional UPDATE queued → running claims it, so a
    second delivery of the same task (or a second worker) finds nothing to do. Progress is
    written as rows are done; a failure is recorded with its reason. Runs outside any
    transaction so the status page sees progress as it happens (every `progress_every` rows)."""
    now = now or timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    spec = KINDS[job.kind]
    try:
        with translation.override(settings.LANGUAGE_CODE):
            # Checked again: a grant revoked since the request stops the file being made.
            spec.clean(job.owner, job.params)
            total = spec.count(job.params, actor=job.owner)
            ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

            written = 0

            def progress(done: int) -> None:
                nonlocal written
                if done - written >= progress_every:
                    ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
                    written = done

            with tempfile.TemporaryFile() as out:
                done = spec.write(job.params, job.format, out, progress, actor=job.owner)
                out.seek(0)
                job.file.save(job.filename, File(out), save=False)
    except DomainError as exc:
        return _failed(job, exc.message)
    except Exception as exc:  # the reason is kept for the owner; the trace goes to the log
        logger.exception("export %s failed", job.pk)
        return _failed(job, f"{exc.__class__.__name__}: {exc}")
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.DONE,
        file=job.file.name,
        rows_done=done,
        rows_total=done,
        finished_at=timezone.now(),
    )
    if not finished:  # failed as stale meanwhile: the file is not wanted
        job.file.delete(save=False)
    job.refresh_from_db()
    return job


def _failed(job: ExportJob, reason: str) -> ExportJob:
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    if job.file:
        job.file.delete(save=False)
    job.refresh_from_db()
    return job


def export_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete the jobs past their `expires_at` with their files, and fail the ones left queued
    or running longer than EXPORT_STALE_AFTER (their worker is gone). Returns (deleted, failed).
    """
    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        Q(status=ExportStatus.QUEUED, created_at__lt=now - EXPORT_STALE_AFTER)
        | Q(status=ExportStatus.RUNNING, started_at__lt=now - EXPORT_STALE_AFTER)
    )
    failed = stale.update(
        status=ExportStatus.FAILED,
        error=_("The export was interrupted; ask for it again."),
        finished_at=now,
    )
    deleted = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted, failed
