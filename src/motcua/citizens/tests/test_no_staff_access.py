"""A citizen's login never opens the officials' side: `can()` refuses every action on every
target, the administration, the officials' pages and API stay shut, and no official's operation
of the lifecycle accepts them — even on their own dossier."""

from __future__ import annotations

import pytest

from motcua.accounts.authz import agencies_where, can, has_any, holds
from motcua.accounts.constants import Action
from motcua.citizens.services import citizen_login
from motcua.core.errors import NotAllowed
from motcua.dossiers import services
from motcua.dossiers.tests.factories import DossierFactory

from .test_my_dossiers import identity


@pytest.fixture
def lan(db):
    return citizen_login(identity=identity())


@pytest.fixture
def own(world):
    return DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )


def test_can_refuses_a_citizen_every_action_on_every_target(world, lan, own):
    targets = [*world.tree.a.values(), own, world.birth, world["commune_officer"]]
    for action in Action.values:
        for target in targets:
            assert not can(lan, action, target), (action, target)
        assert not holds(lan, action, world.tree["root"], include_subtree=True)
        assert not agencies_where(lan, action).exists()
    assert not has_any(lan, set(Action.values))
    assert not lan.is_staff and not lan.is_superuser


def test_the_officials_side_stays_shut(world, lan, own, client):
    client.force_login(lan)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    assert own.code not in client.get("/ho-so/").content.decode()
    assert client.get(f"/ho-so/{own.pk}/").status_code in (403, 404)
    assert client.get(f"/api/v1/dossiers/{own.pk}").status_code == 404
    listed = client.get("/api/v1/dossiers").json()
    assert listed.get("items", []) == []
    # The officials' password form: a VNeID account has no password.
    client.logout()
    response = client.post("/dang-nhap/", {"username": lan.username, "password": ""})
    assert response.status_code == 200  # the form again, not a redirect into the site
    assert "_auth_user_id" not in client.session


def test_officials_operations_refuse_the_applicant_on_their_own_dossier(world, lan, own):
    with pytest.raises(NotAllowed):
        services.dossier_act(actor=lan, dossier=own, expected_version=own.version, action="forward")
    with pytest.raises(NotAllowed):
        services.dossier_stop(
            actor=lan,
            dossier=own,
            expected_version=own.version,
            reason="x",
            requested_by="applicant",
        )
    with pytest.raises(NotAllowed):
        services.dossier_request_supplement(
            actor=lan, dossier=own, expected_version=own.version, items=["a"], reason="b"
        )
