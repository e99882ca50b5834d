"""Export fixtures: the dossier `world` (a commune's desk and its officials), dossiers received
at its desk, and exported files kept in a temporary media folder."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests import conftest as _dossiers
from motcua.dossiers.tests.factories import DossierFactory, local

# The dossier fixtures, shared (pytest_plugins is only allowed at the top level).
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form
world = _dossiers.world


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def three(world):
    """Three dossiers received at the commune's one-stop unit in March 2026, in order."""
    t = world.tree
    return [
        DossierFactory(
            actor=world["commune_officer"],
            procedure=world.birth,
            desk=t["osu"],
            accepted=True,
            now=local(2026, 3, day, 9),
        )
        for day in (2, 3, 4)
    ]


def ledger_params(world, **overrides) -> dict:
    return {"agency": world.tree["osu"].pk, "start": "2026-03-01", "end": "2026-03-31", **overrides}
