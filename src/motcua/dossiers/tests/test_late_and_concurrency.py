"""Late dossiers (R15) and two officials acting at once (optimistic locking)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.core.errors import Conflict, NotAllowed
from motcua.dossiers.constants import EventKind
from motcua.dossiers.models import DueWarning
from motcua.dossiers.services import (
    dossier_act,
    dossier_apology_issue,
    dossier_consult_answer,
    due_warnings_scan,
)

from .factories import DossierFactory, local


def receive(world, now):
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accepted=True,
        now=now,
    )


@pytest.mark.django_db
def test_warning_then_apology_letter_in_time_once(world):
    d = receive(world, local(2026, 3, 2, 9))  # due Thursday 5/3 09:00
    assert due_warnings_scan(now=local(2026, 3, 2, 10)) == 0
    # Step overdue (Tuesday 09:30) and the appointment one working day away: warned once.
    assert due_warnings_scan(now=local(2026, 3, 4, 8)) >= 2
    assert due_warnings_scan(now=local(2026, 3, 4, 8, 30)) == 0
    # The periodic task (in-process without a broker) runs the same scan.
    from motcua.dossiers.tasks import due_warnings

    assert due_warnings.delay().get() == 0
    assert DueWarning.objects.filter(dossier=d, recipient=world["commune_specialist"]).exists()
    # Signed by the head of the agency at fault, not by the specialist.
    with pytest.raises(NotAllowed):
        dossier_apology_issue(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version,
            reason="x",
            new_due_at=local(2026, 3, 10, 9),
            now=local(2026, 3, 4, 8),
        )
    letter = dossier_apology_issue(
        actor=world["commune_chair"],
        dossier=d,
        expected_version=d.version,
        reason="Cần xác minh thêm tại nơi cư trú",
        new_due_at=local(2026, 3, 10, 9),
        now=local(2026, 3, 4, 8),
    )
    d.refresh_from_db()
    assert letter.sequence == 1 and letter.agency_at_fault == world.tree["commune"]
    assert letter.step_key == "tham-dinh"
    assert d.due_at == local(2026, 3, 10, 9) and d.original_due_at == local(2026, 3, 5, 9)
    assert d.events.filter(kind=EventKind.APOLOGY).count() == 1
    with pytest.raises(Conflict) as again:
        dossier_apology_issue(
            actor=world["commune_chair"],
            dossier=d,
            expected_version=d.version,
            reason="x",
            new_due_at=local(2026, 3, 12, 9),
            now=local(2026, 3, 5, 8),
        )
    assert again.value.code == "extension_limit"


@pytest.mark.django_db
def test_apology_refused_when_too_late(world):
    d = receive(world, local(2026, 3, 2, 9))
    with pytest.raises(Conflict) as late:
        dossier_apology_issue(
            actor=world["commune_chair"],
            dossier=d,
            expected_version=d.version,
            reason="x",
            new_due_at=local(2026, 3, 10, 9),
            now=local(2026, 3, 4, 10),
        )
    assert late.value.code == "apology_too_late"


@pytest.mark.django_db
@pytest.mark.usefixtures("lien_thong")
def test_parallel_consultations_must_all_answer(world):
    from motcua.dossiers.models import Consultation
    from motcua.workflows.models import ProcessDefinition

    t = world.tree
    doc = world.birth_definition.document
    doc["steps"][1]["transitions"] = [{"action": "consult", "next": "y-kien"}]
    doc["steps"].insert(
        2,
        {
            "key": "y-kien",
            "name": "Lấy ý kiến",
            "kind": "consult",
            "role": "specialist",
            "limit_amount": 4,
            "limit_unit": "working_hours",
            "unit": {"ref": "competent_agency"},
            "consult_units": [
                {"ref": "agency", "agency_id": t["dept_unit"].pk},
                {"ref": "agency", "agency_id": t["dept2"].pk},
            ],
            "transitions": [{"action": "forward", "next": "ky"}],
        },
    )
    from motcua.workflows.spec import spec_hash

    ProcessDefinition.objects.filter(pk=world.birth_definition.pk).update(
        document=doc, content_hash=spec_hash(doc)
    )
    d = receive(world, local(2026, 3, 2, 9))
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="consult",
        now=local(2026, 3, 2, 10),
    )
    asked = list(Consultation.objects.filter(dossier=d).order_by("pk"))
    assert [c.unit for c in asked] == [t["dept_unit"], t["dept2"]]
    with pytest.raises(Conflict):
        dossier_act(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version,
            action="forward",
        )
    with pytest.raises(NotAllowed):
        dossier_consult_answer(
            actor=world["dept2_specialist"], consultation=asked[0], opinion="Đồng ý"
        )
    d = dossier_consult_answer(
        actor=world["dept_specialist"],
        consultation=asked[0],
        opinion="Đồng ý",
        now=local(2026, 3, 2, 14),
    )
    assert d.step_key == "y-kien"
    d = dossier_consult_answer(
        actor=world["dept2_specialist"],
        consultation=asked[1],
        opinion="Không có ý kiến khác",
        now=local(2026, 3, 2, 15),
    )
    assert d.step_key == "ky"


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_officials_at_once_one_wins(reloaded, world):
    """Two real concurrent transactions on the same dossier version: one wins, one conflicts."""
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

    d = receive(world, local(2026, 3, 2, 9))
    version = d.version
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(name: str, action: str) -> None:
        try:
            user = User.objects.get(username="cv.tuphap")
            dossier = Dossier.objects.get(pk=d.pk)
            barrier.wait()
            results[name] = dossier_act(
                actor=user,
                dossier=dossier,
                expected_version=version,
                action=action,
                note=name,
                now=local(2026, 3, 2, 10),
            )
        except Exception as exc:  # the loser's conflict is the point
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(n, a)) for n, a in (("a", "forward"), ("b", "refuse"))
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Conflict", "Dossier"]
    d.refresh_from_db()
    assert d.version == version + 1 and d.step_key == "ky"
    assert d.events.filter(kind=EventKind.STEP, from_step="tham-dinh").count() == 1


@pytest.mark.django_db
def test_the_warned_official_reads_the_warnings_and_marks_them_seen(world):
    from django.test import Client

    d = receive(world, local(2026, 3, 2, 9))
    due_warnings_scan(now=local(2026, 3, 4, 8))
    specialist, other = Client(), Client()
    specialist.force_login(world["commune_specialist"])
    other.force_login(world["commune_officer"])

    listed = specialist.get("/api/v1/dossiers/warnings").json()
    assert {w["kind"] for w in listed} == {"due_soon", "step_overdue"}
    assert {w["dossier_code"] for w in listed} == {d.code}
    overdue = next(w for w in listed if w["kind"] == "step_overdue")
    assert overdue["kind_label"] == "Đã quá hạn xử lý của bước"
    assert listed == sorted(listed, key=lambda w: (w["target_at"], w["id"]))
    # Someone else's warning does not exist for them, and they cannot mark it.
    assert other.get("/api/v1/dossiers/warnings").json() == []
    assert other.post(f"/api/v1/dossiers/warnings/{overdue['id']}/seen").status_code == 404
    assert DueWarning.objects.get(pk=overdue["id"]).seen_at is None

    seen = specialist.post(f"/api/v1/dossiers/warnings/{overdue['id']}/seen")
    assert seen.status_code == 200 and seen.json()["seen_at"] is not None
    assert [w["kind"] for w in specialist.get("/api/v1/dossiers/warnings").json()] == ["due_soon"]
    everything = specialist.get("/api/v1/dossiers/warnings?all=true").json()
    assert len(everything) == 2
    assert Client().get("/api/v1/dossiers/warnings").status_code == 401
