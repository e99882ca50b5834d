"""No text, list or body the API takes is endless, and none is longer than its column.

A text longer than its varchar column was a 500 on PostgreSQL (SQLite stored it whole); an API
search of thousands of words built a query of thousands of conditions (a 500 on SQLite, minutes
of work on PostgreSQL); lists had no bound at all (issue 11 §5, worker timeouts).
"""

from __future__ import annotations

import json

import pytest

from motcua.catalog.tests.documents import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, superuser):
    client.force_login(superuser)
    return client


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def assert_invalid(response, errors: dict[str, list[str]]) -> None:
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == errors


def test_agency_name_longer_than_its_column_is_422(api, tree):
    body = {"kind": "desk", "name": "Q" * 256, "parent_id": tree["center"].pk}

    response = send(api, "post", "/api/v1/agencies", body)

    assert_invalid(response, {"name": ["Tối đa 255 ký tự."]})


def test_official_position_longer_than_its_column_is_422(api, tree, make_official):
    official = make_official("cv.dai", tree["dept"])

    response = send(api, "patch", f"/api/v1/officials/{official.pk}", {"position": "x" * 151})

    assert_invalid(response, {"position": ["Tối đa 150 ký tự."]})


def test_applicant_and_component_texts_are_bounded_by_their_columns(api):
    body = {
        "procedure": "1.001193",
        "applicant": {"name": "B" * 256, "id_number": "087190009999", "address": "a" * 501},
        "components": [{"name": "Tờ khai", "file_name": "f" * 256}],
        "external_code": "G" * 61,
    }

    response = send(api, "post", "/api/v1/dossiers", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "applicant.name",
        "applicant.address",
        "components.0.file_name",
        "external_code",
    }


def test_delegation_basis_longer_than_its_column_is_422(api, tree, fields_and_procedures):
    body = {"mode": "agency", "agency": tree["dept"].code, "delegation_basis": "Q" * 256}

    response = send(api, "put", "/api/v1/catalog/procedures/1.001193/competence", body)

    assert_invalid(response, {"delegation_basis": ["Tối đa 255 ký tự."]})


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/catalog/procedures", "q"),
        ("/api/v1/territory/search", "q"),
        ("/api/v1/dossiers", "q"),
        ("/api/v1/agencies", "q"),
    ],
)
def test_search_queries_are_kept_to_a_sentence(api, url, field):
    assert_invalid(api.get(url, {field: "a" * 201}), {field: ["Tối đa 200 ký tự."]})


@pytest.mark.parametrize(
    ("method", "url", "body", "field", "most"),
    [
        (
            "post",
            "/api/v1/dossiers/1/refuse",
            {"version": 1, "reasons": ["x"] * 101},
            "reasons",
            100,
        ),
        ("post", "/api/v1/catalog/imports/national", {"codes": ["1.001193"] * 21}, "codes", 20),
        (
            "post",
            "/api/v1/dossiers",
            {
                "procedure": "1.001193",
                "applicant": {"name": "B", "id_number": "087190009999"},
                "components": [{"name": "Tờ khai"}] * 1001,
            },
            "components",
            1000,
        ),
    ],
)
def test_lists_are_bounded(api, method, url, body, field, most):
    assert_invalid(send(api, method, url, body), {field: [f"Tối đa {most} mục."]})


def test_procedure_content_lists_are_bounded(api):
    content = document(legal_bases=[{"number": f"{i}/2025/NĐ-CP"} for i in range(1001)])

    response = send(api, "post", "/api/v1/catalog/procedures", content)

    assert_invalid(response, {"legal_bases": ["Tối đa 1000 mục."]})


def test_openapi_shows_the_bounds(client):
    schema = client.get("/api/v1/openapi.json").json()
    agency = schema["components"]["schemas"]["AgencyIn"]["properties"]
    search = next(
        p
        for p in schema["paths"]["/api/v1/catalog/procedures"]["get"]["parameters"]
        if p["name"] == "q"
    )

    assert agency["name"]["maxLength"] == 255
    assert agency["phone"]["maxLength"] == 20
    assert search["schema"]["maxLength"] == 200
