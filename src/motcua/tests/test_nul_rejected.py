"""A NUL character (\\x00) anywhere in a request is refused before it reaches a query.

PostgreSQL cannot store or compare text holding NUL: each of these was a 500 there (schemathesis,
issue 11 §5), also for anonymous callers. The API answers 422 naming the field; pages 400.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db

MESSAGE = "Văn bản không được chứa ký tự NUL (\\x00)."


def assert_refused(response, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response.json() == {
        "code": "invalid",
        "message": "Yêu cầu có lỗi.",
        "errors": {field: [MESSAGE]},
    }


def test_catalog_search_refuses_nul_in_the_query(client):
    assert_refused(client.get("/api/v1/catalog/procedures", {"q": "khai\x00sinh"}), "q")


def test_territory_search_refuses_nul(client):
    assert_refused(client.get("/api/v1/territory/search", {"q": "\x00"}), "q")


def test_path_value_with_nul_is_refused(client):
    assert_refused(client.get("/api/v1/catalog/procedures/1.001193%00"), "path")


def test_public_tracking_refuses_nul_in_the_json_body(client):
    response = client.post(
        "/api/v1/tracking",
        json.dumps({"code": "H20-260105-0001\x00", "factor": "0912345678"}),
        content_type="application/json",
    )

    assert_refused(response, "code")


def test_nul_deep_in_a_json_body_is_named_by_its_path(client, superuser):
    client.force_login(superuser)
    body = {
        "procedure": "1.001193",
        "applicant": {"name": "Trần\x00Bình", "id_number": "087190009999"},
        "components": [],
    }

    response = client.post("/api/v1/dossiers", json.dumps(body), content_type="application/json")

    assert_refused(response, "applicant.name")


def test_an_escaped_backslash_before_u0000_is_no_nul(client):
    # The JSON text "\\u0000" is a backslash followed by "u0000": six characters, no NUL.
    response = client.post(
        "/api/v1/tracking",
        '{"code": "\\\\u0000", "factor": "0912345678"}',
        content_type="application/json",
    )

    assert response.status_code == 404


def test_multipart_field_with_nul_is_refused(client, superuser):
    client.force_login(superuser)
    upload = SimpleUploadedFile("mau.pdf", b"%PDF-1.4", content_type="application/pdf")

    response = client.post(
        "/api/v1/catalog/form-templates", {"code": "TK\x0001", "name": "Tờ khai", "file": upload}
    )

    assert_refused(response, "code")


def test_session_cookie_with_nul_is_refused(client):
    client.cookies["sessionid"] = "abcdefgh\x00"

    assert_refused(client.get("/api/v1/me"), "cookie")


def test_citizen_search_page_answers_400_not_500(client):
    response = client.get("/thu-tuc/", {"q": "khai\x00sinh"})

    assert response.status_code == 400
    assert response.content.decode() == MESSAGE


def test_login_form_post_with_nul_answers_400(client):
    response = client.post("/dang-nhap/", {"username": "admin\x00", "password": "x"})

    assert response.status_code == 400


def test_text_without_nul_passes(client):
    response = client.get("/api/v1/catalog/procedures", {"q": "khai sinh"})

    assert response.status_code == 200
