"""A dossier's life through the services ends with the national portal (its simulator, over
real HTTP) holding the right status sequence, delivered by the outbox dispatcher."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.dossiers.services import dossier_act, dossier_return
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.tests import conftest as _outbox
from motcua.simulators.national_portal.models import SimDossier, SimProgress

from .factories import DossierFactory, draft_result

pytestmark = pytest.mark.django_db(transaction=True)

portal = _outbox.portal


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


def test_receive_accept_process_return_reaches_the_portal_in_order(reloaded, world, portal):
    now = timezone.now()
    d = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=True,
        now=now,
    )
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=now,
    )
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    d = dossier_act(
        actor=world["commune_chair"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=now,
    )
    d = dossier_return(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, now=now
    )

    report = outbox_dispatch(destinations=["dvcqg"])

    assert report.delivered == 6 and report.failed == 0
    portal_events = OutboxEvent.objects.filter(destination="dvcqg")
    assert not portal_events.exclude(status=OutboxStatus.DELIVERED).exists()
    rows = SimProgress.objects.filter(code=d.code).order_by("id")
    assert [r.status for r in rows] == ["1", "2", "2", "4", "9", "10"]
    assert [r.key for r in rows] == [f"dvcqg:dossier:{d.code}:{n}" for n in range(1, 7)]
    assert {r.times_received for r in rows} == {1}
    held = SimDossier.objects.get(code=d.code)
    assert held.data["TrangThaiHoSo"] == "10" and held.data["MaTTHC"] == "1.001193"
    assert held.data["NgayTra"] == d.returned_at.astimezone(
        timezone.get_fixed_timezone(7 * 60)
    ).strftime("%Y%m%d%H%M%S")


def test_a_committed_change_wakes_the_dispatcher(reloaded, world, portal, settings):
    """With OUTBOX_KICK_ON_COMMIT the commit of a transition queues the dispatch task (here run
    in-process, CELERY_TASK_ALWAYS_EAGER), so the portal has it without waiting for the beat."""
    settings.OUTBOX_KICK_ON_COMMIT = True
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )
    assert [r.status for r in SimProgress.objects.filter(code=d.code).order_by("id")] == [
        "1",
        "2",
        "2",
    ]
