"""Catalog fixtures: a catalog administrator, the birth form template, a competence rule."""

from __future__ import annotations

import pytest

from motcua.catalog.constants import CompetentMode
from motcua.catalog.services import competence_rule_set, form_template_save, version_save

from .documents import document


@pytest.fixture
def catalog_admin(make_official, tree):
    return make_official("catalog", tree["root"], [("catalog_admin", tree["root"], True)])


@pytest.fixture
def names_officers(catalog_admin, superuser, roles, tree):
    """The catalog administrator may also name a public service's receiving officers: it
    manages officials and holds the receiving role province-wide, as whoever hands out a role
    must (accounts.services.grant_refusal)."""
    from motcua.accounts.services import grant_create

    for code in ("province_admin", "receiving_officer"):
        grant_create(
            actor=superuser,
            user=catalog_admin,
            role=roles[code],
            agency=tree["root"],
            include_subtree=True,
        )
    return catalog_admin


@pytest.fixture
def birth_form(superuser):
    return form_template_save(
        actor=superuser,
        code="TP-HT-KS",
        name="Tờ khai đăng ký khai sinh",
        file_name="to-khai-khai-sinh.html",
        content="<h1>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1>".encode(),
    )


@pytest.fixture
def birth_draft(catalog_admin, birth_form):
    return version_save(actor=catalog_admin, content=document())


@pytest.fixture
def birth_ready(catalog_admin, birth_draft):
    """Birth registration, complete, settled by each commune for its own residents."""
    competence_rule_set(
        actor=catalog_admin, procedure=birth_draft.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    return birth_draft
