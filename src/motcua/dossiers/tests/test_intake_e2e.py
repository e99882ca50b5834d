"""Intake over real HTTP (issue 13): the simulator's pusher against our endpoint, our pull
adapter against the simulator's liên thông API, and concurrent duplicates on PostgreSQL."""

from __future__ import annotations

import json
import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from motcua.demo.services import demo_setup
from motcua.dossiers import tasks
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services.intake import intake_pull
from motcua.outbox.models import OutboxEvent
from motcua.simulators.national_portal import intake as sim

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "e2e-intake-secret"


@pytest.fixture(autouse=True)
def demo(transactional_db, roles, settings, live_server):
    # Transactional tests empty the database after each test, the territory included.
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()
    settings.NATIONAL_PORTAL_INTAKE_SECRET = SECRET
    settings.NATIONAL_PORTAL_INTAKE_PULL_URL = live_server.url + "/sim/dvcqg/lienthong"
    settings.SIM_INTAKE_TARGET_URL = live_server.url + "/api/v1/intake/dvcqg"
    demo_setup()
    sim.queue_reset()
    yield
    sim.queue_reset()


def _with_duplicates(count: int, share: float, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    payloads = [sim.dossier_payload(i) for i in range(1, count + 1)]
    for repeat in [rng.choice(payloads) for _ in range(int(count * share))]:
        payloads.insert(rng.randrange(len(payloads) + 1), repeat)
    return payloads


def _concurrently(payloads: list[dict], times: int = 2) -> list[int]:
    """Each payload delivered `times` at the same moment (threads behind a barrier): the
    portal's retry racing its first attempt. The error codes, in no particular order."""
    import httpx

    answers: list[int] = []
    lock = threading.Lock()

    def deliver(payload, barrier):
        barrier.wait()
        with httpx.Client(timeout=60) as http:
            code, _reply, _made = sim.push_one(
                http, sim_url(), payload, secret=SECRET, attempts=3, backoff=0.05
            )
        with lock:
            answers.append(code)

    for payload in payloads:
        barrier = threading.Barrier(times)
        threads = [threading.Thread(target=deliver, args=(payload, barrier)) for _ in range(times)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return answers


def sim_url() -> str:
    from django.conf import settings

    return settings.SIM_INTAKE_TARGET_URL


def _pushes_give_the_distinct_dossiers(count: int) -> None:
    """`count` dossiers: 5 % of them first delivered twice at once (PostgreSQL), the others in
    order with 10 % of them delivered again later."""
    racing = [sim.dossier_payload(i) for i in range(count + 1, count + 1 + count // 20)]
    payloads = _with_duplicates(count - len(racing), 0.10)
    sequential = len(payloads)
    report = sim.push(payloads, attempts=1)
    assert report.failures == []
    assert report.by_code == {0: count - len(racing), 1: sequential - (count - len(racing))}
    if connection.vendor == "postgresql":
        answers = _concurrently(racing)
    else:
        # The tests' SQLite is one in-memory database shared by the server's threads, whose
        # locking is not the embedded default's (a WAL file): there the pair goes one by one.
        answers = [sim.push([p, p], attempts=1).by_code for p in racing]
        answers = [code for by_code in answers for code, n in by_code.items() for _ in range(n)]
    assert sorted(answers) == [0] * len(racing) + [1] * len(racing)
    assert Dossier.objects.count() == count
    assert Dossier.objects.filter(channel="online", status="submitted").count() == count
    # One history row and one outbox row for the portal per dossier: a duplicate wrote nothing
    # (nor told the applicant twice).
    assert (
        DossierEvent.objects.count()
        == count
        == OutboxEvent.objects.filter(destination="dvcqg").count()
    )
    assert OutboxEvent.objects.filter(destination="sms").count() == count
    assert len(set(Dossier.objects.values_list("code", flat=True))) == count


def test_pushes_with_sequential_and_concurrent_duplicates_give_exactly_the_distinct_dossiers():
    _pushes_give_the_distinct_dossiers(100)


@pytest.mark.slow
def test_a_thousand_pushes_with_ten_per_cent_and_five_per_cent_concurrent_duplicates():
    _pushes_give_the_distinct_dossiers(1000)


def test_sim_push_command_delivers_and_retries_refusals(capsys):
    call_command("sim_push", count=5, duplicates=0.2)
    out = capsys.readouterr().out
    assert "sent 6 (5 distinct)" in out and "error_code 0: 5" in out and "error_code 1: 1" in out
    assert Dossier.objects.count() == 5
    # A refusal (-1) is retried, then reported.
    bad = sim.dossier_payload(99)
    bad["MaTTHC"] = "9.999999"
    report = sim.push([bad], attempts=2, backoff=0.01)
    assert report.by_code == {-1: 1} and report.attempts == 2
    assert report.failures[0]["reason"] == "unknown_procedure"


def test_pull_mode_takes_each_package_once_and_marks_it_received(settings):
    settings.NATIONAL_PORTAL_INTAKE_MODE = "pull"
    packages = [sim.package(i, death=(i == 3)) for i in range(1, 6)]
    twin = {**sim.package(2), "id": "twin-of-2", "maHoSo": packages[1]["maHoSo"]}
    broken = {**sim.package(9), "maTTHC": "9.999999"}
    sim.queue_add([*packages, twin, broken])

    report = tasks.intake_pull()
    assert report == {
        "listed": 7,
        "created": 5,
        "updated": 0,
        "duplicate": 1,
        "refused": 1,
        "errors": 0,
    }
    assert Dossier.objects.count() == 5
    d = Dossier.objects.get(external_code=packages[0]["maHoSo"])
    assert d.procedure.code == "1.001193" and d.applicant_commune_id == packages[0]["maDonVi"]
    assert d.receiving_agency.kind == "one_stop_unit" and d.channel == "online"
    assert d.form_data["nksHoTen"] and d.form_data["_intake"]["source"] == "pull"
    assert d.components.get().file_type == "application/pdf"
    death = Dossier.objects.get(external_code=packages[2]["maHoSo"])
    assert death.procedure.code == "1.000656"
    state = sim.state()
    # Marked received once each (the twin's second mark too); the broken one stays listed.
    assert state["undelivered"] == 1
    assert state["acknowledgements"][packages[1]["maHoSo"]] == 2
    assert broken["maHoSo"] not in state["acknowledgements"]

    # The next poll finds only the broken package, refuses it again, creates nothing.
    again = intake_pull()
    assert (again.listed, again.created, again.refused) == (
        1,
        0,
        [(broken["maHoSo"], "unknown_procedure")],
    )
    assert Dossier.objects.count() == 5


def test_pull_of_a_dossier_already_pushed_marks_it_received(settings, capsys):
    package = sim.package(1)
    sim.queue_add([package])
    pushed = sim.dossier_payload(1, procedure="1.001193")
    pushed["MaHoSo"] = package["maHoSo"]
    assert sim.push([pushed]).by_code == {0: 1}
    call_command("intake_pull")
    assert "created 0" in capsys.readouterr().out
    assert sim.state()["acknowledgements"] == {package["maHoSo"]: 1}
    assert Dossier.objects.count() == 1


def test_pull_with_wrong_credentials_reports_and_stores_nothing(settings):
    from motcua.adapters.national_portal.intake import IntakePullClient

    sim.queue_add([sim.package(1)])
    with IntakePullClient(settings.NATIONAL_PORTAL_INTAKE_PULL_URL, "dongthap", "sai") as client:
        report = intake_pull(client=client)
    assert report.listed == 0 and "HTTP 401" in report.errors[0]
    assert "sai" not in report.errors[0]  # the password is never in a message
    assert Dossier.objects.count() == 0 and sim.state()["undelivered"] == 1


def test_push_mode_task_does_not_poll(settings):
    settings.NATIONAL_PORTAL_INTAKE_MODE = "push"
    sim.queue_add([sim.package(1)])
    assert tasks.intake_pull() is None
    assert sim.state()["undelivered"] == 1 and Dossier.objects.count() == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (SQLite serializes the whole database)",
)
def test_concurrent_duplicates_exist_once_on_postgresql(settings):
    import httpx

    payloads = [sim.dossier_payload(i) for i in range(1, 6)]
    answers: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def deliver(payload):
        body = json.dumps(payload, ensure_ascii=False).encode()
        barrier.wait()
        with httpx.Client(timeout=60) as http:
            reply = http.post(
                settings.SIM_INTAKE_TARGET_URL,
                content=body,
                headers=sim.signed_headers(SECRET, body),
            ).json()
        with lock:
            answers.append(reply["error_code"])

    for payload in payloads:
        threads = [threading.Thread(target=deliver, args=(payload,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        barrier.reset()
    assert sorted(answers) == [0] * 5 + [1] * 35
    assert Dossier.objects.count() == 5 and DossierEvent.objects.count() == 5


def test_intake_verifies_the_applicant_in_the_population_database(settings, live_server):
    """As the desk does, the intake looks the applicant up (over HTTP, in the population
    database's simulator): the same number and name verify the dossier; another name, or a
    register that does not answer, leave it not verified and the dossier is taken all the same."""
    from motcua.people.models import RegisterLookup

    settings.POPULATION_DB_URL = live_server.url + "/sim/dancu/tra-cuu"
    known = {**sim.dossier_payload(1), "SoDinhDanh": "087190001234", "ChuHoSo": "Nguyễn Thị Lan"}
    other = {**sim.dossier_payload(2), "SoDinhDanh": "087190001234", "ChuHoSo": "Nguyễn Thị Hoa"}
    assert sim.push([known, other], attempts=1).by_code == {0: 2}
    settings.POPULATION_DB_URL = "http://127.0.0.1:9/tra-cuu"  # nobody answers there
    down = {**sim.dossier_payload(3), "SoDinhDanh": "087085004321", "ChuHoSo": "Trần Văn Hùng"}
    assert sim.push([down], attempts=1).by_code == {0: 1}

    verified = dict(Dossier.objects.values_list("external_code", "applicant_verified_by"))
    assert verified == {
        known["MaHoSo"]: "population_db",
        other["MaHoSo"]: "",
        down["MaHoSo"]: "",
    }
    outcomes = list(RegisterLookup.objects.order_by("pk").values_list("purpose", "outcome"))
    assert outcomes == [("intake", "found"), ("intake", "found"), ("intake", "unavailable")]
