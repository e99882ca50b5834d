"""Catalog fixtures: a catalog administrator, the birth form template, a competence rule."""

from __future__ import annotations

import pytest

from motcua.accounts.tests.factories import OfficialFactory

from .factories import CompetenceRuleFactory, FormTemplateFactory, ProcedureVersionFactory


@pytest.fixture
def catalog_admin(superuser, roles, tree):
    return OfficialFactory(
        actor=superuser,
        username="catalog",
        agency=tree["root"],
        grants=[("catalog_admin", tree["root"], True)],
    )


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
    return FormTemplateFactory(actor=superuser)


@pytest.fixture
def birth_draft(catalog_admin, birth_form):
    return ProcedureVersionFactory(actor=catalog_admin, competence=None)


@pytest.fixture
def birth_ready(catalog_admin, birth_draft):
    """Birth registration, complete, settled by each commune for its own residents."""
    CompetenceRuleFactory(actor=catalog_admin, procedure=birth_draft.procedure)
    return birth_draft
