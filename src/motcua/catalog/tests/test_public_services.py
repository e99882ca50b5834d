"""Public services (R26): declaring one lets the named officers receive exactly that procedure."""

from __future__ import annotations

import pytest

from motcua.accounts.authz import can, forget_grants
from motcua.accounts.constants import Action
from motcua.accounts.models import Grant
from motcua.catalog.models import PublicService
from motcua.catalog.services import (
    public_service_declare,
    public_service_withdraw,
    version_approve,
    version_publish,
)
from motcua.core.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


@pytest.fixture
def officer(make_official, tree):
    return make_official("tiepnhan", tree["osu"])  # no grant yet


def test_declaring_grants_and_withdrawing_revokes(
    catalog_admin, names_officers, published, officer, tree, fields_and_procedures
):
    service = public_service_declare(
        actor=catalog_admin,
        procedure=published.procedure,
        agency=tree["osu"],
        channel="direct",
        officials=[officer],
    )
    assert can(officer, Action.DOSSIER_RECEIVE, service)
    other = PublicService(procedure=fields_and_procedures["marriage"], agency=tree["osu"])
    assert not can(officer, Action.DOSSIER_RECEIVE, other)  # that procedure only
    public_service_withdraw(actor=catalog_admin, service=service)
    forget_grants(officer)
    service.refresh_from_db()
    assert not service.is_active
    assert not can(officer, Action.DOSSIER_RECEIVE, service)


def test_declaring_twice_does_not_duplicate_grants(
    catalog_admin, names_officers, published, officer, tree
):
    for _ in range(2):
        service = public_service_declare(
            actor=catalog_admin,
            procedure=published.procedure,
            agency=tree["osu"],
            channel="online",
            officials=[officer],
        )
    assert service.grants.count() == 1


def test_refused_for_unpublished_procedure_or_another_provinces_officials(
    catalog_admin, birth_ready, officer, tree, other_tree, make_official
):
    with pytest.raises(InvalidInput) as caught:
        public_service_declare(
            actor=catalog_admin,
            procedure=birth_ready.procedure,
            agency=tree["osu"],
            channel="direct",
        )
    assert "procedure" in caught.value.errors
    version_approve(actor=catalog_admin, version=birth_ready)
    version_publish(actor=catalog_admin, version=birth_ready)
    stranger = make_official("stranger", other_tree["osu"])
    with pytest.raises(InvalidInput) as caught:
        public_service_declare(
            actor=catalog_admin,
            procedure=birth_ready.procedure,
            agency=tree["osu"],
            channel="direct",
            officials=[stranger],
        )
    assert "officials" in caught.value.errors
    assert not PublicService.objects.exists()


def test_only_catalog_managers_declare(published, officer, tree):
    with pytest.raises(NotAllowed):
        public_service_declare(
            actor=officer, procedure=published.procedure, agency=tree["osu"], channel="direct"
        )


def test_declaring_hands_out_grants_only_through_grant_create(
    catalog_admin, published, officer, tree
):
    """A catalog administrator neither names itself receiving officer (no self-grant) nor
    anyone else (it does not hold the receiving role): issue 11 §5."""
    for official in (catalog_admin, officer):
        with pytest.raises(NotAllowed):
            public_service_declare(
                actor=catalog_admin,
                procedure=published.procedure,
                agency=tree["osu"],
                channel="direct",
                officials=[official],
            )
    assert not PublicService.objects.exists()
    assert not Grant.objects.filter(role__code="receiving_officer").exists()
