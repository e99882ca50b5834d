"""Export a workflow from one province and import it into another, units re-mapped."""

from __future__ import annotations

import json

import pytest

from motcua.core.errors import InvalidInput
from motcua.core.models import AuditEntry
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.selectors import definition_export
from motcua.workflows.services import definition_create, definition_import

from .documents import birth_document, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_named_units(catalog_admin, tree, birth, staff):
    """Birth registration with an opinion from the Department of Justice's division and the
    signature of the Department's director (named units)."""
    document = birth_document(
        process={"transitions": [{"action": "consult", "next": "consult"}]},
        sign={"unit": {"ref": "agency", "agency_code": tree["dept"].code}},
    )
    document["steps"].insert(
        2,
        step(
            "consult",
            name="Lấy ý kiến Phòng Hành chính tư pháp",
            kind="consult",
            consult_units=[{"ref": "agency", "agency_code": tree["dept_unit"].code}],
            transitions=[{"action": "forward", "next": "sign"}],
        ),
    )
    return definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Khai sinh liên phòng",
        document=document,
        note="Chia sẻ cho các tỉnh",
    )


def test_export_is_portable(with_named_units, tree):
    data = definition_export(with_named_units)
    assert data["format"] == "motcua.workflow/1"
    assert (data["procedure_code"], data["name"], data["scope"]) == (
        "1.001193",
        "Khai sinh liên phòng",
        "province",
    )
    text = json.dumps(data, ensure_ascii=False)
    assert '"agency_id"' not in text and '"id"' not in text  # no database ids
    consult, sign = data["steps"][2], data["steps"][3]
    assert consult["consult_units"] == [
        {"ref": "agency", "agency_code": "000.01.02.H20", "agency_name": "Phòng Hành chính tư pháp"}
    ]
    assert sign["unit"] == {
        "ref": "agency",
        "agency_code": "000.00.02.H20",
        "agency_name": "Sở Tư pháp",
    }
    assert data["steps"][0]["unit"] == {
        "ref": "receiving_desk",
        "agency_code": "",
        "agency_name": "",
    }


def test_round_trip_into_another_province_maps_units_by_identifier(
    with_named_units, other_tree, birth, superuser
):
    data = json.loads(json.dumps(definition_export(with_named_units)))
    imported, notes = definition_import(
        actor=superuser, procedure=birth, province=other_tree.province, data=data
    )
    assert (imported.province_id, imported.agency_id, imported.number) == (92, None, 1)
    assert imported.status == "draft" and imported.note == "Chia sẻ cho các tỉnh"
    sign = imported.spec.step("sign").unit
    assert (sign.agency_id, sign.agency_code) == (other_tree["dept"].pk, "000.00.02.H14")
    consult = imported.spec.step("consult").consult_units[0]
    assert consult.agency_id == other_tree["dept_unit"].pk
    assert len(notes) == 2 and all("H14" in n for n in notes)
    # Same steps otherwise: exporting the import gives the same portable steps.
    again = definition_export(imported)
    strip = [
        {**s, "unit": {**s["unit"], "agency_code": ""}, "consult_units": []} for s in again["steps"]
    ]
    original = [
        {**s, "unit": {**s["unit"], "agency_code": ""}, "consult_units": []} for s in data["steps"]
    ]
    assert strip == original
    entry = AuditEntry.objects.get(action="workflows.definition.import")
    assert entry.object_id == str(imported.pk) and entry.note == tree_province_name(
        with_named_units
    )


def test_units_without_identifier_match_by_exact_name(
    with_named_units, other_tree, birth, superuser
):
    from motcua.organizations.models import Agency

    Agency.objects.filter(pk=other_tree["dept"].pk).update(code="000.00.07.H14")
    imported, _notes = definition_import(
        actor=superuser,
        procedure=birth,
        province=other_tree.province,
        data=definition_export(with_named_units),
    )
    assert imported.spec.step("sign").unit.agency_id == other_tree["dept"].pk


def test_unmapped_unit_is_refused_and_nothing_saved(with_named_units, other_tree, birth, superuser):
    from motcua.organizations.models import Agency

    Agency.objects.filter(pk=other_tree["dept_unit"].pk).update(
        code="000.09.02.H14", name="Phòng Bổ trợ tư pháp"
    )
    before = ProcessDefinition.objects.count()
    with pytest.raises(InvalidInput) as caught:
        definition_import(
            actor=superuser,
            procedure=birth,
            province=other_tree.province,
            data=definition_export(with_named_units),
        )
    assert caught.value.code == "unmapped_units"
    (message,) = caught.value.errors["steps.2.consult_units.0"]
    assert "Lấy ý kiến Phòng Hành chính tư pháp" in message
    assert "Phòng Hành chính tư pháp" in message and "000.01.02.H20" in message
    assert ProcessDefinition.objects.count() == before
    assert not AuditEntry.objects.filter(action="workflows.definition.import").exists()


def test_import_refuses_other_formats(catalog_admin, tree, birth):
    with pytest.raises(InvalidInput) as caught:
        definition_import(
            actor=catalog_admin,
            procedure=birth,
            province=tree.province,
            data={"steps": birth_document()["steps"]},
        )
    assert "format" in caught.value.errors
    assert not ProcessDefinition.objects.exists()


def tree_province_name(definition) -> str:
    return definition.province.name
