"""Bad records are each rejected with a clear reason, never stopping the run, and nothing of a
rejected record is written (no dossier, history, component, file, code number or outbox row)."""

from __future__ import annotations

import json

import pytest

from motcua.dossiers.models import CodeCounter, Dossier, DossierComponent, DossierEvent
from motcua.migration.models import MigratedDossier, MigratedFile
from motcua.migration.services import import_file


def good(export_file) -> list[dict]:
    return [json.loads(x) for x in export_file.read_text(encoding="utf-8").splitlines()]


def write(path, lines) -> None:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
        + "\n",
        encoding="utf-8",
    )


def variant(base: dict, code: str, **changes) -> dict:
    r = json.loads(json.dumps(base))
    r["old_code"] = code
    r["national_code"] = None
    for key, value in changes.items():
        if value is ...:
            r.pop(key, None)
        else:
            r[key] = value
    return r


CASES = [
    # (what is wrong, change to record 1, words the reason must contain)
    ("unknown procedure", {"procedure_code": "9.999999"}, "9.999999"),
    ("unknown agency", {"competent_agency": "000.00.99.H20"}, "000.00.99.H20"),
    ("bad agency pattern", {"receiving_agency": "H20"}, "receiving_agency"),
    ("missing applicant", {"applicant": ...}, "applicant"),
    ("bad status", {"status": "archived"}, "status"),
    ("national status 11", {"status": 11}, "status"),
    ("naive date", {"submitted_at": "2023-03-06T08:15:00"}, "submitted_at"),
    (
        "returned before finished",
        {"returned_at": "2023-03-07T08:00:00+07:00"},
        "returned_at",
    ),
    (
        "done without finish date",
        {"status": "done", "finished_at": None, "returned_at": None, "history": []},
        "finished_at",
    ),
    ("history disagrees with status", {"status": "done", "returned_at": None}, "returned"),
]


@pytest.mark.parametrize(("what", "change", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_record_is_rejected_with_its_reason(
    world, superuser, export_file, what, change, words
):
    base = good(export_file)[0]
    bad = variant(base, "BAD-1", **change)
    ok = variant(base, "OK-1")
    write(export_file, [bad, ok])
    run = import_file(export_file, superuser, source="htmc-xa")
    assert (run.imported, run.rejected) == (1, 1)
    [rejection] = run.rejections.all()
    assert (rejection.line, rejection.old_code) == (1, "BAD-1")
    assert words in rejection.reason
    assert list(MigratedDossier.objects.values_list("old_code", flat=True)) == ["OK-1"]


def test_a_damaged_or_missing_file_rejects_its_record_and_writes_nothing_of_it(
    world, superuser, export_file, export_dir, media
):
    records = good(export_file)
    (export_dir / records[0]["components"][1]["file"]["path"]).write_text("sửa", "utf-8")
    (export_dir / records[11]["components"][0]["file"]["path"]).unlink()
    escape = variant(records[19], "ESCAPE")
    escape["components"][1]["file"]["path"] = "../../etc/passwd"
    write(export_file, [*records, escape, "{không phải JSON", ""])
    run = import_file(export_file, superuser, source="htmc-xa", batch=5)

    reasons = {r.old_code or r.line: r.reason for r in run.rejections.all()}
    assert set(reasons) == {"HTMC-XA-2023-00001", "HTMC-XA-2026-00012", "ESCAPE", 22}
    assert "SHA-256" in reasons["HTMC-XA-2023-00001"]
    assert records[11]["components"][0]["file"]["path"] in reasons["HTMC-XA-2026-00012"]
    assert "../../etc/passwd" in reasons["ESCAPE"]
    assert "JSON" in reasons[22]
    assert (run.imported, run.rejected) == (18, 4)
    assert Dossier.objects.count() == 18
    # Nothing half-saved: the rejected records have no history, component or file row, and
    # the file of the first record's other component was not copied either.
    assert DossierEvent.objects.count() == sum(Dossier.objects.values_list("event_seq", flat=True))
    assert DossierComponent.objects.count() == 2  # record 20's two; none of 1, 12 or ESCAPE
    stored = list(media.rglob("*")) if media.exists() else []
    assert (
        sum(1 for p in stored if p.is_file())
        == MigratedFile.objects.exclude(storage_name="").count()
    )


def test_a_national_code_already_used_rejects_the_later_record_only(world, superuser, export_file):
    records = good(export_file)
    twin = variant(records[0], "TWIN", national_code=records[0]["national_code"])
    write(export_file, [records[0], twin, records[1]])
    counters_before = CodeCounter.objects.count()
    run = import_file(export_file, superuser, source="htmc-xa")
    assert (run.imported, run.rejected) == (2, 1)
    [rejection] = run.rejections.all()
    assert rejection.old_code == "TWIN"
    assert records[0]["national_code"] in rejection.reason
    # The twin's code number was given back with its savepoint: the sequence has no hole.
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == ["000.01.31.H20-230306-0001", "000.01.31.H20-230515-0001"]
    assert CodeCounter.objects.count() == counters_before + 2
