"""definition_active_for: the agency's own active definition, else the province's, in one query."""

from __future__ import annotations

import pytest

from motcua.workflows.models import ProcessDefinition
from motcua.workflows.selectors import definition_active_for

pytestmark = pytest.mark.django_db


def row(tree, birth, document, agency=None, number=1, status="active", province=None):
    return ProcessDefinition.objects.create(
        procedure=birth,
        province=province or tree.province,
        agency=agency,
        number=number,
        name="x",
        document=document,
        content_hash="h",
        status=status,
    )


def test_agency_first_then_province_then_none(
    tree, other_tree, birth, draft, django_assert_num_queries
):
    doc = draft.document
    assert definition_active_for(birth, tree["commune"]) is None
    row(tree, birth, doc, number=2, status="retired")
    row(other_tree, birth, doc, province=other_tree.province)  # another province's
    province_wide = row(tree, birth, doc, number=3)
    own = row(tree, birth, doc, agency=tree["commune"])
    row(tree, birth, doc, agency=tree["commune2"], number=5, status="tested")
    with django_assert_num_queries(1):
        assert definition_active_for(birth, tree["commune"]) == own
    with django_assert_num_queries(1):
        assert definition_active_for(birth, tree["commune2"]) == province_wide
    assert definition_active_for(birth.pk, tree["dept"]) == province_wide
    assert definition_active_for(birth, other_tree["commune"]).province_id == 92
