"""Counts fixtures: the dossier `world` (birth registration at a commune, its officials)."""

from __future__ import annotations

from motcua.dossiers.tests import conftest as _dossiers

# The dossier fixtures, shared (pytest_plugins is only allowed at the top level).
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form
world = _dossiers.world
lien_thong = _dossiers.lien_thong
