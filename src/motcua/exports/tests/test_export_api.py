"""/api/v1/exports: ask (202), follow, download; only the owner sees a job. The printed ledger
(GET /api/v1/dossiers/ledger.pdf) sends a long period to the background export."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask(client, world, fmt="xlsx", **params):
    body = {
        "kind": "ledger",
        "format": fmt,
        "params": {
            "agency": world.tree["osu"].pk,
            "start": "2026-03-01",
            "end": "2026-03-31",
            **params,
        },
    }
    return client.post("/api/v1/exports", json.dumps(body), content_type="application/json")


def test_create_follow_and_download(world, three, django_capture_on_commit_callbacks):
    client = client_for(world["commune_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, world)
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["status_url"] == f"/api/v1/exports/{created['id']}"

    status = client.get(created["status_url"]).json()
    assert status["status"] == "done" and status["percent"] == 100
    assert (status["rows_done"], status["rows_total"]) == (3, 3)
    assert status["download_url"] == f"/api/v1/exports/{created['id']}/file"

    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert "so-theo-doi-2026-03-01-2026-03-31.xlsx" in download["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 3 + 3  # title, period, header, three dossiers

    listed = client.get("/api/v1/exports").json()
    assert [j["id"] for j in listed] == [created["id"]]


def test_a_queued_job_has_no_download_yet(world, three, django_capture_on_commit_callbacks):
    client = client_for(world["commune_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        created = ask(client, world, fmt="pdf").json()
    assert created["status"] == "queued" and created["download_url"] is None
    response = client.get(f"/api/v1/exports/{created['id']}/file")
    assert response.status_code == 409


def test_another_official_sees_nothing_of_it(world, three, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = ask(client_for(world["commune_officer"]), world).json()["id"]
    # Other receiving officers (the same-desk colleague: test_export_pages).
    for someone in (world["commune2_officer"], world["desk_officer"]):
        other = client_for(someone)
        assert other.get(f"/api/v1/exports/{job_id}").status_code == 404
        assert other.get(f"/api/v1/exports/{job_id}/file").status_code == 404
        assert other.get("/api/v1/exports").json() == []


def test_refused_for_a_desk_one_does_not_receive_at(world, three):
    response = ask(client_for(world["commune2_officer"]), world)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert not ExportJob.objects.exists()


def test_refused_without_a_session(world):
    assert ask(Client(), world).status_code == 401
    assert not ExportJob.objects.exists()


def test_bad_period_is_422_and_stores_nothing(world):
    response = ask(client_for(world["commune_officer"]), world, end="2026-07-01")
    assert response.status_code == 422
    assert "end" in response.json()["errors"]
    assert not ExportJob.objects.exists()


def ledger_url(world, end: str) -> str:
    desk = world.tree["osu"].pk
    return f"/api/v1/dossiers/ledger.pdf?agency={desk}&start=2026-03-01&end={end}"


def test_printed_ledger_points_a_long_period_to_the_background_export(world, three, monkeypatch):
    from motcua.dossiers import api as dossiers_api

    monkeypatch.setattr(dossiers_api, "LEDGER_MAX_DOSSIERS", 2)
    client = client_for(world["commune_officer"])
    url = ledger_url(world, "2026-03-31")
    response = client.get(url)
    assert response.status_code == 422
    message = response.json()["message"]
    assert "3" in message and "/api/v1/exports" in message and "nền" in message
    monkeypatch.setattr(dossiers_api, "LEDGER_MAX_DOSSIERS", 3)
    printed = client.get(url)
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")


def test_printed_ledger_checks_the_permission_before_the_period(world):
    client = client_for(world["commune2_officer"])
    url = ledger_url(world, "2026-09-30")
    assert client.get(url).status_code == 403


def test_the_work_desk_list_is_exported_with_its_filters(
    world, three, django_capture_on_commit_callbacks
):
    """kind "worklist": the desk's list as `GET /api/v1/dossiers` filters it, to .xlsx."""
    from motcua.dossiers.services import dossier_act

    client = client_for(world["commune_chair"])
    # One of the three moves on: only two stay at their first step.
    d = three[0]
    dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        note="",
    )
    listed = client.get("/api/v1/dossiers", {"procedure": world.birth.code}).json()
    body = {"kind": "worklist", "params": {"procedure": world.birth.code, "tab": "late"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports", json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["kind"] == "worklist" and created["format"] == "xlsx"
    job = ExportJob.objects.get(pk=created["id"])
    assert job.params == {"the": "qua-han", "thu_tuc": world.birth.code}
    status = client.get(created["status_url"]).json()
    assert status["status"] == "done", status
    late = client.get("/api/v1/dossiers", {"procedure": world.birth.code, "tab": "late"}).json()
    assert status["rows_total"] == late["count"] and late["count"] <= listed["count"]
    sheet = load_workbook(
        io.BytesIO(b"".join(client.get(status["download_url"]).streaming_content))
    ).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        i["code"] for i in late["items"]
    ]


def test_the_worklist_export_refuses_bad_filters_and_other_formats(world):
    client = client_for(world["commune_chair"])
    for body in (
        {"kind": "worklist", "format": "pdf"},
        {"kind": "worklist", "params": {"tab": "everything"}},
        {"kind": "worklist", "params": {"due_from": "not a day"}},
        {"kind": "nothing"},
    ):
        response = client.post("/api/v1/exports", json.dumps(body), content_type="application/json")
        assert response.status_code == 422, (body, response.content)
    assert ExportJob.objects.count() == 0
    # Without a session, nothing.
    response = Client().post(
        "/api/v1/exports", json.dumps({"kind": "worklist"}), content_type="application/json"
    )
    assert response.status_code == 401
