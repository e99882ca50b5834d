"""Public tracking over the API answers its rate limit (429) with the error body, as declared.

It answered an empty text/html 429, which the OpenAPI schema did not mention."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_window():
    cache.clear()
    yield
    cache.clear()


def track(client):
    body = json.dumps({"code": "H20-260105-0001", "factor": "0912345678"})
    return client.post("/api/v1/tracking", body, content_type="application/json")


def test_lookups_over_the_limit_answer_429_with_the_error_body(client, settings):
    settings.TRACKING_RATE_PER_MINUTE = 1
    assert track(client).status_code == 404

    response = track(client)

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "too_many_requests"
    assert body["message"] == "Tra cứu quá nhiều lần. Vui lòng thử lại sau một phút."


def test_openapi_declares_429_on_tracking(client):
    schema = client.get("/api/v1/openapi.json").json()

    declared = schema["paths"]["/api/v1/tracking"]["post"]["responses"]["429"]

    assert declared["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
