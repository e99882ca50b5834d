"""Every error of the API answers with one body, `{"code", "message", "errors"}`, and the
OpenAPI schema declares it on every operation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def post_json(client: Client, url: str, body) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_invalid_query_value_answers_422_naming_the_parameter(client):
    response = client.get("/api/v1/calendar/days", {"year": "two thousand"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Yêu cầu có lỗi."
    assert body["errors"] == {"year": ["Phải là số nguyên."]}


def test_invalid_body_field_is_named_by_its_path_in_the_body(client, superuser):
    client.force_login(superuser)

    response = post_json(
        client,
        "/api/v1/dossiers",
        {"procedure": "1.001193", "applicant": {"id_number": "087190009999"}, "components": []},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"applicant.name": ["Bắt buộc nhập."]}


def test_anonymous_call_answers_401_with_the_error_body(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"] == "Hãy đăng nhập trước: phần này của API cần phiên làm việc."


def test_write_without_csrf_token_answers_403_with_the_error_body(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)

    response = post_json(client, "/api/v1/agencies", {"kind": "desk", "name": "Quầy 9"})

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_body_that_is_not_json_answers_400_with_the_error_body(client, superuser):
    client.force_login(superuser)

    response = client.post("/api/v1/agencies", "{kind: desk", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


ACK_REF = {"$ref": "#/components/schemas/AckOut"}
# Operations that answer in another system's protocol, errors too: the national portal's
# acknowledgement (§9.2) and the ministries' envelope (§5).
PORTAL_PROTOCOL = {
    "/api/v1/intake/dvcqg": ACK_REF,
    "/api/v1/coordination/{system}/reports": {"$ref": "#/components/schemas/ReportAckOut"},
    "/api/v1/coordination/{system}/dossiers": {"$ref": "#/components/schemas/ReportAckOut"},
}


def test_openapi_declares_the_error_body_on_every_operation(client):
    schema = client.get("/api/v1/openapi.json").json()

    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message"}
    assert set(error["properties"]) == {"code", "message", "errors"}
    operations = [
        (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 80
    for method, path, operation in operations:
        expected = {"404", "422"}
        if operation.get("security"):
            expected |= {"401", "403"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if method != "get":
            expected.add("409")
        for status in expected:
            declared = operation["responses"].get(status)
            assert declared, f"{method.upper()} {path} does not declare {status}"
            # The national portal's intake answers in the portal's acknowledgement protocol
            # (DOMAIN-integration.md §9.2: {"error_code", "message"}), errors too; only a body
            # of another media type is refused before it, like everywhere (415).
            portal = path in PORTAL_PROTOCOL and status != "415"
            body = PORTAL_PROTOCOL[path] if portal else ERROR_REF
            got = declared["content"]["application/json"]["schema"]
            if portal and status in {"413", "422"} and "anyOf" in got:
                # The API's gates (NUL, body size) refuse before the protocol's view reads it.
                assert got["anyOf"] == [body, ERROR_REF], (path, status)
                continue
            assert got == body, (path, status)
