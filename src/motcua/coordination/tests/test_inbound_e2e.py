"""The inbound flow over real HTTP (§5): the simulated system pushes (`_push`) or lists
(`LayDanhSachHoSo`) the dossiers it hands to the province; every change of such a dossier goes
back to it as `TienTrinhHoSoBTXH` through the outbox and the real dispatcher — once each, in
order, even after the system answers 503 — and the demo's workflow hands it over to the
coordination system and takes the result that comes back."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from motcua.accounts.models import User
from motcua.coordination import tasks
from motcua.coordination.models import Handover
from motcua.demo.services import demo_setup
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_accept, dossier_act
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.simulators.ministry import views as sim
from motcua.simulators.ministry.models import SimInbound, SimProgress
from motcua.simulators.national_portal.intake import signed_headers

from .conftest import SECRET, TOKEN, control, faults, system_config

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def systems(transactional_db, roles, settings, live_server):
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()
    base = live_server.url + "/sim/bo-nganh"
    settings.EXTERNAL_SYSTEMS = {
        name: system_config(f"{base}/{name}") | {"inbound": ["push"], "account": f"he-thong-{name}"}
        for name in ("btxh", "dieuphoi")
    }
    settings.SIM_MINISTRY_TOKEN = "demo-bo-nganh"
    settings.SIM_MINISTRY_CALLBACK_SECRET = SECRET
    settings.SIM_MINISTRY_CALLBACK_URL = live_server.url + "/api/v1/coordination/{system}/reports"
    settings.SIM_MINISTRY_INBOUND_URL = live_server.url + "/api/v1/coordination/{system}/dossiers"
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    settings.OUTBOX_KICK_ON_COMMIT = False
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 0.05
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 0.1
    settings.NOTIFY_APPLICANTS = False
    demo_setup()
    sim.switch.set({})
    yield base
    sim.switch.set({})


def deliver(destination: str, timeout: float = 20.0) -> list[OutboxEvent]:
    """The real dispatcher for one destination until nothing is pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outbox_dispatch(destinations=[destination], budget_seconds=2)
        if not OutboxEvent.objects.filter(
            destination=destination, status=OutboxStatus.PENDING
        ).exists():
            break
        time.sleep(0.1)
    return list(OutboxEvent.objects.filter(destination=destination).order_by("id"))


def sent_back(system: str, accept_key: str) -> list[SimProgress]:
    return list(SimProgress.objects.filter(system=system, accept_key=accept_key).order_by("id"))


def test_pushed_twice_exists_once_and_every_change_goes_back_once_in_order(systems, live_server):
    base = f"{systems}/dieuphoi"
    pushed = control(base, "_push", count=1, MaXa=28261)
    assert pushed.status_code == 200, pushed.text
    (key,) = pushed.json()["records"]
    (reply,) = pushed.json()["replies"]
    assert reply["status"] == 200 and reply["answer"]["result"]["data"][0]["outcome"] == "created"
    again = control(base, "_push", again=[key]).json()["replies"][0]
    assert again["answer"]["result"]["data"][0]["outcome"] == "duplicate"
    d = Dossier.objects.get()
    assert (d.source_system, d.source_key, d.status) == ("dieuphoi", key, Status.SUBMITTED)

    # The commune's desk accepts it; the civil-status officer checks it and asks the
    # coordination system to verify (the demo workflow's external step): a hand-over.
    d = dossier_accept(
        actor=User.objects.get(username="tn.mytho"), dossier=d, expected_version=d.version
    )
    d = dossier_act(
        actor=User.objects.get(username="hotich.mytho"),
        dossier=d,
        expected_version=d.version,
        action="forward",
    )
    assert d.step_key == "xac_minh"
    faults(live_server.url, error="503", error_count=2)
    events = deliver("ministry:dieuphoi")
    assert {e.status for e in events} == {OutboxStatus.DELIVERED}
    assert sum(e.attempts for e in events) >= 2  # the two 503s were retried
    h = Handover.objects.get(dossier=d)

    # The simulated officer settles it; the callback's result moves the dossier on.
    settled = control(base, "_settle", AcceptKey=h.accept_key, granted=True)
    assert [c["status"] for c in settled.json()["callbacks"]] == [200, 200]
    d = Dossier.objects.get(pk=d.pk)
    assert (d.step_key, d.status) == ("ky", Status.PROCESSING)
    deliver("ministry:dieuphoi")
    deliver("ministry:dieuphoi")  # nothing left: nothing sent twice

    history = list(DossierEvent.objects.filter(dossier=d).order_by("seq"))
    rows = sent_back("dieuphoi", key)
    assert [r.body["IdempotencyKey"] for r in rows] == [
        f"ministry:dieuphoi:inbound:{d.code}:{e.seq}" for e in history
    ]
    assert [r.times_received for r in rows] == [1] * len(history)
    assert [r.body["StatusId"] for r in rows] == [str(e.national_status) for e in history]
    assert [r.body["ThoiDiemXuLy"] for r in rows] == sorted(r.body["ThoiDiemXuLy"] for r in rows)
    assert rows[0].body["TaiKhoanXuLy"] == "he-thong-dieuphoi"
    assert rows[1].body["TaiKhoanXuLy"] == "tn.mytho" and rows[1].body["StatusId"] == "2"
    assert {r.body["MaHoSoDonVi"] for r in rows} == {d.code}
    # The log page shows the hand-over in and what went back.
    log = httpx.get(f"{base}/nhat-ky", headers={"X-Sim-Token": TOKEN}, timeout=30).json()
    (inbound,) = log["inbound"]
    assert inbound["times_pushed"] == 2 and len(inbound["progress"]) == len(history)
    assert log["handovers"][0]["AcceptKey"] == h.accept_key


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serializes the whole database)",
)
def test_concurrent_pushes_of_one_dossier_exist_once_on_postgresql(systems, live_server):
    records = [sim.inbound_record("btxh", commune=29869) for _ in range(3)]
    url = f"{live_server.url}/api/v1/coordination/btxh/dossiers"
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def push(record):
        raw = json.dumps(record, ensure_ascii=False).encode()
        barrier.wait()
        with httpx.Client(timeout=60) as http:
            answer = http.post(url, content=raw, headers=signed_headers(SECRET, raw)).json()
        with lock:
            outcomes.append(answer["result"]["data"][0]["outcome"])

    for record in records:
        threads = [threading.Thread(target=push, args=(record,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        barrier.reset()
    assert sorted(outcomes) == ["created"] * 3 + ["duplicate"] * 15
    assert Dossier.objects.count() == 3 and DossierEvent.objects.count() == 3
    assert OutboxEvent.objects.filter(destination="ministry:btxh").count() == 3


def test_pull_takes_the_listed_dossiers_once_and_reports_back(systems, settings):
    settings.EXTERNAL_SYSTEMS = {
        **settings.EXTERNAL_SYSTEMS,
        "btxh": settings.EXTERNAL_SYSTEMS["btxh"] | {"inbound": ["pull"]},
    }
    base = f"{systems}/btxh"
    listed = control(base, "_push", count=2, MaXa=30037).json()
    assert listed["replies"] == []  # pull mode: the system waits to be asked
    bad = sim.inbound_record("btxh", procedure="9.999999")
    control(base, "_push", records=[bad])

    (report,) = tasks.inbound_pull()

    assert report["listed"] == 3 and report["outcomes"] == {"created": 2}
    assert report["refused"] == 1 and report["error"] == ""
    assert set(Dossier.objects.values_list("source_key", flat=True)) == set(listed["records"])
    taken = dict(SimInbound.objects.values_list("accept_key", "taken"))
    assert taken == {**dict.fromkeys(listed["records"], True), bad["AcceptKey"]: False}
    # The refused one stays listed; the others are not taken twice.
    call_command("coordination_inbound_pull")
    assert Dossier.objects.count() == 2 and DossierEvent.objects.count() == 2

    # Their first rows go back; a 503 first changes nothing.
    faults(systems.removesuffix("/sim/bo-nganh"), error="503", error_count=1)
    events = deliver("ministry:btxh")
    assert len(events) == 2 and {e.status for e in events} == {OutboxStatus.DELIVERED}
    for key in listed["records"]:
        (row,) = sent_back("btxh", key)
        assert row.times_received == 1 and row.body["StatusId"] == "1"


def test_pull_from_a_system_that_is_down_is_reported_and_takes_nothing(systems, live_server):
    control(f"{systems}/btxh", "_push", count=1, push=False)
    faults(live_server.url, outage_seconds=30)
    with pytest.raises(Exception, match="btxh"):
        call_command("coordination_inbound_pull", "--system", "btxh")
    assert Dossier.objects.count() == 0


def _push_record(live_server, body: dict) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return httpx.post(
        f"{live_server.url}/api/v1/coordination/btxh/dossiers",
        content=raw,
        headers=signed_headers(SECRET, raw),
        timeout=30,
    )


def test_a_file_handed_over_by_address_is_fetched_from_the_systems_own_host(systems, live_server):
    """A ministry's system hands its files over from its own file host (with our token there),
    not the national portal's: fetched from the system's allowed hosts only, then kept as the
    component's paper like any other."""
    from motcua.documents.models import Document
    from motcua.simulators.national_portal.intake import SAMPLE_PDF

    body = sim.inbound_record("btxh", commune=28261)
    body.pop("CertificateExtentData")
    body["TaiLieuNop"] = [
        {
            "TenTepDinhKem": "to-khai.pdf",
            "DuongDan": f"{systems}/btxh/tep/to-khai.pdf",
            "MaThanhPhanHoSo": "TP1",
            "TenThanhPhanHoSo": "Tờ khai",
        }
    ]
    response = _push_record(live_server, body)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["data"][0]["outcome"] == "created"
    d = Dossier.objects.get(source_system="btxh", source_key=body["AcceptKey"])
    (paper,) = Document.objects.filter(dossier=d)
    assert paper.original_name == "to-khai.pdf"
    assert paper.sha256 == __import__("hashlib").sha256(SAMPLE_PDF).hexdigest()

    # An address on any other host is refused before any request, and nothing is stored.
    other = sim.inbound_record("btxh", commune=28261)
    other.pop("CertificateExtentData")
    other["TaiLieuNop"] = [
        {"TenTepDinhKem": "x.pdf", "DuongDan": "http://files.example.invalid/x.pdf"}
    ]
    refused = _push_record(live_server, other)
    assert refused.status_code == 422, refused.text
    assert "file_address_refused" in refused.text
    assert not Dossier.objects.filter(source_key=other["AcceptKey"]).exists()
