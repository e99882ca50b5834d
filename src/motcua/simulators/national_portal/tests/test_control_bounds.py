"""The simulator's control endpoint (issue 11 §5): absent when simulators are off, bounded when
on (request size, what the switch stores, how many requests it holds back)."""

from __future__ import annotations

import threading
import time

import pytest

from motcua.simulators.national_portal import views

BASE = "/sim/dvcqg"
CONTROL = f"{BASE}/_control"
CATALOG = f"{BASE}/api/v1/submitting/formality/list-all-public-formality-by-citizen"


@pytest.fixture(autouse=True)
def switch_off():
    views.failure_set(None)
    yield
    views.failure_set(None)


TOKEN = "sim-control-token"


@pytest.fixture(autouse=True)
def control_token(settings):
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN


def post(client, url, body):
    return client.post(url, body, content_type="application/json", HTTP_X_SIM_TOKEN=TOKEN)


def test_everything_answers_404_when_simulators_are_off(client, settings):
    settings.SIMULATORS_ENABLED = False
    assert post(client, CONTROL, {"fail": "500"}).status_code == 404
    assert views.failure_get()["fail"] is None
    assert post(client, CATALOG, {"limit": 1}).status_code == 404


def test_a_large_control_body_is_refused_unread(client):
    response = client.post(
        CONTROL,
        b'{"fail": "500", "pad": "' + b"x" * 4096 + b'"}',
        content_type="application/json",
        HTTP_X_SIM_TOKEN=TOKEN,
    )
    assert response.status_code == 413
    assert views.failure_get()["fail"] is None


def test_the_switch_stores_only_its_two_settings(client):
    response = post(client, CONTROL, {"fail": "500", "note": "anything"})
    assert response.status_code == 400
    assert views.failure_get() == {"fail": None, "delay": views.DEFAULT_TIMEOUT_DELAY}
    ok = post(client, CONTROL, {"fail": "500", "delay": 1})
    assert ok.status_code == 200 and set(ok.json()) == {"fail", "delay"}


def test_at_most_max_held_requests_are_held_back():
    views.failure_set("timeout", 30)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(views._hold_back(30)))
        for _ in range(views.MAX_HELD)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while views._held < views.MAX_HELD and time.monotonic() < deadline:
        time.sleep(0.01)
    assert views._held == views.MAX_HELD
    started = time.monotonic()
    assert views._hold_back(30) is False  # the next one is not held
    assert time.monotonic() - started < 1
    views.failure_set(None)  # releases the held ones
    for thread in threads:
        thread.join(timeout=10)
    assert results == [True] * views.MAX_HELD and views._held == 0


def test_an_endpoint_answers_503_when_too_many_are_held(client):
    views.failure_set("timeout", 30)
    with views._switch_changed:
        views._held = views.MAX_HELD  # as if MAX_HELD requests were waiting
    try:
        started = time.monotonic()
        response = post(client, CATALOG, {"limit": 1})
        assert response.status_code == 503
        assert time.monotonic() - started < 5
    finally:
        with views._switch_changed:
            views._held = 0


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_the_switches_answer_only_the_control_token(client, settings, token):
    from motcua.simulators.national_portal import intake

    headers = {} if token is None else {"HTTP_X_SIM_TOKEN": token}
    queued = intake.state()["queued"]
    for url, body in [(CONTROL, {"fail": "500"}), (f"{BASE}/_intake/queue", {"count": 3})]:
        response = client.post(url, body, content_type="application/json", **headers)
        assert response.status_code == 403, url
    assert views.failure_get()["fail"] is None
    assert intake.state()["queued"] == queued


def test_with_no_token_configured_nobody_may_flip_a_switch(client, settings):
    settings.SIMULATOR_CONTROL_TOKEN = ""
    response = client.post(CONTROL, {"fail": "500"}, content_type="application/json")
    assert response.status_code == 403
    assert views.failure_get()["fail"] is None
