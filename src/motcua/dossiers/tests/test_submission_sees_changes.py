"""A change to the catalog, to an agency or to a workflow reaches the very next submission.

Submissions read the procedure, its version in force and its competence from the shared cache
(core.revisions); the services that change them bump a revision when they commit, so no worker
keeps taking dossiers for a suspended procedure. Real commits here (transactional tests), no
waiting and no clearing of any cache between the change and the submission.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.catalog.constants import CompetentMode, ReceivingMode
from motcua.catalog.services import competence_rule_set, version_resume, version_suspend
from motcua.dossiers.models import Dossier
from motcua.organizations.services import agency_update
from motcua.workflows.services import definition_activate, definition_create, definition_test_run

from .factories import birth_steps, local

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def territory(transactional_db):
    # Transactional tests empty the database after each test, the territory included.
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()


def submit(world, *, officer: str = "commune_officer", desk: str = "osu", accept: bool = False):
    """A birth registration for a resident of the commune, handed in at `desk` over the API."""
    client = Client()
    client.force_login(world[officer])
    t = world.tree
    body = {
        "procedure": world.birth.code,
        "applicant": {
            "kind": "citizen",
            "name": "Trần Văn Bình",
            "id_number": "087190009999",
            "commune": t["commune"].commune_id,
        },
        "components": [{"name": "Tờ khai", "originals": 1}],
        "channel": "direct",
        "desk": t[desk].code or t[desk].pk,
        "accept": accept,
    }
    return client.post("/api/v1/dossiers", json.dumps(body), content_type="application/json")


def test_a_suspended_procedure_refuses_the_very_next_submission(world, catalog_admin):
    assert submit(world).status_code == 201
    # The next one is served from the cache: no catalog row is read again.
    with CaptureQueriesContext(connection) as queries:
        assert submit(world).status_code == 201
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "catalog_procedureversion" not in read and "catalog_competencerule" not in read

    version = world.birth.versions.get()
    version_suspend(actor=catalog_admin, version=version, reason="Rà soát thành phần hồ sơ")
    refused = submit(world)
    assert (refused.status_code, refused.json()["code"]) == (409, "not_published")
    assert Dossier.objects.count() == 2

    version_resume(actor=catalog_admin, version=version)
    assert submit(world).status_code == 201


def test_a_competence_change_routes_the_very_next_submission(world, catalog_admin):
    t = world.tree
    assert submit(world).json()["competent_agency"]["id"] == t["commune"].pk
    competence_rule_set(
        actor=catalog_admin,
        procedure=world.birth,
        mode=CompetentMode.AGENCY,
        agency=t["dept"],
        receiving=ReceivingMode.ALL_DESKS,
    )
    routed = submit(world).json()
    assert routed["competent_agency"]["id"] == t["dept"].pk


def test_a_closed_commune_takes_no_more_dossiers(world, superuser):
    # Handed in at the provincial centre's desk for a resident of the commune.
    assert submit(world, officer="desk_officer", desk="desk").status_code == 201
    agency_update(actor=superuser, agency=world.tree["commune"], is_active=False)
    refused = submit(world, officer="desk_officer", desk="desk")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_competence")


def test_an_activated_workflow_is_followed_by_the_very_next_dossier(world, catalog_admin):
    t = world.tree
    first = submit(world, accept=True).json()
    assert first["definition_id"] == world.birth_definition.pk
    steps = birth_steps()
    steps["steps"][1]["name"] = "Thẩm định và ghi sổ"
    own = definition_create(
        actor=catalog_admin,
        procedure=world.birth,
        province=t.province,
        agency=t["commune"],
        name="Quy trình của xã",
        document=steps,
    )
    run = definition_test_run(actor=catalog_admin, definition=own, start=local(2026, 11, 23, 8))
    assert run.passed, run.report["problems"]
    definition_activate(actor=catalog_admin, definition=own)
    following = submit(world, accept=True).json()
    assert (following["definition_id"], following["step_name"]) == (own.pk, "Thẩm định và ghi sổ")
