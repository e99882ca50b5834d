"""The payment platform's simulator over real HTTP (live_server) with the adapter pointed at
it, and the dossier world of the dossier tests with fees on the birth procedure."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest

from motcua.catalog.models import Fee
from motcua.dossiers.tests import conftest as _dossiers
from motcua.dossiers.tests.factories import DossierFactory
from motcua.payments.services import payment_request
from motcua.simulators.payment_platform import views as sim

TOKEN = "test-sim-token"
LAN = "087190001234"  # the factories' applicant

world = _dossiers.world
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()
    builtin_roles_ensure()


@pytest.fixture
def quiet(settings):
    settings.NOTIFY_APPLICANTS = False
    settings.OUTBOX_KICK_ON_COMMIT = False


@pytest.fixture
def platform(live_server, settings, quiet) -> str:
    """The adapter and the simulator pointed at each other on live_server; faults off."""
    base = live_server.url
    settings.PAYMENT_PLATFORM_URL = base + "/sim/thanh-toan"
    settings.SIM_PAYMENT_IPN_URL = base + "/api/v1/payments/ipn"
    settings.SIM_PAYMENT_RETURN_URL = base + "/thanh-toan/ket-qua/"
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    sim.faults_set()
    yield base
    sim.faults_set()


def faults(base: str, **config) -> None:
    response = httpx.post(
        f"{base}/sim/thanh-toan/_faults", json=config, headers={"X-Sim-Token": TOKEN}
    )
    assert response.status_code == 200, response.text


def add_fees(version) -> tuple[Fee, Fee]:
    """A charge with an online reduction, and a fee without."""
    charge = Fee.objects.create(
        version=version,
        order=1,
        kind="charge",
        name="Lệ phí đăng ký khai sinh",
        amount_vnd=8_000,
        online_amount_vnd=4_000,
        online_reduction_basis="Nghị quyết HĐND tỉnh (thử): giảm 50% khi nộp trực tuyến",
        unit="đồng/trường hợp",
    )
    fee = Fee.objects.create(
        version=version,
        order=2,
        kind="fee",
        name="Phí cấp bản sao trích lục",
        amount_vnd=8_000,
        unit="đồng/bản",
    )
    return charge, fee


def accepted(world):
    """A birth dossier accepted at the commune's desk: at the specialist's step. Its
    procedure's catalog fees are cleared: each test sets the ones it is about."""
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )
    Fee.objects.filter(version=d.procedure_version).delete()
    return d


def awaiting(world, **kwargs):
    """A dossier with fees, asked to pay them: national status 6."""
    d = accepted(world)
    add_fees(d.procedure_version)
    return payment_request(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, **kwargs
    )


def pay_on_platform(pay_url: str, action: str = "pay", bank: str = "970436") -> httpx.Response:
    """The citizen's browser on the platform's page: open it, pay (or cancel), come back."""
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        page = browser.get(pay_url)
        assert page.status_code == 200, page.text
        assert re.search(r"Thanh toán trực tuyến", page.text)
        answer = browser.post(pay_url, data={"action": action, "bank": bank})
        assert answer.status_code == 302, answer.text
        return browser.get(answer.headers["location"])


SECRET = "demo-payment-hash-key"
CONFIRM = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
]


def platform_signed(body: dict, secret: str = SECRET) -> dict:
    """A confirmation signed as the platform does (§4.3), written out here a third time."""
    joined = "|".join(str(body.get(f, "")) for f in CONFIRM)
    return {**body, "MaXacThuc": hashlib.sha256(f"{joined}|{secret}".encode()).hexdigest()}


def confirmation(payment, **changes) -> dict:
    body = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": "MOTCUA-DT",
        "MaThamChieu": payment.reference,
        "SoTien": str(payment.amount_vnd),
        "MaTienTe": "VND",
        "MaGiaoDich": "GD0000TEST0001",
        "MaNganHang": "970436",
        "ThoiGianGD": "20260302093000",
        "ThongTinGiaoDich": f"THANH TOAN HO SO {payment.dossier.code}",
        "MaHoSo": payment.dossier.code,
    }
    body.update(changes)
    return platform_signed(body)
