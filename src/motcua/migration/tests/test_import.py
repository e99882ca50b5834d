"""A valid export imports exactly its records: dossiers with our codes and the old ones beside,
their history, files in storage, the clock's fields, the counts; no outbox rows but one."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.files.storage import default_storage

from motcua.dossiers.constants import Status, Timeliness
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import clocking
from motcua.dossiers.tests.factories import draft_result
from motcua.migration.models import MigratedDossier, MigratedFile, RunStatus
from motcua.migration.services import import_file
from motcua.outbox.models import OutboxEvent
from motcua.reports.models import DailyCount
from motcua.reports.services import counts_check

FIRST, LAST = dt.date(2023, 1, 1), dt.date(2026, 12, 31)


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_old(code: str) -> Dossier:
    return MigratedDossier.objects.select_related("dossier").get(old_code=code).dossier


def test_imports_exactly_the_records_of_the_file(world, superuser, export_file):
    expected = records(export_file)
    run = import_file(export_file, superuser, source="htmc-xa", batch=7)

    assert (run.status, run.imported, run.skipped, run.rejected) == (RunStatus.DONE, 20, 0, 0)
    assert run.total_lines == run.last_line == 20
    assert Dossier.objects.count() == 20
    migrated = {m.old_code: m.dossier for m in MigratedDossier.objects.select_related("dossier")}
    assert set(migrated) == {r["old_code"] for r in expected}
    for r in expected:
        d = migrated[r["old_code"]]
        assert d.applicant_name == r["applicant"]["name"]
        assert d.external_code == (r["national_code"] or "")
        assert d.code.startswith("000.01.31.H20-")  # ours, from the receiving unit's identifier
        assert d.receiving_agency.code == r["receiving_agency"]
        assert d.competent_agency.code == r["competent_agency"]
    # The code of the day the dossier was received.
    assert by_old("HTMC-XA-2023-00001").code == "000.01.31.H20-230306-0001"


def test_history_statuses_and_dates_are_kept(world, superuser, export_file):
    import_file(export_file, superuser, source="htmc-xa")

    d = by_old("HTMC-XA-2023-00002")  # statuses given as the national codes
    assert d.status == Status.RETURNED and d.national_status == 10
    events = list(DossierEvent.objects.filter(dossier=d).order_by("seq"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("step", "accepted", "processing"),
        ("finish", "processing", "done"),
        ("return_result", "done", "returned"),
    ]
    assert events[3].note == "Trễ hạn do chờ xác minh"
    assert events[3].actor_label == "Trần Văn Sáu" and events[3].actor is None
    assert d.event_seq == 5

    # No history in the export: submission, acceptance, finish and return from its dates.
    bridged = by_old("HTMC-XA-2023-00003")
    kinds = [(e.kind, e.at) for e in DossierEvent.objects.filter(dossier=bridged).order_by("seq")]
    assert kinds == [
        ("submit", bridged.submitted_at),
        ("accept", bridged.received_at),
        ("finish", bridged.finished_at),
        ("return_result", bridged.returned_at),
    ]
    # History beginning at acceptance: the submission is added before it.
    nine = by_old("HTMC-XA-2026-00009")
    first = DossierEvent.objects.get(dossier=nine, seq=1)
    assert (first.kind, first.at, first.data.get("synthesized")) == (
        "submit",
        nine.submitted_at,
        True,
    )


def test_version_in_force_or_marked_fallback_and_rule_set_of_the_day(world, superuser, export_file):
    import_file(export_file, superuser, source="htmc-xa")
    old = MigratedDossier.objects.get(old_code="HTMC-XA-2023-00001")
    new = MigratedDossier.objects.get(old_code="HTMC-XA-2026-00009")
    # The only published version takes effect on 1/1/2026: a 2023 dossier falls back to it.
    assert old.version_fallback is True and new.version_fallback is False
    assert old.dossier.procedure_version_id == new.dossier.procedure_version_id
    assert old.dossier.rule_set == "nd61-2018"
    assert new.dossier.rule_set == "nd118-2025"


def test_clock_fields_judge_lateness_as_it_was(world, superuser, export_file):
    import_file(export_file, superuser, source="htmc-xa")
    on_time = by_old("HTMC-XA-2023-00001")
    late = by_old("HTMC-XA-2023-00002")
    assert clocking.timeliness_of(on_time, on_time.finished_at) == Timeliness.EARLY
    assert clocking.timeliness_of(late, late.finished_at) == Timeliness.LATE
    assert DossierEvent.objects.get(dossier=late, kind="finish").timeliness == Timeliness.LATE
    # No due date in the export: 3 working days from reception (Mon 6/4/2026 08:00).
    computed = by_old("HTMC-XA-2026-00015")
    assert computed.statutory_due_at is not None
    assert computed.statutory_due_at.date() == dt.date(2026, 4, 9)
    # Waiting for the applicant: the clock stopped when the wait began.
    waiting = by_old("HTMC-XA-2026-00017")
    assert waiting.clock_paused_at == DossierEvent.objects.get(dossier=waiting, seq=3).at


def test_files_are_copied_to_storage_with_their_sha256(world, superuser, export_file):
    import_file(export_file, superuser, source="htmc-xa")
    d = by_old("HTMC-XA-2023-00001")
    files = list(MigratedFile.objects.filter(migrated__dossier=d).order_by("role", "order"))
    assert [(f.role, f.name) for f in files] == [
        ("component", "Tờ khai đăng ký khai sinh"),
        ("component", "Giấy chứng sinh"),
        ("result", "Giấy khai sinh (bản chính)"),
    ]
    for f in files:
        with default_storage.open(f.storage_name, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == f.sha256
    component = d.components.get(order=1)
    assert component.file_sha256 == files[0].sha256 and component.file_size == files[0].size
    assert files[2].number == "45/2023"


def test_only_the_never_synced_open_dossier_goes_to_the_national_portal(
    world, superuser, export_file
):
    import_file(export_file, superuser, source="htmc-xa")
    events = list(OutboxEvent.objects.all())
    announced = by_old("HTMC-XA-2026-00012")
    assert [(e.aggregate_id, e.kind) for e in events] == [(announced.code, "dossier.progress")]
    assert events[0].payload["dossier"]["TrangThaiHoSo"] == "2"


def test_counts_include_migrated_dossiers(world, superuser, export_file):
    import_file(export_file, superuser, source="htmc-xa")
    assert counts_check(FIRST, LAST) == []
    day = DailyCount.objects.get(day=dt.date(2023, 5, 15))
    assert (day.received, day.accepted) == (1, 1)
    late = DailyCount.objects.get(day=dt.date(2023, 5, 22))
    assert (late.settled, late.settled_late) == (1, 1)
    total = sum(DailyCount.objects.values_list("received", flat=True))
    assert total == 20


def test_open_migrated_dossiers_go_on_in_our_workflow(world, superuser, export_file):
    """A dossier still being processed in the old system continues here: it stands at the
    first processing step of the workflow in force (the old system's steps do not map), at the
    competent agency, unassigned, and goes through to its return like any other."""
    from motcua.dossiers.services import dossier_act, dossier_return

    import_file(export_file, superuser, source="htmc-xa")
    people = world.officials
    for old in ("HTMC-XA-2026-00011", "HTMC-XA-2026-00012"):
        d = by_old(old)
        assert d.definition_id == world.birth_definition.pk
        assert (d.step_key, d.step_name) == ("tham-dinh", "Thẩm định hồ sơ")
        assert d.step_agency == world.tree["commune"] and d.assignee_id is None
        assert d.step_due_at is not None and d.due_at is not None

    d = by_old("HTMC-XA-2026-00011")
    d = dossier_act(
        actor=people["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    assert d.step_key == "ky"
    draft_result(people["commune_specialist"], d)  # the chair signs it (R28)
    d = dossier_act(
        actor=people["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    assert d.status == Status.DONE
    d = dossier_return(actor=people["commune_officer"], dossier=d, expected_version=d.version)
    assert d.status == Status.RETURNED

    # Settled in the old system, waiting for return: the desk returns it.
    d = by_old("HTMC-XA-2026-00019")
    assert d.status == Status.DONE and d.step_key == ""
    d = dossier_return(actor=people["commune_officer"], dossier=d, expected_version=d.version)
    assert d.status == Status.RETURNED
