"""NationalCatalogClient over real HTTP against the simulator (live_server), no mocks."""

from __future__ import annotations

import httpx
import pytest

from motcua.adapters.national_portal import (
    NationalCatalogClient,
    NationalPortalError,
    client_from_settings,
)

# live_server answers from another thread, so the test database must be committed to: the
# transactional flush this implies is why these tests need no data of their own.
pytestmark = pytest.mark.django_db(transaction=True)

BIRTH_ID = "019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url + "/sim/dvcqg"


@pytest.fixture
def portal(base_url):
    with NationalCatalogClient(base_url) as client:
        yield client


TOKEN = "sim-control-token"


@pytest.fixture
def switch(base_url, settings):
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    """Flip the simulator's failure switch over HTTP; always switched back off afterwards."""

    def flip(fail: str | None, **extra) -> None:
        response = httpx.post(
            f"{base_url}/_control", json={"fail": fail, **extra}, headers={"X-Sim-Token": TOKEN}
        )
        assert response.status_code == 200, response.text

    yield flip
    flip(None)


def test_gets_one_procedure_by_code(portal):
    data = portal.formality_get("1.001193")

    assert data["id"] == BIRTH_ID
    assert data["name"] == "Thủ tục đăng ký khai sinh"
    assert data["categoriesDetails"][0]["code"] == "G15-TP07"


def test_gets_one_procedure_by_formality_id(portal):
    assert portal.formality_get_by_id(BIRTH_ID)["code"] == "1.001193"


def test_first_page_reports_the_catalog_total(portal):
    page = portal.formality_page(limit=50)

    assert page.total == 5670
    assert len(page.rows) == 50
    assert page.last_id == page.rows[-1]["id"]


def test_pages_through_the_whole_catalog(portal):
    codes = [row["code"] for row in portal.formality_iter(limit=200)]

    assert len(codes) == len(set(codes)) == 5670


def test_keyword_narrows_the_catalog(portal):
    rows = list(portal.formality_iter(keyword="khai sinh"))

    assert "1.001193" in {row["code"] for row in rows}
    assert len(rows) == portal.formality_page(keyword="khai sinh").total


def test_lists_the_34_provinces(portal):
    provinces = portal.provinces()

    assert len(provinces) == 34
    assert {"code": "82", "name": "Tỉnh Đồng Tháp"}.items() <= next(
        row for row in provinces if row["code"] == "82"
    ).items()


def test_unknown_code_is_a_permanent_error(portal):
    with pytest.raises(NationalPortalError) as caught:
        portal.formality_get("9.999999")

    assert caught.value.permanent is True
    assert "9.999999" in caught.value.message


def test_unknown_formality_id_is_a_permanent_404(portal):
    with pytest.raises(NationalPortalError) as caught:
        portal.formality_get_by_id("00000000-0000-7000-8000-000000000000")

    assert (caught.value.permanent, caught.value.status) == (True, 404)


def test_malformed_code_is_refused_before_any_request(portal):
    with pytest.raises(NationalPortalError) as caught:
        portal.formality_get("khai sinh")

    assert caught.value.permanent is True
    assert caught.value.status is None


def test_server_error_is_retryable(portal, switch):
    switch("500")

    with pytest.raises(NationalPortalError) as caught:
        portal.formality_get("1.001193")

    assert (caught.value.permanent, caught.value.status) == (False, 500)


def test_portal_answers_again_once_the_switch_is_reset(portal, switch):
    switch("500")
    with pytest.raises(NationalPortalError):
        portal.provinces()

    switch(None)

    assert len(portal.provinces()) == 34


def test_timeout_is_retryable(base_url, switch):
    switch("timeout", delay=2)

    with (
        NationalCatalogClient(base_url, timeout=0.3) as impatient,
        pytest.raises(NationalPortalError) as caught,
    ):
        impatient.formality_get_by_id(BIRTH_ID)

    assert caught.value.permanent is False
    assert "Timed out" in caught.value.message


def test_unreachable_portal_is_retryable():
    # Port 9 (discard) has no listener here: the connection is refused at once.
    with (
        NationalCatalogClient("http://127.0.0.1:9/sim/dvcqg", timeout=2) as nowhere,
        pytest.raises(NationalPortalError) as caught,
    ):
        nowhere.provinces()

    assert caught.value.permanent is False


def test_client_from_settings_reaches_the_configured_portal(base_url, settings):
    settings.NATIONAL_PORTAL_URL = base_url

    with client_from_settings() as portal:
        assert portal.formality_get("1.001193")["code"] == "1.001193"
