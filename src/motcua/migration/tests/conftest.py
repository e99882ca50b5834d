"""Migration fixtures: the dossier tests' world (birth registration at a Đồng Tháp commune,
published with effect from 1/1/2026), the example export, and storage in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motcua.dossiers.tests.conftest import birth_form, catalog_admin, world

__all__ = ["birth_form", "catalog_admin", "world"]

FIXTURE = Path(__file__).parent / "fixtures" / "export"


@pytest.fixture
def reloaded(transactional_db):
    """Transactional tests start from a database another one may have emptied (the territory
    and the roles included): they come back first."""
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def export_dir(tmp_path) -> Path:
    """A copy of the example export (tests may damage their copy)."""
    target = tmp_path / "export"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.fixture
def export_file(export_dir) -> Path:
    return export_dir / "dossiers.jsonl"
