"""Who may manage workflows: the province's catalog administrators, nobody else."""

from __future__ import annotations

import pytest

from motcua.core.errors import NotAllowed, NotFound
from motcua.workflows.models import ProcessDefinition, TestRun
from motcua.workflows.selectors import definition_export, definition_get, definitions_list
from motcua.workflows.services import (
    definition_activate,
    definition_create,
    definition_import,
    definition_new_version,
    definition_retire,
    definition_test_run,
    definition_update,
)

from .conftest import MONDAY
from .documents import birth_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_admin(make_official, other_tree):
    """Cần Thơ's catalog administrator, on the same installation."""
    return make_official(
        "danhmuc.ct", other_tree["root"], [("catalog_admin", other_tree["root"], True)]
    )


@pytest.fixture
def specialist(staff):
    return staff["specialist"]


def test_another_provinces_admin_is_refused_everything(foreign_admin, draft, tree, birth):
    for call in (
        lambda: definition_create(
            actor=foreign_admin,
            procedure=birth,
            province=tree.province,
            name="x",
            document=birth_document(),
        ),
        lambda: definition_update(actor=foreign_admin, definition=draft, name="x"),
        lambda: definition_new_version(actor=foreign_admin, definition=draft),
        lambda: definition_test_run(actor=foreign_admin, definition=draft, start=MONDAY),
        lambda: definition_activate(actor=foreign_admin, definition=draft),
        lambda: definition_retire(actor=foreign_admin, definition=draft),
        lambda: definition_import(
            actor=foreign_admin,
            procedure=birth,
            province=tree.province,
            data=definition_export(draft),
        ),
    ):
        with pytest.raises(NotAllowed):
            call()
    with pytest.raises(NotFound):
        definition_get(user=foreign_admin, pk=draft.pk)
    assert list(definitions_list(user=foreign_admin)) == []
    draft.refresh_from_db()
    assert (draft.name, draft.status, draft.number) == ("Quy trình đăng ký khai sinh", "draft", 1)
    assert ProcessDefinition.objects.count() == 1 and TestRun.objects.count() == 0


def test_foreign_admin_manages_their_own_province(foreign_admin, other_tree, birth):
    own = definition_create(
        actor=foreign_admin,
        procedure=birth,
        province=other_tree.province,
        name="Cần Thơ",
        document=birth_document(),
    )
    assert list(definitions_list(user=foreign_admin)) == [own]


def test_a_specialist_is_refused(specialist, draft):
    with pytest.raises(NotAllowed):
        definition_update(actor=specialist, definition=draft, name="x")
    with pytest.raises(NotAllowed):
        definition_test_run(actor=specialist, definition=draft, start=MONDAY)
    with pytest.raises(NotFound):
        definition_get(user=specialist, pk=draft.pk)
    assert list(definitions_list(user=specialist)) == []


def test_a_department_admin_manages_only_its_agencys_definitions(
    make_official, tree, draft, catalog_admin
):
    dept_admin = make_official("danhmuc.stp", tree["dept"], [("catalog_admin", tree["dept"], True)])
    with pytest.raises(NotAllowed):  # the province-wide one belongs to the province
        definition_update(actor=dept_admin, definition=draft, name="x")
    own = definition_create(
        actor=dept_admin,
        procedure=draft.procedure,
        province=tree.province,
        agency=tree["dept_unit"],
        name="Riêng phòng",
        document=birth_document(),
    )
    assert list(definitions_list(user=dept_admin)) == [own]
    assert set(definitions_list(user=catalog_admin)) == {draft, own}


def test_list_filters_and_query_count(catalog_admin, draft, django_assert_num_queries):
    assert list(definitions_list(user=catalog_admin, status="active")) == []
    assert list(definitions_list(user=catalog_admin, procedure=draft.procedure)) == [draft]
    catalog_admin = type(catalog_admin).objects.get(pk=catalog_admin.pk)
    with django_assert_num_queries(2):  # the grants, then the list with its relations
        rows = list(definitions_list(user=catalog_admin))
        assert [(r.procedure.code, r.province.name) for r in rows] == [
            ("1.001193", draft.province.name)
        ]
