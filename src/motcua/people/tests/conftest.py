"""The registers' simulators over real HTTP (live_server), the dossier world of the dossier
tests, and a switch to flip a simulator's faults as an operator would."""

from __future__ import annotations

import httpx
import pytest

from motcua.dossiers.tests import conftest as _dossiers
from motcua.simulators.business_registry import views as business_sim
from motcua.simulators.messaging import views as messaging_sim
from motcua.simulators.population import views as population_sim

TOKEN = "test-sim-token"

world = _dossiers.world
catalog_admin = _dossiers.catalog_admin
birth_form = _dossiers.birth_form


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


@pytest.fixture
def registers(live_server, settings):
    """Every adapter of this part pointed at its simulator on live_server; faults off."""
    base = live_server.url + "/sim"
    settings.POPULATION_DB_URL = base + "/dancu/tra-cuu"
    settings.BUSINESS_REGISTRY_URL = base + "/dkkd/tra-cuu"
    settings.SMS_GATEWAY_URL = base + "/tin-nhan/sms"
    settings.EMAIL_GATEWAY_URL = base + "/tin-nhan/email"
    settings.POPULATION_DB_TIMEOUT = 2.0
    settings.MESSAGING_TIMEOUT = 2.0
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    settings.OUTBOX_KICK_ON_COMMIT = False
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 0.05
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 0.2
    settings.NOTIFY_APPLICANTS = True
    for sim in (population_sim, business_sim, messaging_sim):
        sim.switch.set({})
    yield base
    for sim in (population_sim, business_sim, messaging_sim):
        sim.switch.set({})


def faults(url: str, **config) -> dict:
    response = httpx.post(f"{url}/_faults", json=config, headers={"X-Sim-Token": TOKEN})
    assert response.status_code == 200, response.text
    return response.json()["faults"]
