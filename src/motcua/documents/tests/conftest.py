"""Fixtures of the documents tests: the dossiers' world (a birth registration at a commune,
its officials), a dossier received there, a citizen logged in with VNeID, and the clamd
simulator."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User
from motcua.adapters.vneid import VneidIdentity
from motcua.citizens.services import citizen_login
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import conftest as _dossiers
from motcua.dossiers.tests.factories import DossierFactory, citizen
from motcua.simulators.antivirus import clamd_start

# The dossiers' fixtures, shared.
world = _dossiers.world
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form

LAN = "087190001234"  # the applicant of `dossier` (dossiers/tests/factories.citizen)


def receive(w, **applicant) -> Dossier:
    return DossierFactory(
        actor=w["commune_officer"],
        procedure=w.birth,
        applicant=citizen(w.tree["osu"].commune_id, **applicant),
        desk=w.tree["osu"],
        accept=True,
    )


@pytest.fixture
def dossier(world) -> Dossier:
    return receive(world)


@pytest.fixture
def lan(db) -> User:
    """The applicant of `dossier`, logged in with VNeID."""
    return citizen_login(
        identity=VneidIdentity(
            subject="sub-lan",
            kind="citizen",
            number=LAN,
            name="Nguyễn Thị Lan",
            ial="2",
            id_token="x.y.z",
        )
    )


@pytest.fixture
def stranger(db) -> User:
    """Another citizen logged in with VNeID."""
    return citizen_login(
        identity=VneidIdentity(
            subject="sub-hung",
            kind="citizen",
            number="087190009999",
            name="Trần Văn Hùng",
            ial="2",
            id_token="x.y.z",
        )
    )


@pytest.fixture
def clamd(settings):
    """The clamd simulator on a free port, ANTIVIRUS_CLAMD pointing at it."""
    server = clamd_start()
    settings.ANTIVIRUS_CLAMD = server.address
    yield server
    server.shutdown()
    server.server_close()


def stored_files(settings) -> list[str]:
    """Every blob in the documents storage (a temporary folder in tests)."""
    from pathlib import Path

    root = Path(settings.STORAGES["documents"]["OPTIONS"]["location"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
