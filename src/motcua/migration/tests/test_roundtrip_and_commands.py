"""Export then import gives the same dossiers (the round trip a ministry system makes), and the
commands: a progress bar on stderr, the report on stdout, a non-zero exit when lines were
rejected."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import local
from motcua.migration.models import MigratedDossier
from motcua.migration.services import dossier_record, import_file
from motcua.reports.services import counts_check
from motcua.reports.tests.drive import act, submit

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def ours(world) -> list[Dossier]:
    """Dossiers made by the real services: returned, refused, awaiting payment, submitted."""
    returned = submit(world, local(2026, 3, 2, 8, 0), accept=True)
    for i, op in enumerate(["forward", "forward", "return"], start=1):
        assert act(world, op, returned, local(2026, 3, 2 + i, 9, 0)), op
    refused = submit(world, local(2026, 3, 9, 8, 0))
    assert act(world, "refuse", refused, local(2026, 3, 9, 9, 0))
    waiting = submit(world, local(2026, 4, 6, 8, 0), accept=True)
    assert act(world, "forward", waiting, local(2026, 4, 6, 10, 0))
    assert act(world, "payment_request", waiting, local(2026, 4, 7, 9, 0))
    fresh = submit(world, local(2026, 5, 4, 8, 0))
    return [Dossier.objects.get(pk=d.pk) for d in (returned, refused, waiting, fresh)]


def without_code(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "old_code"}


def test_export_then_import_gives_the_same_dossiers(world, superuser, tmp_path):
    originals = ours(world)
    out = tmp_path / "bo" / "dossiers.jsonl"
    stdout = io.StringIO()
    call_command(
        "migrate_export",
        str(out),
        agency="000.01.31.H20",
        start="2026-01-01",
        end="2026-12-31",
        stdout=stdout,
    )
    assert "4 dossier(s)" in stdout.getvalue()
    assert len(out.read_text("utf-8").splitlines()) == 4

    run = import_file(out, superuser, source="motcua-khac")
    assert [r.reason for r in run.rejections.all()] == []
    assert (run.imported, run.rejected) == (4, 0)
    for d in originals:
        copy = MigratedDossier.objects.get(source="motcua-khac", old_code=d.code).dossier
        assert copy.pk != d.pk and copy.code != d.code
        assert without_code(dossier_record(copy)) == without_code(dossier_record(d))
        assert (copy.status, copy.statutory_due_at, copy.received_at) == (
            d.status,
            d.statutory_due_at,
            d.received_at,
        )
    assert counts_check(*YEAR) == []


def test_the_import_command_reports_and_fails_on_rejected_lines(world, export_file):
    lines = export_file.read_text("utf-8").splitlines()
    bad = json.loads(lines[0])
    bad["old_code"], bad["national_code"], bad["competent_agency"] = "SAI-1", None, "000.00.99.H20"
    export_file.write_text("\n".join([*lines, json.dumps(bad, ensure_ascii=False)]) + "\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "migrate_import", str(export_file), source="htmc-xa", batch=5, stdout=out, stderr=err
        )
    assert failed.value.returncode == 3
    assert "imported 20, already there 0, rejected 1" in out.getvalue()
    assert "line 21 [SAI-1]" in out.getvalue() and "000.00.99.H20" in out.getvalue()
    assert "21/21 lines" in err.getvalue() and "rows/s" in err.getvalue()
    assert "ETA" in err.getvalue()

    again = io.StringIO()
    with pytest.raises(CommandError):
        call_command("migrate_import", str(export_file), source="htmc-xa", stdout=again)
    assert "imported 0, already there 20, rejected 1" in again.getvalue()
    assert Dossier.objects.count() == 20


def test_the_import_command_succeeds_on_a_clean_file(world, export_file):
    out = io.StringIO()
    call_command(
        "migrate_import", str(export_file), source="htmc-xa", stdout=out, stderr=io.StringIO()
    )
    assert "imported 20, already there 0, rejected 0" in out.getvalue()
