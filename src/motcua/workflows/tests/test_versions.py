"""Versions: draft → tested → active → retired; activation needs a passed test-run of exactly
the content activated; one active version per procedure and agency, or per province."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from motcua.accounts.models import Grant
from motcua.core.errors import Conflict, InvalidInput
from motcua.core.models import AuditEntry
from motcua.workflows.constants import DefinitionStatus
from motcua.workflows.models import ProcessDefinition, TestRun
from motcua.workflows.selectors import definition_active_for
from motcua.workflows.services import (
    definition_activate,
    definition_create,
    definition_new_version,
    definition_retire,
    definition_test_run,
    definition_update,
)

from .conftest import MONDAY
from .documents import birth_document

pytestmark = pytest.mark.django_db


def audit(definition, action):
    return AuditEntry.objects.filter(
        action=action, object_type="workflows.processdefinition", object_id=str(definition.pk)
    )


def activate(actor, definition):
    if definition.status == DefinitionStatus.DRAFT:
        definition_test_run(actor=actor, definition=definition, start=MONDAY)
    return definition_activate(actor=actor, definition=definition)


def test_create_fills_named_units_and_numbers_versions(catalog_admin, tree, birth, staff):
    unit = {"ref": "agency", "agency_code": tree["dept"].code}
    first = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Quy trình",
        document=birth_document(sign={"unit": unit}),
    )
    sign = first.document["steps"][2]["unit"]
    assert sign == {
        "ref": "agency",
        "agency_id": tree["dept"].pk,
        "agency_code": tree["dept"].code,
        "agency_name": "Sở Tư pháp",
    }
    second = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="B",
        document=birth_document(),
    )
    own = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        agency=tree["commune"],
        name="C",
        document=birth_document(),
    )
    assert (first.number, second.number, own.number) == (1, 2, 1)
    assert first.status == DefinitionStatus.DRAFT and first.created_by == catalog_admin
    assert len(first.content_hash) == 64 and first.content_hash != second.content_hash
    (entry,) = audit(first, "workflows.definition.create")
    assert entry.after == {"status": "draft", "content_hash": first.content_hash}


def test_invalid_documents_are_refused_with_vietnamese_messages_by_path(catalog_admin, tree, birth):
    document = birth_document(process={"limit_amount": "ba giờ"})
    document["steps"][3]["kind"] = "archive"
    with pytest.raises(InvalidInput) as caught:
        definition_create(
            actor=catalog_admin,
            procedure=birth,
            province=tree.province,
            name="X",
            document=document,
        )
    errors = caught.value.errors
    assert errors["steps.1.limit_amount"] == ["Phải là số nguyên."]
    assert list(errors) == ["steps.1.limit_amount", "steps.3.kind"]
    with pytest.raises(InvalidInput) as caught:
        definition_create(
            actor=catalog_admin,
            procedure=birth,
            province=tree.province,
            name="X",
            document=birth_document(
                sign={"unit": {"ref": "agency", "agency_code": "000.00.99.H20"}}
            ),
        )
    assert "Ký giấy khai sinh" in caught.value.errors["steps.2.unit"][0]
    assert not ProcessDefinition.objects.exists()


def test_draft_to_tested_to_active(catalog_admin, draft, tree):
    run = definition_test_run(actor=catalog_admin, definition=draft, start=MONDAY)
    assert run.passed and run.content_hash == draft.content_hash and run.ran_by == catalog_admin
    assert run.report["steps"][0]["officials"]
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.TESTED
    active = definition_activate(actor=catalog_admin, definition=draft)
    assert active.status == DefinitionStatus.ACTIVE
    assert active.activated_by == catalog_admin and active.activated_at is not None
    assert definition_active_for(draft.procedure, tree["commune"]) == active
    assert audit(draft, "workflows.definition.test_run").get().after["passed"] is True
    assert audit(draft, "workflows.definition.activate").get().after["test_run"] == run.pk


def test_activation_refused_without_a_passed_test_run(catalog_admin, draft):
    with pytest.raises(Conflict) as caught:
        definition_activate(actor=catalog_admin, definition=draft)
    assert caught.value.code == "not_tested"
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.DRAFT
    assert not audit(draft, "workflows.definition.activate").exists()


def test_a_failed_test_run_keeps_a_draft_and_demotes_a_tested_one(
    catalog_admin, tested, staff, superuser
):
    from motcua.accounts.services import grant_revoke

    grant_revoke(actor=superuser, grant=Grant.objects.get(user=staff["chairman"]))
    run = definition_test_run(actor=catalog_admin, definition=tested, start=MONDAY)
    assert run.passed is False
    tested.refresh_from_db()
    assert tested.status == DefinitionStatus.DRAFT
    with pytest.raises(Conflict):
        definition_activate(actor=catalog_admin, definition=tested)


def test_editing_after_a_test_run_refuses_activation(catalog_admin, tested):
    stale = ProcessDefinition.objects.get(pk=tested.pk)
    updated = definition_update(
        actor=catalog_admin, definition=tested, document=birth_document(sign={"limit_amount": 1})
    )
    assert updated.status == DefinitionStatus.DRAFT
    assert updated.spec.step("sign").limit_amount == 1
    # Even a stale copy that still says "tested" cannot be activated.
    with pytest.raises(Conflict):
        definition_activate(actor=catalog_admin, definition=stale)
    # The passed run was of other content: forging the status back does not help either.
    ProcessDefinition.objects.filter(pk=tested.pk).update(status=DefinitionStatus.TESTED)
    updated.refresh_from_db()
    with pytest.raises(Conflict) as caught:
        definition_activate(actor=catalog_admin, definition=updated)
    assert caught.value.code == "not_tested"
    before, after = (
        audit(tested, "workflows.definition.update").values_list("before", "after").get()
    )
    assert before["status"] == "tested" and after["status"] == "draft"


def test_renaming_a_tested_definition_keeps_it_tested(catalog_admin, tested):
    renamed = definition_update(actor=catalog_admin, definition=tested, name="Tên mới", note="x")
    assert (renamed.name, renamed.status) == ("Tên mới", DefinitionStatus.TESTED)
    same = definition_update(actor=catalog_admin, definition=renamed, document=birth_document())
    assert same.status == DefinitionStatus.TESTED  # same content, same hash


def test_a_stale_copy_gets_a_conflict(catalog_admin, draft):
    stale = ProcessDefinition.objects.get(pk=draft.pk)
    definition_update(
        actor=catalog_admin, definition=draft, document=birth_document(sign={"limit_amount": 1})
    )
    with pytest.raises(Conflict):
        definition_update(actor=catalog_admin, definition=stale, name="Cũ")
    with pytest.raises(Conflict):
        definition_test_run(actor=catalog_admin, definition=stale, start=MONDAY)
    assert TestRun.objects.count() == 0


def test_activating_v2_retires_v1_which_stays_readable(catalog_admin, draft, tree):
    v1 = activate(catalog_admin, draft)
    v2 = definition_new_version(actor=catalog_admin, definition=v1)
    assert (v2.number, v2.status, v2.document) == (2, DefinitionStatus.DRAFT, v1.document)
    v2 = definition_update(
        actor=catalog_admin, definition=v2, document=birth_document(process={"limit_amount": 2})
    )
    activate(catalog_admin, v2)
    v1.refresh_from_db()
    assert v1.status == DefinitionStatus.RETIRED and v1.retired_at is not None
    assert v1.spec.step("process").limit_amount == 3  # dossiers on v1 still read its steps
    assert definition_active_for(draft.procedure, tree["commune"]).pk == v2.pk
    assert ProcessDefinition.objects.filter(status="active").count() == 1
    retire = audit(v1, "workflows.definition.retire").get()
    assert retire.before == {"status": "active"} and retire.after == {"status": "retired"}


def test_edit_of_an_active_version_is_refused(catalog_admin, draft):
    active = activate(catalog_admin, draft)
    with pytest.raises(Conflict):
        definition_update(actor=catalog_admin, definition=active, name="Khác")


def test_one_active_per_agency_and_one_per_province_side_by_side(catalog_admin, draft, tree):
    province_wide = activate(catalog_admin, draft)
    own = definition_create(
        actor=catalog_admin,
        procedure=draft.procedure,
        province=tree.province,
        agency=tree["commune"],
        name="Riêng của xã",
        document=birth_document(),
    )
    own = activate(catalog_admin, own)
    province_wide.refresh_from_db()
    assert province_wide.status == DefinitionStatus.ACTIVE  # different scope, both active
    assert definition_active_for(draft.procedure, tree["commune"]) == own
    assert definition_active_for(draft.procedure, tree["commune2"]) == province_wide
    # The database itself refuses a second active row in the same scope.
    for agency in (None, tree["commune"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProcessDefinition.objects.create(
                procedure=draft.procedure,
                province=tree.province,
                agency=agency,
                number=99,
                name="x",
                document=draft.document,
                content_hash="x",
                status="active",
            )


def test_activation_rechecks_the_rules_today(catalog_admin, tested, staff, superuser):
    from motcua.accounts.services import grant_revoke

    grant_revoke(actor=superuser, grant=Grant.objects.get(user=staff["specialist"]))
    with pytest.raises(InvalidInput) as caught:
        definition_activate(actor=catalog_admin, definition=tested)
    assert "Thẩm định hồ sơ" in caught.value.errors["process"][0]
    tested.refresh_from_db()
    assert tested.status == DefinitionStatus.TESTED


def test_retire_and_nothing_after(catalog_admin, draft):
    retired = definition_retire(actor=catalog_admin, definition=draft)
    assert retired.status == DefinitionStatus.RETIRED
    with pytest.raises(Conflict):
        definition_retire(actor=catalog_admin, definition=retired)
    with pytest.raises(Conflict):
        definition_activate(actor=catalog_admin, definition=retired)
    assert audit(draft, "workflows.definition.retire").count() == 1
