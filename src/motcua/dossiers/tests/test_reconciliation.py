"""Reconciliation with the national portal (issue 13): what its simulator holds, over real HTTP,
compared with our dossiers; the differences re-sent through the outbox and applied."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.dossiers.services import dossier_act
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.tests import conftest as _outbox
from motcua.reconciliation.models import Reconciliation
from motcua.reconciliation.services import reconcile
from motcua.simulators.national_portal.models import SimDossier, SimProgress

from . import test_national_sync as _sync
from .factories import DossierFactory

pytestmark = pytest.mark.django_db(transaction=True)

portal = _outbox.portal
reloaded = _sync.reloaded


def accepted(world):
    return DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )


def today():
    return timezone.localdate()


def test_missing_and_differing_dossiers_are_found_resent_and_then_agree(reloaded, world, portal):
    gone, behind, fine = accepted(world), accepted(world), accepted(world)
    assert outbox_dispatch().failed == 0
    # The portal lost one dossier and holds another at an older status.
    SimDossier.objects.filter(code=gone.code).delete()
    held = SimDossier.objects.get(code=behind.code)
    held.data = {**held.data, "TrangThaiHoSo": "1"}
    held.save()

    run = reconcile(start=today(), end=today())

    assert run.state == Reconciliation.State.DONE
    assert (run.checked, run.matching, run.missing, run.differing) == (3, 1, 1, 1)
    assert run.resent == 2 and (run.in_flight, run.dead_letters) == (0, 0)
    assert sorted((d["code"], d["kind"], d["portal"]) for d in run.differences) == sorted(
        [(gone.code, "missing", None), (behind.code, "differs", "1")]
    )
    assert outbox_dispatch().failed == 0
    assert SimDossier.objects.get(code=gone.code).data["TrangThaiHoSo"] == "2"
    assert SimDossier.objects.get(code=behind.code).data["TrangThaiHoSo"] == "2"
    # The re-send went under its own key: applied although the original events had been.
    resent = SimProgress.objects.filter(code=behind.code, key__contains="dossier.resync")
    assert resent.count() == 1 and resent.get().status == "2"
    assert not SimProgress.objects.filter(code=fine.code, key__contains="resync").exists()

    again = reconcile(start=today(), end=today())
    assert (again.checked, again.matching, again.resent) == (3, 3, 0)


def test_changes_still_queued_or_dead_are_not_differences(reloaded, world, portal):
    queued = accepted(world)  # never dispatched: on its way
    dead = accepted(world)
    OutboxEvent.objects.filter(aggregate_id=dead.code).update(status=OutboxStatus.FAILED)

    run = reconcile(start=today(), end=today())

    assert (run.checked, run.in_flight, run.dead_letters) == (2, 1, 1)
    assert (run.missing, run.differing, run.resent) == (0, 0, 0)
    assert not OutboxEvent.objects.filter(kind="dossier.resync").exists()
    assert queued.code not in {d["code"] for d in run.differences}


def test_a_resend_is_dropped_when_the_dossier_changed_since(reloaded, world, portal):
    d = accepted(world)
    outbox_dispatch()
    held = SimDossier.objects.get(code=d.code)
    held.data = {**held.data, "TrangThaiHoSo": "1"}
    held.save()
    run = reconcile(start=today(), end=today())
    assert run.resent == 1
    # Meanwhile the specialist moves it on: its own events carry the newer state.
    d.refresh_from_db()
    dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )

    assert outbox_dispatch().failed == 0

    resync = OutboxEvent.objects.get(kind="dossier.resync")
    assert resync.status == OutboxStatus.DELIVERED
    assert not SimProgress.objects.filter(key=resync.idempotency_key).exists()
    d.refresh_from_db()
    assert SimDossier.objects.get(code=d.code).data["TrangThaiHoSo"] == str(d.national_status)


def test_a_portal_that_stops_answering_ends_the_run_as_failed(reloaded, world, portal):
    accepted(world)
    outbox_dispatch()
    _outbox.faults(portal, outage_seconds=30)

    run = reconcile(start=today(), end=today())

    assert run.state == Reconciliation.State.FAILED and run.error
    assert run.resent == 0 and not OutboxEvent.objects.filter(kind="dossier.resync").exists()


def test_only_the_it_team_reconciles(reloaded, world, portal, superuser):
    with pytest.raises(NotAllowed):
        reconcile(start=today(), end=today(), actor=world["commune_officer"])
    with pytest.raises(InvalidInput):
        reconcile(start=today(), end=today().replace(year=today().year - 1))
    assert not Reconciliation.objects.exists()
    body = {"start": str(today()), "end": str(today()), "resend": False}
    from django.test import Client

    officer = Client()
    officer.force_login(world["commune_officer"])
    assert officer.post("/api/v1/reconciliations", body, "application/json").status_code == 403
    assert officer.get("/api/v1/reconciliations").status_code == 403
    assert Client().post("/api/v1/reconciliations", body, "application/json").status_code in (
        401,
        403,
    )
    operator = Client()
    operator.force_login(superuser)
    made = operator.post("/api/v1/reconciliations", body, "application/json")
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "done"
    listed = operator.get("/api/v1/reconciliations").json()
    assert [r["id"] for r in listed] == [made.json()["id"]]


def test_a_dead_letter_is_rebuilt_from_its_dossier_and_replayed(reloaded, world, portal, superuser):
    """A payload the portal refuses (here a status code it does not know) is a dead letter;
    rebuilt from the dossier and its history row, it is delivered; audited; IT team only."""
    from django.test import Client

    from motcua.core.models import AuditEntry
    from motcua.dossiers.services.resend import national_dead_letters_rebuild

    d = accepted(world)
    broken = OutboxEvent.objects.get(destination="dvcqg", aggregate_id=d.code, aggregate_seq=1)
    bad = {**broken.payload, "progress": {**broken.payload["progress"], "TrangThai": "99"}}
    OutboxEvent.objects.filter(pk=broken.pk).update(payload=bad)
    outbox_dispatch()
    broken.refresh_from_db()
    assert broken.status == OutboxStatus.FAILED
    waiting = OutboxEvent.objects.filter(
        destination="dvcqg", aggregate_id=d.code, aggregate_seq__gt=1
    )
    assert set(waiting.values_list("status", flat=True)) == {OutboxStatus.PENDING}

    with pytest.raises(NotAllowed):
        national_dead_letters_rebuild(actor=world["commune_officer"], ids=[broken.pk])
    officer = Client()
    officer.force_login(world["commune_officer"])
    answer = officer.post("/api/v1/outbox/rebuild", {"ids": [broken.pk]}, "application/json")
    assert answer.status_code == 403
    operator = Client()
    operator.force_login(superuser)
    answer = operator.post("/api/v1/outbox/rebuild", {"ids": [broken.pk]}, "application/json")
    assert answer.status_code == 200 and answer.json() == {"replayed": 1}

    assert outbox_dispatch().failed == 0
    d.refresh_from_db()
    assert SimDossier.objects.get(code=d.code).data["TrangThaiHoSo"] == str(d.national_status)
    assert AuditEntry.objects.filter(action="outbox.rebuild").count() == 1
