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
    assert held == set(BUILTIN_ROLES)
    assert len(logins) == officials.count() + 1
    assert User.objects.get(username="qt.tinh").check_password("MotCua@2026")

    counts = (Agency.objects.count(), User.objects.count(), Grant.objects.count())
    demo_setup()
    assert (Agency.objects.count(), User.objects.count(), Grant.objects.count()) == counts
