"""A dossier code guessed from many addresses is locked for a while (issue 11 §5): the per-code
window of public tracking, for the page and the API alike."""

from __future__ import annotations

import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

GOOD = "0987654321"


@pytest.fixture
def received(world):
    """A birth registration received at the commune's desk, applicant's phone GOOD."""
    officer = Client()
    officer.force_login(world["commune_officer"])
    body = {
        "procedure": "1.001193",
        "desk": world.tree["osu"].code,
        "applicant": {
            "kind": "citizen",
            "name": "Trần Văn Bình",
            "id_number": "087190009999",
            "phone": GOOD,
            "commune": world.tree["commune"].commune_id,
        },
        "components": [{"name": "Tờ khai", "originals": 1}],
    }
    response = officer.post("/api/v1/dossiers", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def track(code: str, factor: str, address: str):
    client = Client(REMOTE_ADDR=address)
    body = json.dumps({"code": code, "factor": factor})
    return client.post("/api/v1/tracking", body, content_type="application/json")


@pytest.fixture
def guesses(settings):
    cache.clear()
    settings.TRACKING_CODE_GUESSES = 3
    settings.TRACKING_CODE_WINDOW_SECONDS = 600
    yield
    cache.clear()


def test_a_code_guessed_from_many_addresses_is_locked(world, received, guesses):
    code = received["code"]
    wrong = [track(code, f"09000000{n:02d}", f"203.0.113.{n}").status_code for n in range(3)]
    assert wrong == [404, 404, 404]
    # Even the right answer, from a new address, waits for the window to end.
    locked = track(code, GOOD, "198.51.100.1")
    assert locked.status_code == 429
    assert locked.json()["message"] == (
        "Tra cứu sai mã hồ sơ này quá nhiều lần. Vui lòng thử lại sau 10 phút."
    )
    page = Client(REMOTE_ADDR="198.51.100.2").post(
        "/tra-cuu-ho-so/", {"ma": code, "xac_thuc": GOOD}
    )
    assert page.status_code == 429
    assert "quá nhiều lần" in page.content.decode()
    # Other codes are not affected.
    assert track("KHAC-1", GOOD, "198.51.100.3").status_code == 404
    with mock.patch("time.time", return_value=time.time() + 601):
        assert track(code, GOOD, "198.51.100.4").status_code == 200


def test_right_answers_do_not_count(world, received, guesses):
    code = received["code"]
    for n in range(5):
        assert track(code, GOOD, f"203.0.113.{n}").status_code == 200


def test_unknown_codes_lock_alike(world, guesses):
    """The lock says nothing about whether a code exists."""
    assert [track("KHONG-CO", GOOD, f"203.0.113.{n}").status_code for n in range(4)] == [
        404,
        404,
        404,
        429,
    ]
    # Letter case does not open a new window.
    assert track("khong-co", GOOD, "203.0.113.9").status_code == 429
