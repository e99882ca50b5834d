"""Workflow fixtures: published birth registration, the commune's officials, a draft workflow."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.services import version_approve, version_publish
from motcua.catalog.tests import conftest as catalog_fixtures
from motcua.core.workcalendar import TZ
from motcua.workflows.services import definition_create, definition_test_run

from .documents import birth_document

# The catalog's fixtures: its administrator and birth registration, complete.
catalog_admin = catalog_fixtures.catalog_admin
birth_form = catalog_fixtures.birth_form
birth_draft = catalog_fixtures.birth_draft
birth_ready = catalog_fixtures.birth_ready

# Monday 23/11/2026 at 08:00: a plain working day.
MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


@pytest.fixture
def birth(catalog_admin, birth_ready):
    """Birth registration, published (1 working day, 15:00 cut-off), settled by each commune."""
    version_approve(actor=catalog_admin, version=birth_ready)
    version_publish(actor=catalog_admin, version=birth_ready)
    return birth_ready.procedure


@pytest.fixture
def staff(make_official, tree):
    """Each commune's civil-status officer and chairman; the receiving officers of the first
    commune's one-stop unit and of the provincial centre (the second commune has no desk of its
    own, so the catalog sends its residents there)."""
    return {
        "specialist2": make_official(
            "hotich2", tree["commune2"], [("specialist", tree["commune2"])]
        ),
        "chairman2": make_official(
            "chutich2", tree["commune2"], [("agency_leader", tree["commune2"], True)]
        ),
        "center_receiver": make_official(
            "tiepnhan.tt", tree["center"], [("receiving_officer", tree["center"], True)]
        ),
        "receiver": make_official(
            "tiepnhan", tree["osu"], [("receiving_officer", tree["osu"], True)]
        ),
        "specialist": make_official("hotich", tree["commune"], [("specialist", tree["commune"])]),
        "chairman": make_official(
            "chutich", tree["commune"], [("agency_leader", tree["commune"], True)]
        ),
    }


@pytest.fixture
def draft(catalog_admin, tree, birth, staff):
    return definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Quy trình đăng ký khai sinh",
        document=birth_document(),
    )


@pytest.fixture
def tested(catalog_admin, draft):
    run = definition_test_run(actor=catalog_admin, definition=draft, start=MONDAY)
    assert run.passed, run.report["problems"]
    draft.refresh_from_db()
    return draft
