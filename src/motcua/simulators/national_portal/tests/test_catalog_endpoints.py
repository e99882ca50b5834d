"""The simulator speaks the national portal's catalog protocol over the real records."""

from __future__ import annotations

import importlib
import time

import pytest

from motcua.simulators.national_portal import records, views

BASE = "/sim/dvcqg"
CATALOG = f"{BASE}/api/v1/submitting/formality/list-all-public-formality-by-citizen"
DETAIL = f"{BASE}/api/v1/configuring/formality/get-formality-by-citizen"
PROVINCES = f"{BASE}/api/v1/configuring/province-vn/list-by-citizen"
CONTROL = f"{BASE}/_control"
BIRTH_ID = "019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7"  # 1.001193, Thủ tục đăng ký khai sinh


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


def catalog_body(**overrides):
    return {"limit": 50, "lastId": "", "q": "", "categoryId": "", "departmentCode": ""} | overrides


def test_catalog_first_page_answers_201_with_items_cursor_and_total(client):
    response = post(client, CATALOG, catalog_body())

    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["message"]) == ("OK", "OK")
    items = body["data"]["items"]
    assert len(items) == 50
    assert body["data"]["total"] == 5670
    assert body["data"]["lastId"] == items[-1]["id"]
    assert items[0] == records.catalog_rows()[0]
    assert set(items[0]) >= {"id", "code", "name", "categories", "departments", "type", "state"}


def test_catalog_pages_follow_the_cursor_newest_first(client):
    first = post(client, CATALOG, catalog_body()).json()["data"]
    second = post(client, CATALOG, catalog_body(lastId=first["lastId"])).json()["data"]

    ids = [row["id"] for row in first["items"] + second["items"]]
    assert len(set(ids)) == 100
    assert ids == sorted(ids, reverse=True)


def test_walking_the_cursor_yields_the_whole_catalog_once(client):
    codes, last_id = [], ""
    while True:
        data = post(client, CATALOG, catalog_body(limit=200, lastId=last_id)).json()["data"]
        codes += [row["code"] for row in data["items"]]
        if len(data["items"]) < 200:
            break
        last_id = data["lastId"]

    assert len(codes) == len(set(codes)) == 5670


def test_catalog_page_size_is_capped(client):
    data = post(client, CATALOG, catalog_body(limit=1000)).json()["data"]

    assert len(data["items"]) == records.MAX_PAGE_LIMIT


def test_keyword_matches_a_code(client):
    data = post(client, CATALOG, catalog_body(q="1.001193")).json()["data"]

    assert [(row["code"], row["id"]) for row in data["items"]] == [("1.001193", BIRTH_ID)]
    assert data["total"] == 1


def test_keyword_matches_a_name_without_diacritics(client):
    data = post(client, CATALOG, catalog_body(q="dang ky khai sinh", limit=200)).json()["data"]

    assert "1.001193" in {row["code"] for row in data["items"]}
    assert data["total"] == len(data["items"])


def test_category_filter(client):
    civil_status = "019d2bbb-69ee-7079-a6b4-536173b5e483"  # Hộ tịch
    data = post(client, CATALOG, catalog_body(categoryId=civil_status, limit=200)).json()["data"]

    assert data["total"] > 0
    assert all(civil_status in row["categoryIds"] for row in data["items"])


@pytest.mark.parametrize(
    "body",
    [catalog_body(limit=0), catalog_body(limit="50"), catalog_body(lastId=5)],
)
def test_catalog_rejects_a_malformed_request(client, body):
    response = post(client, CATALOG, body)

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"
    assert response.json()["data"] is None


def test_department_filter_is_refused_rather_than_ignored(client):
    response = post(client, CATALOG, catalog_body(departmentCode="G15"))

    assert response.status_code == 400


def test_detail_answers_the_captured_record(client):
    response = post(client, DETAIL, {"id": BIRTH_ID})

    assert response.status_code == 201
    assert response.json() == records.detail_record("1.001193")
    data = response.json()["data"]
    assert (data["code"], data["name"]) == ("1.001193", "Thủ tục đăng ký khai sinh")


def test_detail_of_an_unknown_id_is_404_in_the_envelope(client):
    response = post(client, DETAIL, {"id": "00000000-0000-7000-8000-000000000000"})

    assert response.status_code == 404
    assert response.json() == {"code": "NOT_FOUND", "message": "Formality not found.", "data": None}


def test_detail_of_a_catalog_row_without_a_bundled_record_is_404(client):
    row = next(r for r in records.catalog_rows() if records.detail_id_for_code(r["code"]) is None)

    response = post(client, DETAIL, {"id": row["id"]})

    assert response.status_code == 404
    assert "no full record" in response.json()["message"]


def test_detail_needs_an_id(client):
    assert post(client, DETAIL, {"code": "1.001193"}).status_code == 400
    response = client.post(DETAIL, "not json", content_type="application/json")
    assert response.status_code == 400


def test_provinces_lists_the_34(client):
    response = post(client, PROVINCES, {"limit": 100, "lastId": ""})

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["count"] == 34
    assert data["lastId"] == "96"
    assert {"code": "82", "name": "Tỉnh Đồng Tháp"}.items() <= next(
        row for row in data["rows"] if row["code"] == "82"
    ).items()


def test_provinces_page_by_code(client):
    first = post(client, PROVINCES, {"limit": 20, "lastId": ""}).json()["data"]
    rest = post(client, PROVINCES, {"limit": 20, "lastId": first["lastId"]}).json()["data"]

    assert (len(first["rows"]), len(rest["rows"])) == (20, 14)
    assert first["rows"][-1]["code"] < rest["rows"][0]["code"]


@pytest.mark.parametrize("url", [CATALOG, DETAIL, PROVINCES, CONTROL])
def test_endpoints_are_post_only(client, url):
    assert client.get(url).status_code == 405


def test_switch_500_fails_every_portal_endpoint_until_reset(client):
    response = post(client, CONTROL, {"fail": "500"})
    assert response.json() == {"fail": "500", "delay": views.DEFAULT_TIMEOUT_DELAY}

    for url, body in [(CATALOG, catalog_body()), (DETAIL, {"id": BIRTH_ID}), (PROVINCES, {})]:
        response = post(client, url, body)
        assert response.status_code == 500
        assert response.json()["code"] == "INTERNAL_SERVER_ERROR"

    post(client, CONTROL, {"fail": None})
    assert post(client, DETAIL, {"id": BIRTH_ID}).status_code == 201


def test_switch_timeout_delays_the_answer(client):
    post(client, CONTROL, {"fail": "timeout", "delay": 0.3})

    started = time.monotonic()
    response = post(client, DETAIL, {"id": BIRTH_ID})

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 201


def test_switch_rejects_an_unknown_mode(client):
    response = post(client, CONTROL, {"fail": "sometimes"})

    assert response.status_code == 400
    assert views.failure_get()["fail"] is None


def test_nothing_is_mounted_when_simulators_are_disabled(settings):
    from motcua.simulators.national_portal import urls

    settings.SIMULATORS_ENABLED = False
    try:
        assert importlib.reload(urls).urlpatterns == []
    finally:
        settings.SIMULATORS_ENABLED = True
        importlib.reload(urls)
    # catalog 3, switch, dossier sync 7, intake pull 4, queue, files 2, questions control
    assert len(urls.urlpatterns) == 19
