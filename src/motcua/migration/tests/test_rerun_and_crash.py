"""The same file twice creates nothing twice; a crash in the middle and a rerun (resumed or
from the top) give exactly the file's records, once, and the counts agree with the history."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.migration.models import ImportRejection, ImportRun, MigratedDossier, RunStatus
from motcua.migration.services import import_file
from motcua.outbox.models import OutboxEvent
from motcua.reports.services import counts_check

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2026, 12, 31)


class Crash(Exception):
    """The process dies here (raised from the progress report, after a batch committed)."""


def crash_after(batches: int):
    seen = []

    def progress(run: ImportRun) -> None:
        seen.append(run.last_line)
        if len(seen) == batches:
            raise Crash

    return progress


def exactly_once(export_file) -> None:
    codes = [json.loads(x)["old_code"] for x in export_file.read_text("utf-8").splitlines()]
    assert sorted(MigratedDossier.objects.values_list("old_code", flat=True)) == sorted(codes)
    assert Dossier.objects.count() == len(codes)
    # Every dossier has its history once: seq 1..n, as many rows as its counter says.
    assert DossierEvent.objects.count() == sum(Dossier.objects.values_list("event_seq", flat=True))
    assert counts_check(FIRST, LAST) == []


def test_the_same_file_twice_creates_nothing_twice(world, superuser, export_file):
    first = import_file(export_file, superuser, source="htmc-xa")
    second = import_file(export_file, superuser, source="htmc-xa")
    assert (first.imported, first.skipped) == (20, 0)
    assert (second.imported, second.skipped, second.rejected) == (0, 20, 0)
    assert OutboxEvent.objects.count() == 1
    exactly_once(export_file)


def test_another_source_with_the_same_old_codes_is_another_system(world, superuser, export_file):
    lines = [json.loads(x) for x in export_file.read_text("utf-8").splitlines()]
    for r in lines:
        r["national_code"] = None
    export_file.write_text("\n".join(json.dumps(r) for r in lines) + "\n", "utf-8")
    import_file(export_file, superuser, source="htmc-xa")
    run = import_file(export_file, superuser, source="htmc-huyen")
    assert run.imported == 20
    assert MigratedDossier.objects.count() == 40


@pytest.mark.parametrize("resume", [True, False], ids=["resumed", "from-the-top"])
def test_a_crash_after_a_batch_and_a_rerun_give_the_records_once(
    world, superuser, export_file, resume
):
    bad = json.loads(export_file.read_text("utf-8").splitlines()[0])
    bad["old_code"], bad["national_code"], bad["procedure_code"] = "BAD", None, "9.999999"
    with export_file.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(bad) + "\n")  # line 21: rejected once per run, never twice

    with pytest.raises(Crash):
        import_file(export_file, superuser, source="htmc-xa", batch=6, progress=crash_after(2))
    crashed = ImportRun.objects.get()
    assert (crashed.status, crashed.last_line, crashed.imported) == (RunStatus.RUNNING, 12, 12)
    assert Dossier.objects.count() == 12

    run = import_file(export_file, superuser, source="htmc-xa", batch=6, resume=resume)
    exactly_once_codes = MigratedDossier.objects.values_list("old_code", flat=True)
    assert len(exactly_once_codes) == 20 and "BAD" not in exactly_once_codes
    assert Dossier.objects.count() == 20
    assert counts_check(FIRST, LAST) == []
    if resume:
        assert run.pk == crashed.pk
        assert (run.imported, run.skipped, run.rejected) == (20, 0, 1)
    else:
        crashed.refresh_from_db()
        assert crashed.status == RunStatus.ABANDONED
        assert (run.imported, run.skipped, run.rejected) == (8, 12, 1)
    assert ImportRejection.objects.filter(run=run).count() == 1
    assert run.status == RunStatus.DONE


def test_a_record_the_database_refuses_mid_batch_keeps_the_rest_of_the_batch(
    world, superuser, export_file
):
    """A record refused by a constraint (the national code of another record of the batch)
    rolls back to its own savepoint; the batch's other records and its position commit."""
    lines = export_file.read_text("utf-8").splitlines()
    twin = json.loads(lines[0])
    twin["old_code"] = "TWIN"
    lines.insert(3, json.dumps(twin, ensure_ascii=False))
    export_file.write_text("\n".join(lines) + "\n", "utf-8")
    run = import_file(export_file, superuser, source="htmc-xa", batch=10)
    assert (run.imported, run.rejected, run.last_line) == (20, 1, 21)
    assert run.rejections.get().line == 4


def _big_file(export_file: Path, n: int) -> Path:
    """`n` records cloned from the example, files and national codes dropped."""
    lines = [json.loads(x) for x in export_file.read_text("utf-8").splitlines()]
    path = export_file.with_name("big.jsonl")
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            r = dict(lines[i % len(lines)])
            r["old_code"] = f"BIG-{i:05d}"
            r["national_code"] = None
            r["components"] = []
            r["results"] = []
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="the killed process must share the test database: PostgreSQL (SQLite's test "
    "database lives in memory)",
)
@pytest.mark.django_db(transaction=True)
def test_a_process_killed_with_sigkill_and_a_resume_give_the_records_once(
    reloaded, world, superuser, export_file, media
):
    assert connection.vendor == "postgresql"
    big = _big_file(export_file, 600)
    settings_db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/"
            f"{settings_db['NAME']}"
        ),
        "MEDIA_ROOT": str(media),
    }
    manage = Path(__file__).resolve().parents[4] / "manage.py"
    proc = subprocess.Popen(  # noqa: S603 — our own manage.py, arguments built here
        [
            sys.executable,
            str(manage),
            "migrate_import",
            str(big),
            "--source",
            "htmc-xa",
            "--batch",
            "5",
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    # Wait for its progress bar to pass 100 lines, then kill it without warning.
    buffer = b""
    while True:
        chunk = proc.stderr.read1(4096)
        if not chunk:
            break
        buffer += chunk
        frames = buffer.decode("utf-8", "replace").split("\r")
        done = [int(f.split("]")[1].split("/")[0]) for f in frames if "lines" in f and "]" in f]
        if done and done[-1] >= 100:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    crashed = ImportRun.objects.get()
    assert crashed.status == RunStatus.RUNNING
    assert 100 <= crashed.last_line < 600
    assert Dossier.objects.count() == crashed.imported == crashed.last_line

    run = import_file(big, superuser, source="htmc-xa", batch=50, resume=True)
    assert run.pk == crashed.pk
    assert (run.imported, run.skipped, run.rejected) == (600, 0, 0)
    exactly_once(big)
