import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_reports_pending_migrations(client, settings):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    # The app's latest migration: a deploy that has not run it yet.
    (latest,) = MigrationLoader(connection).graph.leaf_nodes("core")
    recorder = MigrationRecorder(connection)
    recorder.record_unapplied(*latest)
    try:
        response = client.get("/readyz")
    finally:
        recorder.record_applied(*latest)
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 pending"


def test_one_json_log_line_per_request(client, caplog):
    from motcua.core.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="motcua.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="req-123")
    records = [r for r in caplog.records if r.name == "motcua.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["request_id"] == "req-123"
    assert isinstance(line["duration_ms"], float)
    assert response["X-Request-ID"] == "req-123"


def test_home_page_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert "Hệ thống thông tin giải quyết thủ tục hành chính" in response.content.decode()


def test_home_page_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert "Provincial administrative-procedure settlement information system" in (
        response.content.decode()
    )
