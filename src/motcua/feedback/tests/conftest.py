"""Feedback fixtures: the dossier world of the dossier tests (birth registration at a commune),
dossiers taken through the real services to the state a test needs, and a rating's inputs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act, dossier_refuse, dossier_return
from motcua.dossiers.tests import conftest as _dossiers
from motcua.dossiers.tests.factories import DossierFactory, draft_result

world = _dossiers.world
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form

ID_NUMBER = "087190001234"  # the applicant of every dossier of the factories (`citizen`)


def accepted(world) -> Dossier:
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=True,
    )


def returned(world) -> Dossier:
    """Received, checked, signed and handed over: the whole life (national codes 1 → 10)."""
    d = accepted(world)
    now = timezone.now()
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    for who in ("commune_specialist", "commune_chair"):
        d = dossier_act(
            actor=world[who], dossier=d, expected_version=d.version, action="forward", now=now
        )
    return dossier_return(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, now=now
    )


def refused(world) -> Dossier:
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"]
    )
    return dossier_refuse(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        reasons=["Thiếu giấy chứng sinh"],
    )


@pytest.fixture
def ended(world) -> Dossier:
    return returned(world)


@pytest.fixture
def open_dossier(world) -> Dossier:
    return accepted(world)
