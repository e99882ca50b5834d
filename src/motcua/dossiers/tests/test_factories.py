"""The factories' defaults make valid data, through the services (an audit entry for each
rule-made row), so a test can ask for just what it needs."""

from __future__ import annotations

import pytest

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.tests.factories import GrantFactory, OfficialFactory
from motcua.catalog.constants import VersionStatus
from motcua.catalog.tests.factories import ProcedureVersionFactory
from motcua.core.models import AuditEntry
from motcua.dossiers.constants import Status
from motcua.organizations.models import AgencyKind
from motcua.organizations.tests.factories import AgencyFactory
from motcua.territory.models import Commune

from .factories import BirthWorkflowFactory, DossierFactory, local

pytestmark = pytest.mark.django_db


def test_an_official_with_a_grant_from_bare_defaults():
    official = OfficialFactory(grants=["specialist"])
    grant = official.grants.get()
    assert grant.agency == official.agency and grant.role.code == "specialist"
    assert official.agency.parent.kind == AgencyKind.PROVINCE_PC
    assert can(official, Action.DOSSIER_PROCESS, official.agency)
    assert AuditEntry.objects.filter(action="agency.create").count() == 2
    assert GrantFactory().user != official


def test_a_published_version_and_a_dossier_from_defaults():
    commune = AgencyFactory(
        kind=AgencyKind.COMMUNE_PC,
        commune=Commune.objects.get(pk=28261),
        code="000.00.31.H20",
        name="UBND xã",
    )
    desk = AgencyFactory(kind=AgencyKind.ONE_STOP_UNIT, parent=commune, name="Một cửa")
    version = ProcedureVersionFactory(published=True)
    assert version.status == VersionStatus.PUBLISHED
    assert version.procedure.competence_rules.get().mode == "local_commune"
    BirthWorkflowFactory(procedure=version.procedure)
    officer = OfficialFactory(agency=desk, grants=[("receiving_officer", desk)])
    d = DossierFactory(
        actor=officer,
        procedure=version.procedure,
        desk=desk,
        accepted=True,
        now=local(2026, 3, 2, 9),
    )
    assert (d.status, d.competent_agency, d.step_key) == (Status.ACCEPTED, commune, "tham-dinh")
    waiting = DossierFactory(actor=officer, procedure=version.procedure, desk=desk)
    assert waiting.status == Status.SUBMITTED and waiting.applicant_commune_id == 28261
