"""Catalog writes are for catalog administrators, within their grant's scope."""

from __future__ import annotations

import pytest

from motcua.catalog.constants import CompetentMode
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    form_template_save,
    full_online_list_create,
    version_approve,
    version_save,
)
from motcua.core.errors import NotAllowed

from .documents import document

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["receiving_officer", "specialist", "province_admin", "inspector"])
def test_other_roles_cannot_write_the_catalog(make_official, tree, birth_form, role):
    official = make_official("someone", tree["root"], [(role, tree["root"], True)])
    with pytest.raises(NotAllowed):
        version_save(actor=official, content=document())
    assert not Procedure.objects.exists()


def test_anonymous_and_citizens_cannot_write(birth_form, db):
    from django.contrib.auth.models import AnonymousUser

    from motcua.accounts.models import User

    citizen = User.objects.create(username="citizen", kind=User.Kind.CITIZEN)
    for actor in (None, AnonymousUser(), citizen):
        with pytest.raises(NotAllowed):
            version_save(actor=actor, content=document())


def test_catalog_admin_of_the_province_manages_every_procedure(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)


def test_field_restricted_admin_manages_only_that_field(
    make_official, tree, fields_and_procedures, birth_form, catalog_admin
):
    civil = fields_and_procedures["civil"]
    official = make_official(
        "civil_catalog", tree["dept"], [("catalog_admin", tree["root"], True, civil)]
    )
    version = version_save(actor=official, content=document())  # birth is civil status
    assert version.created_by == official
    with pytest.raises(NotAllowed):
        version_save(
            actor=official,
            content=document(code="1.115750", name="Đất", field_code="G13-TN02"),
        )
    with pytest.raises(NotAllowed):
        form_template_save(
            actor=official, code="X", name="X", file_name="x.pdf", content=b"%PDF-1.4"
        )


def test_department_admin_manages_the_procedures_it_settles(
    make_official, tree, fields_and_procedures, catalog_admin, birth_ready
):
    land = fields_and_procedures["land_first"]
    competence_rule_set(
        actor=catalog_admin, procedure=land, mode=CompetentMode.AGENCY, agency=tree["dept2"]
    )
    official = make_official("xd", tree["dept2"], [("catalog_admin", tree["dept2"], True)])
    competence_rule_set(
        actor=official,
        procedure=land,
        mode=CompetentMode.AGENCY,
        agency=tree["dept2"],
        receiving="all_desks",
    )
    # Birth registration is settled by the communes, not by this department.
    with pytest.raises(NotAllowed):
        version_approve(actor=official, version=birth_ready)
    with pytest.raises(NotAllowed):
        full_online_list_create(
            actor=official,
            decision_number="1/QĐ-UBND",
            decision_date="2026-01-01",
            issuer="UBND tỉnh",
            procedures=[land],
        )
    assert ProcedureVersion.objects.get(pk=birth_ready.pk).status == "draft"


def test_catalog_admin_of_another_province_cannot_write(make_official, other_tree, birth_ready):
    stranger = make_official(
        "cantho", other_tree["root"], [("catalog_admin", other_tree["root"], True)]
    )
    # Both provinces' roots are catalog roots on a shared installation: the catalog is the
    # installation's, so a province-level catalog admin of either tree may manage it.
    version_approve(actor=stranger, version=birth_ready)


def test_catalog_wide_objects_are_scoped_to_the_province(
    make_official, tree, fields_and_procedures, catalog_admin, birth_form
):
    from motcua.accounts.authz import can
    from motcua.accounts.constants import Action
    from motcua.catalog.services import life_event_save

    event = life_event_save(actor=catalog_admin, code="khai-sinh", name="Khai sinh")
    decision = full_online_list_create(
        actor=catalog_admin,
        decision_number="1/QĐ-UBND",
        decision_date="2026-01-01",
        issuer="UBND tỉnh",
        procedures=[fields_and_procedures["birth"]],
    )
    civil_only = make_official(
        "civil_only",
        tree["dept"],
        [("catalog_admin", tree["root"], True, fields_and_procedures["civil"])],
    )
    for target in (birth_form, event, decision):
        assert can(catalog_admin, Action.CATALOG_MANAGE, target)
        assert not can(civil_only, Action.CATALOG_MANAGE, target)
