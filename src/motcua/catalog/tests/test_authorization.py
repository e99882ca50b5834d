"""Catalog writes are for catalog administrators, within their grant's scope."""

from __future__ import annotations

import pytest

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.catalog.constants import CompetentMode
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    form_template_save,
    full_online_list_create,
    version_approve,
    version_publish,
    version_save,
    version_suspend,
)
from motcua.core.errors import NotAllowed
from motcua.core.models import AuditEntry

from .documents import document
from .factories import CompetenceRuleFactory, ProcedureVersionFactory

# First registration of land rights: a procedure a department settles, not the communes.
LAND = document(
    code="1.115750",
    name="Cấp GCN lần đầu",
    level="province",
    field_code="G13-TN02",
    field_name="Đất đai",
    components=[{"name": "Đơn đăng ký", "originals": 1}],
)

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


def test_catalog_admin_of_the_province_manages_every_procedure(catalog_admin, birth_ready, tree):
    # Settled by each commune (birth registration), or by a department with one commune's own
    # rule (land): the administrator granted at the provincial People's Committee manages both.
    by_department = ProcedureVersionFactory(
        actor=catalog_admin,
        content=LAND,
        competence={"mode": CompetentMode.AGENCY, "agency": tree["dept2"]},
    )
    CompetenceRuleFactory(
        actor=catalog_admin,
        procedure=by_department.procedure,
        commune=tree["commune"].commune,
        mode=CompetentMode.LOCAL_COMMUNE,
    )
    for version in (birth_ready, by_department):
        assert can(catalog_admin, Action.CATALOG_MANAGE, version.procedure)
        version_approve(actor=catalog_admin, version=version)
        version_publish(actor=catalog_admin, version=version)
        version_suspend(actor=catalog_admin, version=version, reason="Rà soát")
        assert ProcedureVersion.objects.get(pk=version.pk).status == "suspended"
    assert version_save(actor=catalog_admin, content=document(name="Đăng ký khai sinh (sửa)"))


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


def test_catalog_admin_of_another_province_cannot_write(
    make_official, tree, other_tree, catalog_admin, birth_form
):
    # A procedure this province's department settles (named in its competence).
    version = ProcedureVersionFactory(
        actor=catalog_admin,
        content=LAND,
        competence={"mode": CompetentMode.AGENCY, "agency": tree["dept2"]},
    )
    stranger = make_official(
        "cantho", other_tree["root"], [("catalog_admin", other_tree["root"], True)]
    )
    assert not can(stranger, Action.CATALOG_MANAGE, version.procedure)
    for write in (
        lambda: version_approve(actor=stranger, version=version),
        lambda: version_save(actor=stranger, content={**LAND, "name": "Cấp GCN (Cần Thơ)"}),
        lambda: competence_rule_set(
            actor=stranger,
            procedure=version.procedure,
            mode=CompetentMode.AGENCY,
            agency=other_tree["dept2"],
        ),
    ):
        with pytest.raises(NotAllowed):
            write()
    version_approve(actor=catalog_admin, version=version)
    version_publish(actor=catalog_admin, version=version)
    with pytest.raises(NotAllowed):
        version_suspend(actor=stranger, version=version, reason="x")
    version.refresh_from_db()
    assert (version.status, version.name) == ("published", "Cấp GCN lần đầu")
    assert version.procedure.competence_rules.get().agency == tree["dept2"]
    assert not AuditEntry.objects.filter(actor=stranger).exists()


def test_catalog_wide_objects_are_scoped_to_the_province(
    make_official, tree, fields_and_procedures, catalog_admin, birth_form
):
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


def test_a_competence_rule_names_only_agencies_the_actor_manages(
    make_official, tree, other_tree, catalog_admin, birth_form
):
    """Another province's catalog administrator cannot tie a shared procedure (settled by each
    commune, no agency named yet) to this province's department, desk or delegating agency."""
    version = ProcedureVersionFactory(actor=catalog_admin, competence=None)
    stranger = make_official(
        "cantho", other_tree["root"], [("catalog_admin", other_tree["root"], True)]
    )
    assert can(stranger, Action.CATALOG_MANAGE, version.procedure)  # shared so far
    attempts = (
        {"mode": CompetentMode.AGENCY, "agency": tree["dept2"]},
        {
            "mode": CompetentMode.AGENCY,
            "agency": other_tree["dept2"],
            "receiving": "listed",
            "desks": [tree["desk"]],
        },
        {
            "mode": CompetentMode.AGENCY,
            "agency": other_tree["dept2"],
            "authority": "authorized",
            "delegated_by": tree["root"],
            "delegation_basis": "QĐ 1/2026",
        },
    )
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            competence_rule_set(actor=stranger, procedure=version.procedure, **attempt)
    assert not version.procedure.competence_rules.exists()
    assert not AuditEntry.objects.filter(actor=stranger).exists()
    # Its own province's agencies it may name.
    competence_rule_set(
        actor=stranger,
        procedure=version.procedure,
        mode=CompetentMode.AGENCY,
        agency=other_tree["dept2"],
    )
