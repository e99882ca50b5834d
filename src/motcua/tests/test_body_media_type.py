"""A body of another media type than the operation takes is 415, before anything reads it.

A multipart body on a JSON operation was a 500 with a real session: the CSRF check reads the
form (and with it the body stream), then the JSON parser could no longer read the body
(schemathesis, issue 11 §5). Upload operations keep taking multipart/form-data.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.organizations.models import Agency

pytestmark = pytest.mark.django_db

TOKEN = "k" * 32


@pytest.fixture
def session(superuser) -> Client:
    """A logged-in browser-like client: the CSRF check runs, as it does for real callers."""
    client = Client(enforce_csrf_checks=True, HTTP_X_CSRFTOKEN=TOKEN)
    client.force_login(superuser)
    client.cookies["csrftoken"] = TOKEN
    return client


def assert_415(response, expected_types: str) -> None:
    assert response.status_code == 415, response.content
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert body["message"] == f"Hãy gửi nội dung yêu cầu dạng {expected_types}."


def test_multipart_body_on_a_json_operation_is_415(session, tree):
    response = session.post("/api/v1/agencies", {"kind": "desk", "name": "Quầy 9"})

    assert_415(response, "application/json")
    assert not Agency.objects.filter(name="Quầy 9").exists()


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_other_media_types_on_a_json_operation_are_415(session, content_type):
    response = session.post("/api/v1/agencies", "kind=desk", content_type=content_type)

    assert_415(response, "application/json")


def test_public_tracking_takes_json_only(client):
    response = client.post("/api/v1/tracking", {"code": "H20-260105-0001", "factor": "09"})

    assert_415(response, "application/json")


def test_json_and_json_suffixed_media_types_are_taken(session, tree):
    body = json.dumps({"kind": "desk", "name": "Quầy 9", "parent_id": tree["center"].pk})
    created = session.post("/api/v1/agencies", body, content_type="application/json")
    desk = created.json()["id"]

    patched = session.patch(
        f"/api/v1/agencies/{desk}",
        json.dumps({"short_name": "Q9"}),
        content_type="application/merge-patch+json",
    )

    assert created.status_code == 201, created.content
    assert patched.status_code == 200, patched.content


def test_json_body_on_an_upload_operation_is_415(session):
    body = json.dumps({"code": "TK-01", "name": "Tờ khai"})

    response = session.post("/api/v1/catalog/form-templates", body, content_type="application/json")

    assert_415(response, "multipart/form-data")


def test_upload_operation_still_takes_multipart(session):
    upload = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 x", content_type="application/pdf")

    response = session.post(
        "/api/v1/catalog/form-templates", {"code": "TK-01", "name": "Tờ khai", "file": upload}
    )

    assert response.status_code == 201, response.content


def test_json_body_over_the_limit_is_413(session, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"kind": "desk", "name": "x" * 2000})

    response = session.post("/api/v1/agencies", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
