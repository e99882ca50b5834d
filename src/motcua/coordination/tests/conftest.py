"""The ministry simulator over real HTTP (live_server), the dossier world with a birth workflow
whose third step hands the dossier over to the external system "btxh", and its system account."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from motcua.coordination.services import external_accounts_ensure
from motcua.dossiers.services import dossier_act
from motcua.dossiers.tests.factories import DossierFactory, step, steps_doc
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.people.tests import conftest as _people
from motcua.simulators.ministry import views as sim
from motcua.simulators.national_portal.intake import signed_headers
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.spec import spec_hash

world = _people.world
catalog_admin = _people.catalog_admin
birth_form = _people.birth_form
reloaded = _people.reloaded

TOKEN = "test-sim-token"
SECRET = "test-callback-secret"
DESTINATION = "ministry:btxh"


def external_steps(system: str = "btxh") -> dict:
    """Receive → check → hand over to the ministry's system → the chair signs → return."""
    return steps_doc(
        step(
            "tiep-nhan",
            "Tiếp nhận",
            "receive",
            "receiving_officer",
            0,
            unit={"ref": "receiving_desk"},
            transitions=[("forward", "tham-dinh")],
        ),
        step(
            "tham-dinh",
            "Thẩm định hồ sơ",
            "process",
            "specialist",
            4,
            transitions=[("forward", "bo")],
        ),
        step(
            "bo",
            "Bộ giải quyết trên hệ thống chuyên ngành",
            "external",
            "specialist",
            4,
            transitions=[("forward", "ky"), ("refuse", "ky")],
            system=system,
        ),
        step(
            "ky",
            "Ký",
            "sign",
            "agency_leader",
            4,
            transitions=[("forward", "tra"), ("return", "tham-dinh")],
        ),
        step(
            "tra",
            "Trả kết quả",
            "return",
            "receiving_officer",
            0,
            unit={"ref": "receiving_desk"},
            transitions=[("forward", None)],
        ),
    )


def system_config(base: str, mode: str = "callback") -> dict:
    return {
        "label": "Hệ thống của Bộ (thử)",
        "url": base,
        "token": "demo-bo-nganh",
        "callback_secret": SECRET,
        "mode": mode,
        "account": "he-thong-btxh",
        "timeout": 30.0,
        "reports_to_portal": True,
    }


@pytest.fixture
def ministry(live_server, settings, reloaded, world, superuser):
    """The birth workflow handing over to "btxh" on the simulator; fast retries; faults off."""
    base = live_server.url + "/sim/bo-nganh/btxh"
    settings.EXTERNAL_SYSTEMS = {"btxh": system_config(base)}
    settings.SIM_MINISTRY_TOKEN = "demo-bo-nganh"
    settings.SIM_MINISTRY_CALLBACK_SECRET = SECRET
    settings.SIM_MINISTRY_CALLBACK_URL = live_server.url + "/api/v1/coordination/{system}/reports"
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    settings.OUTBOX_KICK_ON_COMMIT = False
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 0.05
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 0.1
    settings.NOTIFY_APPLICANTS = False
    # The parsed steps are cached by content hash (workflows/models.py): change both, or a test
    # run after another that parsed the birth workflow would follow the cached steps.
    document = external_steps()
    ProcessDefinition.objects.filter(pk=world.birth_definition.pk).update(
        document=document, content_hash=spec_hash(document)
    )
    external_accounts_ensure(actor=superuser, agency=world.tree["commune"])
    sim.switch.set({})
    yield base
    sim.switch.set({})


def handed_over(world):
    """A birth dossier accepted at the commune and checked: now at the external step."""
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )
    return dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )


def deliver(timeout: float = 10.0) -> list[OutboxEvent]:
    """Run the dispatcher for the ministry until nothing is pending (retries come quickly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outbox_dispatch(destinations=[DESTINATION], budget_seconds=2)
        pending = OutboxEvent.objects.filter(destination=DESTINATION, status=OutboxStatus.PENDING)
        if not pending.exists():
            break
        time.sleep(0.1)
    return list(OutboxEvent.objects.filter(destination=DESTINATION))


def control(base: str, path: str, **body) -> httpx.Response:
    return httpx.post(f"{base}/{path}", json=body, headers={"X-Sim-Token": TOKEN}, timeout=30)


def faults(live_url: str, **config) -> dict:
    response = httpx.post(
        f"{live_url}/sim/bo-nganh/_faults",
        json=config,
        headers={"X-Sim-Token": TOKEN},
        timeout=30,  # the machine is shared: a slow answer is not what these tests are about
    )
    assert response.status_code == 200, response.text
    return response.json()["faults"]


def post_report(live_url: str, report, *, secret: str = SECRET, system: str = "btxh", **kw):
    """POST a report to our callback, signed as the system does."""
    raw = report if isinstance(report, bytes) else json.dumps(report).encode()
    headers = kw.pop("headers", None) or signed_headers(secret, raw)
    return httpx.post(
        f"{live_url}/api/v1/coordination/{system}/reports",
        content=raw,
        headers=headers,
        timeout=30,
    )
