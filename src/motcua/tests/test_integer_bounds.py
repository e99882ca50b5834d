"""Numbers beyond what their column holds (or beyond 64 bits) are refused with 422 while parsing.

Each of these reached the database and answered 500 (schemathesis, issue 11 §5): SQLite cannot
bind an integer beyond 64 bits and PostgreSQL refuses one beyond the column or in OFFSET.
"""

from __future__ import annotations

import json

import pytest

from motcua.catalog.tests.documents import document

pytestmark = pytest.mark.django_db

HUGE = "9" * 30  # beyond 64 bits


@pytest.fixture
def api(client, superuser):
    client.force_login(superuser)
    return client


def post_json(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def invalid_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    return set(response.json()["errors"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/catalog/procedures?page=99999999999999999999",
    ],
)
def test_page_number_beyond_64_bits_is_refused(api, url):
    assert invalid_fields(api.get(url)) == {"page"}


def test_cursor_pages_bound_their_size_and_cursor(api):
    # Lists paged by cursor (dossiers, audit) take no page number at all.
    url = "/api/v1/dossiers"
    assert invalid_fields(api.get(url, {"page_size": 99999999999999999999})) == {"page_size"}
    assert invalid_fields(api.get(url, {"cursor": "x" * 501})) == {"cursor"}


def test_page_past_the_end_is_an_empty_page(client):
    response = client.get("/api/v1/catalog/procedures", {"page": 2**31 - 1})

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_offset_beyond_64_bits_is_refused(api):
    response = api.get("/api/v1/officials", {"offset": 139292377342402132774757538463744})

    assert invalid_fields(response) == {"offset"}


def test_limit_over_the_page_size_is_refused(api):
    # A limit had no maximum: one call could ask for a whole table.
    assert invalid_fields(api.get("/api/v1/audit", {"page_size": 54200})) == {"page_size"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/dossiers/{HUGE}", "dossier_id"),
        (f"/api/v1/dossiers/{HUGE}/history", "dossier_id"),
        (f"/api/v1/agencies/{HUGE}", "agency_id"),
        (f"/api/v1/officials/{HUGE}", "official_id"),
        (f"/api/v1/workflows/{HUGE}", "definition_id"),
        (f"/api/v1/catalog/procedures/1.001193/versions/{HUGE}", "number"),
        (f"/api/v1/territory/communes/{HUGE}", "code"),
    ],
)
def test_path_id_beyond_its_column_is_refused(api, url, field):
    assert invalid_fields(api.get(url)) == {field}


def test_counts_beyond_smallint_are_refused_on_submission(api):
    body = {
        "procedure": "1.001193",
        "applicant": {"name": "Trần Văn Bình", "id_number": "087190009999"},
        "components": [{"name": "Tờ khai", "originals": 10**20, "copies": 40000}],
        "sets": 40000,
    }

    response = post_json(api, "/api/v1/dossiers", body)

    assert invalid_fields(response) == {"components.0.originals", "components.0.copies", "sets"}


def test_version_and_amount_beyond_their_columns_are_refused(api):
    body = {"version": 2**40, "amount_vnd": 2**64, "authority": "Thuế", "notice_number": "1"}

    response = post_json(api, "/api/v1/dossiers/1/payment-request", body)

    assert invalid_fields(response) == {"version", "amount_vnd"}


def test_fee_amount_beyond_bigint_is_refused_in_the_catalog(api):
    content = document(
        fees=[{"kind": "charge", "name": "Lệ phí", "amount_vnd": 2**63, "basis": "TT 85/2019"}]
    )

    response = post_json(api, "/api/v1/catalog/procedures", content)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["fees.0.amount_vnd"]


@pytest.mark.parametrize("ref", ["9" * 5000, "²"])
def test_agency_reference_neither_id_nor_code_is_an_error_on_the_field(client, ref):
    # int() refuses both: more than 4,300 digits, and "²" (which passes str.isdigit()).
    response = client.get("/api/v1/catalog/procedures", {"agency": ref})

    assert invalid_fields(response) == {"agency"}


@pytest.mark.parametrize("query", ["9" * 200, "²"])
def test_unit_search_by_a_number_no_unit_has_finds_nothing(client, query):
    response = client.get("/api/v1/territory/search", {"q": query})

    assert response.status_code == 200
    assert response.json() == []
