"""Per-locality competence: configured as data, resolved per procedure and commune."""

from __future__ import annotations

import pytest

from motcua.catalog.competence import competence_resolve
from motcua.catalog.constants import AuthorityKind, CompetentMode, ReceivingMode
from motcua.catalog.services import competence_rule_set
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.organizations.models import AgencyKind
from motcua.organizations.services import agency_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures(fields_and_procedures):
    return fields_and_procedures


def test_each_commune_settles_for_its_own_residents(catalog_admin, tree, procedures):
    birth = procedures["birth"]
    competence_rule_set(actor=catalog_admin, procedure=birth, mode=CompetentMode.LOCAL_COMMUNE)
    first = competence_resolve(birth, tree["commune"].commune_id)
    second = competence_resolve(birth, tree["commune2"].commune_id)
    assert first.agency == tree["commune"]
    assert first.desks == (tree["osu"],)  # received at its own one-stop unit
    assert second.agency == tree["commune2"]
    assert first.authority == AuthorityKind.COMPETENT


def test_department_settles_and_every_desk_receives(catalog_admin, tree, procedures):
    land = procedures["land_first"]
    competence_rule_set(
        actor=catalog_admin,
        procedure=land,
        mode=CompetentMode.AGENCY,
        agency=tree["dept2"],
        receiving=ReceivingMode.ALL_DESKS,
    )
    for commune in (tree["commune"], tree["commune2"]):
        resolved = competence_resolve(land, commune.commune_id)
        assert resolved.agency == tree["dept2"]
        assert set(resolved.desks) == {tree["desk"], tree["osu"]}


def test_department_without_desks_is_received_at_the_service_center(
    catalog_admin, tree, procedures
):
    competence_rule_set(
        actor=catalog_admin,
        procedure=procedures["land_first"],
        mode=CompetentMode.AGENCY,
        agency=tree["dept"],
    )
    resolved = competence_resolve(procedures["land_first"], tree["commune"].commune_id)
    assert resolved.desks == (tree["desk"],)


def test_commune_rule_overrides_the_province_default(catalog_admin, tree, procedures, superuser):
    marriage = procedures["marriage"]
    competence_rule_set(actor=catalog_admin, procedure=marriage, mode=CompetentMode.LOCAL_COMMUNE)
    # The second commune's marriages are settled by the first commune, authorised by the
    # province, and received only at a listed desk.
    desk = agency_create(
        actor=superuser,
        kind=AgencyKind.DESK,
        name="Quầy hộ tịch",
        parent=tree["osu"],
        province=tree.province,
    )
    competence_rule_set(
        actor=catalog_admin,
        procedure=marriage,
        commune=tree["commune2"].commune,
        mode=CompetentMode.AGENCY,
        agency=tree["commune"],
        authority=AuthorityKind.AUTHORIZED,
        delegated_by=tree["root"],
        delegation_basis="Quyết định 15/2026/QĐ-UBND",
        receiving=ReceivingMode.LISTED,
        desks=[desk],
    )
    other = competence_resolve(marriage, tree["commune2"].commune_id)
    assert other.agency == tree["commune"]
    assert other.delegated_by == tree["root"]
    assert other.delegation_basis == "Quyết định 15/2026/QĐ-UBND"
    assert other.desks == (desk,)
    assert competence_resolve(marriage, tree["commune"].commune_id).agency == tree["commune"]
    assert AuditEntry.objects.filter(action="catalog.competence.set").count() == 2


def test_reconfiguring_a_locality_replaces_its_rule(catalog_admin, tree, procedures):
    birth = procedures["birth"]
    competence_rule_set(actor=catalog_admin, procedure=birth, mode=CompetentMode.LOCAL_COMMUNE)
    competence_rule_set(
        actor=catalog_admin, procedure=birth, mode=CompetentMode.AGENCY, agency=tree["dept"]
    )
    assert birth.competence_rules.count() == 1
    assert competence_resolve(birth, tree["commune"].commune_id).agency == tree["dept"]


def test_inactive_agency_resolves_to_nobody(catalog_admin, tree, procedures, superuser):
    from motcua.organizations.services import agency_update

    birth = procedures["birth"]
    competence_rule_set(
        actor=catalog_admin, procedure=birth, mode=CompetentMode.AGENCY, agency=tree["dept2"]
    )
    agency_update(actor=superuser, agency=tree["dept2"], is_active=False)
    assert competence_resolve(birth, tree["commune"].commune_id) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mode": CompetentMode.AGENCY}, "agency"),
        ({"mode": "nobody"}, "mode"),
        (
            {"mode": CompetentMode.LOCAL_COMMUNE, "authority": AuthorityKind.DELEGATED},
            "delegated_by",
        ),
        ({"mode": CompetentMode.LOCAL_COMMUNE, "receiving": ReceivingMode.LISTED}, "desks"),
    ],
)
def test_bad_rules_are_refused(catalog_admin, procedures, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        competence_rule_set(actor=catalog_admin, procedure=procedures["birth"], **kwargs)
    assert field in caught.value.errors
    assert not procedures["birth"].competence_rules.exists()


def test_desk_cannot_be_competent(catalog_admin, tree, procedures):
    with pytest.raises(InvalidInput):
        competence_rule_set(
            actor=catalog_admin,
            procedure=procedures["birth"],
            mode=CompetentMode.AGENCY,
            agency=tree["desk"],
        )


def test_only_catalog_managers_configure_competence(make_official, tree, procedures):
    clerk = make_official("clerk", tree["desk"], [("receiving_officer", tree["desk"])])
    with pytest.raises(NotAllowed):
        competence_rule_set(
            actor=clerk, procedure=procedures["birth"], mode=CompetentMode.LOCAL_COMMUNE
        )
