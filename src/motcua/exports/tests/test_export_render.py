"""export_render (the worker): the file of the right rows, progress, failures with their reason,
one rendering however often the task is delivered; export_purge."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from motcua.accounts.models import Grant
from motcua.accounts.services import grant_revoke
from motcua.exports import tasks
from motcua.exports.constants import ExportStatus
from motcua.exports.kinds import LEDGER_COLUMNS
from motcua.exports.models import ExportJob
from motcua.exports.services import export_purge, export_render, export_request
from motcua.printing.pdf import text_of_pdf

from .conftest import ledger_params

pytestmark = pytest.mark.django_db


def queued(world, fmt: str, django_capture_on_commit_callbacks, **overrides) -> ExportJob:
    """A requested job whose task has not run (its commit callback dropped)."""
    with django_capture_on_commit_callbacks(execute=False):
        return export_request(
            actor=world["commune_officer"],
            kind="ledger",
            params=ledger_params(world, **overrides),
            fmt=fmt,
        )


def test_xlsx_holds_the_ledgers_columns_and_one_row_per_dossier(
    world, three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(
            actor=world["commune_officer"], kind="ledger", params=ledger_params(world), fmt="xlsx"
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.percent == 100
    assert job.filename == "so-theo-doi-2026-03-01-2026-03-31.xlsx"
    with job.file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read()), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    title, period, header, *data = rows
    assert title[0].startswith("SỔ THEO DÕI HỒ SƠ")
    assert period[0] == "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    assert header == LEDGER_COLUMNS
    assert [r[0] for r in data] == [1, 2, 3]
    assert [r[1] for r in data] == [d.code for d in three]
    # Received at 09:00 local time, written as local time (Excel has no time zones).
    assert data[0][7] == dt.datetime(2026, 3, 2, 9, 0)
    assert job.rows_done == job.rows_total == 3


def test_pdf_is_a_pdf_with_every_dossier(world, three, django_capture_on_commit_callbacks):
    job = queued(world, "pdf", django_capture_on_commit_callbacks)
    job = tasks.export_render.delay(job.pk).get() and ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportStatus.DONE
    with job.file.open("rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    text = text_of_pdf(content).replace("\n", "")
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Trang 1/1" in text
    assert all(d.code in text for d in three)


def test_progress_is_written_as_rows_are_done(world, three, django_capture_on_commit_callbacks):
    job = queued(world, "xlsx", django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        export_render(job_id=job.pk, progress_every=1)
    progress = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "rows_done" in q["sql"]
    ]
    # Rows 1, 2 and 3, then the final state.
    assert len(progress) == 4
    job.refresh_from_db()
    assert (job.rows_done, job.rows_total, job.percent) == (3, 3, 100)


def test_a_task_delivered_twice_renders_once(world, three, django_capture_on_commit_callbacks):
    job = queued(world, "xlsx", django_capture_on_commit_callbacks)
    assert tasks.export_render.delay(job.pk).get() == ExportStatus.DONE
    first = ExportJob.objects.get(pk=job.pk)
    assert tasks.export_render.delay(job.pk).get() is None
    again = ExportJob.objects.get(pk=job.pk)
    assert again.attempts == 1
    assert (again.file.name, again.finished_at) == (first.file.name, first.finished_at)


def test_a_grant_revoked_before_the_worker_starts_fails_the_job(
    world, three, superuser, django_capture_on_commit_callbacks
):
    job = queued(world, "pdf", django_capture_on_commit_callbacks)
    for grant in Grant.objects.filter(user=world["commune_officer"], revoked_at__isnull=True):
        grant_revoke(actor=superuser, grant=grant)
    export_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "Bạn không có quyền thực hiện thao tác này."
    assert not job.file and job.finished_at is not None


def test_a_storage_failure_is_recorded_with_its_reason(
    world, three, settings, tmp_path, django_capture_on_commit_callbacks
):
    job = queued(world, "xlsx", django_capture_on_commit_callbacks)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    export_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error.split(":")[0] in {"NotADirectoryError", "FileExistsError", "OSError"}
    assert job.rows_total == 3


def test_purge_deletes_expired_jobs_and_files_and_fails_abandoned_ones(
    world, three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = export_request(
            actor=world["commune_officer"], kind="ledger", params=ledger_params(world), fmt="xlsx"
        )
    done.refresh_from_db()
    storage, name = done.file.storage, done.file.name
    assert storage.exists(name)
    abandoned = queued(world, "pdf", django_capture_on_commit_callbacks)
    now = timezone.now()

    assert export_purge(now=now + dt.timedelta(hours=1)) == (0, 0)
    assert export_purge(now=now + dt.timedelta(hours=3)) == (0, 1)
    abandoned.refresh_from_db()
    assert abandoned.status == ExportStatus.FAILED and abandoned.error
    assert export_render(job_id=abandoned.pk) is None  # a late delivery does nothing

    assert export_purge(now=now + dt.timedelta(days=7, minutes=1)) == (2, 0)
    assert not ExportJob.objects.exists()
    assert not storage.exists(name)
