import pytest

from motcua.accounts.constants import BUILTIN_ROLES
from motcua.accounts.models import Grant, User
from motcua.demo.services import demo_setup
from motcua.organizations.models import Agency, AgencyKind
from motcua.territory.models import Commune

pytestmark = pytest.mark.django_db


def test_demo_province_is_complete_and_idempotent():
    logins = demo_setup()
    root = Agency.objects.get(code="000.00.00.H20")
    assert root.province_id == 82
    assert Commune.objects.filter(province_id=82).count() == 102
    tree = Agency.objects.filter(path__startswith=root.path)
    assert tree.filter(kind=AgencyKind.DEPARTMENT).count() >= 10
    assert tree.filter(kind=AgencyKind.SERVICE_CENTER).count() == 1
    assert tree.filter(kind=AgencyKind.COMMUNE_PC).count() == 3
    assert tree.filter(kind=AgencyKind.ONE_STOP_UNIT).count() == 3
    officials = User.objects.filter(kind=User.Kind.OFFICIAL, agency__in=tree)
    assert 28 <= officials.count() <= 35
    held = set(Grant.objects.filter(user__in=officials).values_list("role__code", flat=True))
    assert held == set(BUILTIN_ROLES) - {"national_portal", "external_system"}
    # The intake identity is a system account holding only the intake role.
    portal = User.objects.get(username="dvcqg")
    assert portal.kind == User.Kind.SYSTEM and not portal.has_usable_password()
    assert set(portal.grants.values_list("role__code", flat=True)) == {"national_portal"}
    assert len(logins) == officials.count() + 1
    assert User.objects.get(username="qt.tinh").check_password("MotCua@2026")

    counts = (Agency.objects.count(), User.objects.count(), Grant.objects.count())
    demo_setup()
    assert (Agency.objects.count(), User.objects.count(), Grant.objects.count()) == counts


def test_demo_catalog_is_published_through_the_gate_and_idempotent():
    from motcua.accounts.authz import can
    from motcua.accounts.constants import Action
    from motcua.catalog.models import FullOnlineList, Procedure, ProcedureVersion, PublicService
    from motcua.catalog.selectors import catalog_health, procedure_public_get, procedure_search

    demo_setup()
    health = catalog_health()
    assert health.published >= 30
    assert health.complete == health.published  # every published one passed the gate
    assert all(r.gaps for r in health.rows if not r.procedure.is_published)
    assert Procedure.objects.filter(is_published=True, is_province_specific=True).count() >= 2
    assert ProcedureVersion.objects.filter(status="published", is_lien_thong=True).count() >= 2
    birth = procedure_public_get("1.001193")
    assert birth.version.decision_number  # each cites the decision that published it
    assert list(procedure_search(query="dang ky khai sinh").values_list("code", flat=True))[:1] == [
        "1.001193"
    ]
    assert FullOnlineList.objects.get().procedures.count() >= 5
    # Each commune's receiving officer may receive birth registration at its one-stop unit.
    services = PublicService.objects.filter(procedure=birth.procedure)
    mytho = services.get(agency__code="000.01.31.H20")
    caolanh = services.get(agency__code="000.01.32.H20")
    officer = User.objects.get(username="tn.mytho")
    assert can(officer, Action.DOSSIER_RECEIVE, mytho)
    assert not can(officer, Action.DOSSIER_RECEIVE, caolanh)

    versions = ProcedureVersion.objects.count()
    demo_setup()
    assert ProcedureVersion.objects.count() == versions
