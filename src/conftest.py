"""Shared fixtures: the real territory, two provinces' agency trees, officials with grants.

The fixtures are thin: they name worlds many tests share, built with the factories of each
app's tests package (accounts, organizations, catalog), which go through the same services as
production."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from motcua.accounts.models import Role, User
from motcua.accounts.services import builtin_roles_ensure
from motcua.accounts.tests.factories import OfficialFactory, SuperuserFactory
from motcua.catalog.tests.factories import FieldFactory, ProcedureFactory
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.tests.factories import AgencyFactory
from motcua.territory.models import Commune, Province
from motcua.territory.services import territory_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The real 34 provinces and 3,321 communes, loaded once into the test database.
    with django_db_blocker.unblock():
        territory_load()


@pytest.fixture(autouse=True)
def vietnamese():
    """Every test starts in the default language; a request in English must not leak."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def fresh_caches():
    """Each test starts with an empty shared cache (the values and revision numbers of
    core.revisions, the tracking rate limit) and no calendar kept in this process."""
    from django.core.cache import cache

    from motcua.core.selectors import calendar_cache_clear

    cache.clear()
    calendar_cache_clear()
    yield


@pytest.fixture
def superuser(db) -> User:
    return SuperuserFactory()


@dataclass
class Tree:
    """One province's agencies, keyed by short names."""

    province: Province
    a: dict[str, Agency] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Agency:
        return self.a[key]


def build_tree(actor: User, province_code: int, h: str, commune_codes: list[int]) -> Tree:
    province = Province.objects.get(pk=province_code)
    tree = Tree(province)
    communes = [Commune.objects.get(pk=c) for c in commune_codes]

    def add(key, parent, kind, name, code=None, commune=None):
        tree.a[key] = AgencyFactory(
            actor=actor,
            kind=kind,
            name=name,
            parent=tree.a.get(parent),
            province=province,
            code=code,
            commune=commune,
        )

    add("root", None, AgencyKind.PROVINCE_PC, f"UBND {province.name}", f"000.00.00.{h}")
    add("dept", "root", AgencyKind.DEPARTMENT, "Sở Tư pháp", f"000.00.02.{h}")
    add("dept_unit", "dept", AgencyKind.UNIT, "Phòng Hành chính tư pháp", f"000.01.02.{h}")
    add("dept2", "root", AgencyKind.DEPARTMENT, "Sở Xây dựng", f"000.00.04.{h}")
    add("center", "root", AgencyKind.SERVICE_CENTER, "Trung tâm PVHCC", f"000.00.12.{h}")
    add("desk", "center", AgencyKind.DESK, "Quầy số 01")
    add("commune", "root", AgencyKind.COMMUNE_PC, "UBND xã", f"000.00.31.{h}", communes[0])
    add("osu", "commune", AgencyKind.ONE_STOP_UNIT, "Bộ phận một cửa xã", f"000.01.31.{h}")
    add("commune2", "root", AgencyKind.COMMUNE_PC, "UBND xã 2", f"000.00.32.{h}", communes[1])
    return tree


@pytest.fixture
def roles(db) -> dict[str, Role]:
    builtin_roles_ensure()  # migrations made them; transactional tests flush them away
    return {role.code: role for role in Role.objects.all()}


@pytest.fixture
def tree(superuser) -> Tree:
    """Đồng Tháp (82) with two communes."""
    return build_tree(superuser, 82, "H20", [28261, 29869])


@pytest.fixture
def intake(tree, superuser, roles) -> User:
    """The national portal's intake identity: a system account delivering the province's online
    dossiers (the only way an online dossier enters, besides the applicant's own login)."""
    from motcua.accounts.services import grant_create, system_account_create

    user = system_account_create(
        actor=superuser, username="dvcqg", full_name="Cổng DVC quốc gia", agency=tree["root"]
    )
    grant_create(
        actor=superuser,
        user=user,
        role=roles["national_portal"],
        agency=tree["root"],
        include_subtree=True,
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def other_tree(superuser) -> Tree:
    """Cần Thơ (92): another province on the same installation."""
    ward = Commune.objects.filter(province_id=92).order_by("code")[:2]
    return build_tree(superuser, 92, "H14", [c.code for c in ward])


@pytest.fixture
def fields_and_procedures(db):
    civil = FieldFactory(code="G15-TP07", name="Hộ tịch")
    land = FieldFactory(code="G13-TN02", name="Đất đai")
    birth = ProcedureFactory(code="1.001193", name="Thủ tục đăng ký khai sinh", field=civil)
    marriage = ProcedureFactory(code="1.000894", name="Thủ tục đăng ký kết hôn", field=civil)
    land_first = ProcedureFactory(code="1.115750", name="Cấp GCN lần đầu", field=land)
    return {
        "civil": civil,
        "land": land,
        "birth": birth,
        "marriage": marriage,
        "land_first": land_first,
    }


@pytest.fixture
def make_official(superuser, roles):
    """make_official("name", home_agency, [("role", agency, subtree, field, procedure), ...])"""

    def make(username: str, home: Agency, grants=(), **extra) -> User:
        return OfficialFactory(
            actor=superuser, username=username, agency=home, grants=grants, **extra
        )

    return make


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, launched once for all browser tests."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def documents_storage(settings, tmp_path_factory):
    """Papers stored during a test go to a temporary folder, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("documents")), "base_url": None},
        },
    }
    settings.ANTIVIRUS_CLAMD = ""
    yield


@pytest.fixture(scope="session")
def signing_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def signing_offline(settings, signing_pki_dir):
    """A workflow's signing step signs the draft result (dossiers/services/results.py): with a
    local test PKI made once per session, without timestamps unless a test starts the TSA
    simulator (signing/tests/conftest.py `tsa`)."""
    settings.SIGNING_MODE = "local-test-ca"
    settings.SIGNING_PKI_DIR = signing_pki_dir
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_TSA_URL = ""
    yield
