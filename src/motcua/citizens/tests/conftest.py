"""The identity provider's simulator on live_server with the relying party pointed at it, a
browser-like HTTP client walking the authorization-code flow, and the dossier world of the
dossier tests."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from motcua.adapters import vneid
from motcua.dossiers.tests import conftest as _dossiers
from motcua.simulators.vneid import views as sim

TOKEN = "test-sim-token"
LAN = "087190001234"  # simulators/population/data.py, and the dossier factories' applicant
HUNG = "087085004321"
SEN_HONG = "1402345678"  # an organization account (its code), simulators/vneid/data.py

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
def provider(live_server, settings) -> str:
    """The relying party pointed at the simulated VNeID on live_server; its faults off."""
    base = live_server.url
    settings.VNEID_ISSUER = base + "/sim/vneid"
    settings.VNEID_REDIRECT_URI = base + "/dang-nhap/vneid/ket-qua/"
    settings.VNEID_POST_LOGOUT_URI = base + "/"
    settings.SIM_VNEID_REDIRECT_URIS = [settings.VNEID_REDIRECT_URI, base + "/"]
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    vneid.forget_clients()
    sim.reset()
    yield base
    vneid.forget_clients()
    sim.reset()


def fault(base: str, **config) -> None:
    response = httpx.post(f"{base}/sim/vneid/_faults", json=config, headers={"X-Sim-Token": TOKEN})
    assert response.status_code == 200, response.text


@dataclass
class Walk:
    authorize_url: str
    callback_url: str
    final: httpx.Response


def hidden_fields(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


def choose_identity(client: httpx.Client, authorize_url: str, number: str) -> httpx.Response:
    """On the provider's page: pick a test identity and agree. The answer is its redirect."""
    page = client.get(authorize_url)
    assert page.status_code == 200, page.text
    assert "Đăng nhập bằng tài khoản định danh điện tử" in page.text
    form = hidden_fields(page.text) | {"tai_khoan": number, "dong_y": "1"}
    return client.post(str(page.url), data=form)


def log_in(client: httpx.Client, base: str, number: str = LAN) -> Walk:
    """The whole authorization-code flow, one redirect at a time, as a browser follows it."""
    start = client.get(base + "/dang-nhap/vneid/")
    assert start.status_code == 302, start.text
    authorize_url = start.headers["location"]
    chosen = choose_identity(client, authorize_url, number)
    assert chosen.status_code == 302, chosen.text
    callback_url = chosen.headers["location"]
    final = client.get(callback_url)
    return Walk(authorize_url, callback_url, final)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
