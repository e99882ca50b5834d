"""Dossier fixtures, built with the factories (factories.py) for the tests that share them.

`world`: birth registration at a commune — the procedure published, its workflow active, the
officials of each step (and the provincial centre's desk officer, another commune's officer).
`lien_thong`: adds the justice department's procedure, its workflow handing off to Sở Xây dựng,
and the departments' officials, to the same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from motcua.accounts.tests.factories import OfficialFactory
from motcua.catalog.models import Procedure
from motcua.catalog.tests import conftest as _catalog
from motcua.workflows.models import ProcessDefinition

from .factories import (
    THREE,
    BirthVersionFactory,
    BirthWorkflowFactory,
    JusticeVersionFactory,
    JusticeWorkflowFactory,
    citizen,
    local,
)

# Test data helpers live in factories.py; named here too for tests that import them from here.
__all__ = ["THREE", "citizen", "local"]

# The catalog's fixtures, shared (pytest_plugins is only allowed at the top level).
catalog_admin = _catalog.catalog_admin
birth_form = _catalog.birth_form


@dataclass
class World:
    tree: object
    birth: Procedure
    birth_definition: ProcessDefinition
    officials: dict = field(default_factory=dict)
    justice: Procedure | None = None
    justice_definition: ProcessDefinition | None = None

    def __getitem__(self, key):
        return self.officials[key]


def officials(superuser, specs: dict[str, tuple]) -> dict:
    """{key: (username, home agency, grants)} → {key: official}."""
    return {
        key: OfficialFactory(actor=superuser, username=username, agency=home, grants=grants)
        for key, (username, home, grants) in specs.items()
    }


@pytest.fixture
def world(tree, superuser, roles, catalog_admin, birth_form) -> World:
    t = tree
    birth = BirthVersionFactory(actor=catalog_admin).procedure
    people = officials(
        superuser,
        {
            "desk_officer": (
                "tn.trungtam",
                t["desk"],
                [("receiving_officer", t["center"], True)],
            ),
            "commune_officer": ("tn.xa", t["osu"], [("receiving_officer", t["osu"])]),
            "commune_specialist": ("cv.tuphap", t["commune"], [("specialist", t["commune"])]),
            "commune_chair": ("ct.xa", t["commune"], [("agency_leader", t["commune"])]),
            "commune2_officer": (
                "tn.xa2",
                t["commune2"],
                [("receiving_officer", t["commune2"])],
            ),
        },
    )
    definition = BirthWorkflowFactory(procedure=birth, province=t.province)
    return World(t, birth, definition, people)


@pytest.fixture
def lien_thong(world, superuser, catalog_admin) -> World:
    t = world.tree
    world.justice = JusticeVersionFactory(actor=catalog_admin, agency=t["dept"]).procedure
    world.officials |= officials(
        superuser,
        {
            "dept_leader_unit": ("tp.hctp", t["dept_unit"], [("unit_leader", t["dept_unit"])]),
            "dept_specialist": ("cv.hctp", t["dept_unit"], [("specialist", t["dept_unit"])]),
            "dept_specialist2": ("cv.hctp2", t["dept_unit"], [("specialist", t["dept_unit"])]),
            "dept_director": ("gd.stp", t["dept"], [("agency_leader", t["dept"])]),
            "dept2_specialist": ("cv.sxd", t["dept2"], [("specialist", t["dept2"])]),
            "outsider": ("khach", t["dept2"], [("specialist", t["dept2"])]),
        },
    )
    world.justice_definition = JusticeWorkflowFactory(
        procedure=world.justice,
        province=t.province,
        agency=t["dept"],
        unit=t["dept_unit"],
        consulted=t["dept2"],
    )
    return world
