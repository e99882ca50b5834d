"""The completeness gate (R1): each missing or inconsistent part blocks publication."""

from __future__ import annotations

import pytest

from motcua.catalog.constants import CompetentMode, VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    version_approve,
    version_publish,
    version_save,
)
from motcua.core.errors import InvalidInput

from .documents import BIRTH, document

pytestmark = pytest.mark.django_db


def test_complete_procedure_is_approved_and_published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    version = version_publish(actor=catalog_admin, version=birth_ready)
    assert version.status == VersionStatus.PUBLISHED
    assert version.procedure.is_published
    assert version.published_by == catalog_admin


def _without(path: str):
    doc = document()
    key, *rest = path.split(".")
    if not rest:
        if isinstance(doc[key], list):
            doc[key] = []
        elif key in {"eform", "decision_date", "effective_from"}:
            doc[key] = None
        else:
            doc[key] = ""
        return doc
    index, attr = int(rest[0]), rest[1]
    doc[key][index][attr] = None if attr == "amount_vnd" else ""
    return doc


MISSING = [
    ("fees", "no_fee"),
    ("fees.0.amount_vnd", "fee_amount_missing"),
    ("times", "no_time"),
    ("components", "no_components"),
    ("components.0.form_template", "component_form_missing"),
    ("components.2.condition", "component_condition_missing"),
    ("legal_bases", "no_legal_basis"),
    ("eform", "full_online_without_eform"),
    ("steps", "no_steps"),
    ("subjects", "no_subjects"),
    ("result_name", "no_result"),
    ("channels", "no_channel"),
    ("decision_number", "no_decision"),
    ("decision_date", "no_decision_date"),
    ("effective_from", "no_effective_date"),
]


@pytest.mark.parametrize(("path", "code"), MISSING)
def test_each_missing_part_blocks_publication(catalog_admin, birth_form, path, code):
    version = version_save(actor=catalog_admin, content=_without(path))
    competence_rule_set(
        actor=catalog_admin, procedure=version.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    with pytest.raises(InvalidInput) as caught:
        version_approve(actor=catalog_admin, version=version)
    assert caught.value.code == "incomplete"
    messages = [m for msgs in caught.value.errors.values() for m in msgs]
    assert messages, "the error lists what is missing"
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert not version.procedure.is_published
    from motcua.catalog.selectors import version_gaps_codes

    assert code in version_gaps_codes(version)


INCONSISTENT = [
    ({"channels": ["direct", "post"]}, "online_level_without_channel"),
    ({"online_level": "none", "eform": None}, "online_channel_without_level"),
    ({"times": [{"channel": "direct", "amount": 1}]}, "no_time_for_channel"),
    ({"is_lien_thong": True}, "lien_thong_agencies_missing"),
    ({"effective_from": "2026-01-01"}, "effective_before_decision"),
    ({"eform": {"type": "object", "properties": {"x": {"type": "string"}}}}, "eform_invalid"),
    ({"eform": {"type": "nonsense"}}, "eform_invalid"),
    (
        {"fees": [{**BIRTH["fees"][0], "amount_vnd": 10000, "online_amount_vnd": 20000}]},
        "fee_online_higher",
    ),
    (
        {"components": [{"name": "Tờ khai", "form_template": "NO-SUCH", "originals": 1}]},
        "component_form_unknown",
    ),
    ({"components": [{"name": "Tờ khai"}]}, "component_quantity_missing"),
]


@pytest.mark.parametrize(("changes", "code"), INCONSISTENT)
def test_inconsistent_parts_block_publication(catalog_admin, birth_form, changes, code):
    version = version_save(actor=catalog_admin, content=document(**changes))
    competence_rule_set(
        actor=catalog_admin, procedure=version.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    with pytest.raises(InvalidInput):
        version_approve(actor=catalog_admin, version=version)
    from motcua.catalog.selectors import version_gaps_codes

    assert code in version_gaps_codes(version)


def test_no_competent_agency_blocks_publication(catalog_admin, birth_draft):
    with pytest.raises(InvalidInput) as caught:
        version_approve(actor=catalog_admin, version=birth_draft)
    assert "competence" in caught.value.errors


def test_locality_without_competent_agency_is_named(catalog_admin, birth_draft, tree):
    # A rule only for the first commune: the second commune of the province has nobody.
    competence_rule_set(
        actor=catalog_admin,
        procedure=birth_draft.procedure,
        commune=tree["commune"].commune,
        mode=CompetentMode.LOCAL_COMMUNE,
    )
    with pytest.raises(InvalidInput) as caught:
        version_approve(actor=catalog_admin, version=birth_draft)
    (message,) = caught.value.errors["competence"]
    assert tree["commune2"].commune.name in message
    assert tree["commune"].commune.name not in message


def test_gate_runs_again_at_publication(catalog_admin, birth_ready):
    """Approved while complete; the competence rule is then removed: publication refuses."""
    version_approve(actor=catalog_admin, version=birth_ready)
    from motcua.catalog.services import competence_rule_delete

    competence_rule_delete(actor=catalog_admin, rule=birth_ready.procedure.competence_rules.get())
    with pytest.raises(InvalidInput):
        version_publish(actor=catalog_admin, version=birth_ready)
    assert ProcedureVersion.objects.get(pk=birth_ready.pk).status == VersionStatus.APPROVED
