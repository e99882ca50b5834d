"""/api/v1/documents: list, upload (multipart), replace, digitize — the services the pages
call, under the same rule, with refusals as the API's error body."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.models import Document

from . import files
from .conftest import stored_files

pytestmark = pytest.mark.django_db
BASE = "/api/v1/documents"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_upload_list_replace_and_digitize(world, dossier):
    officer = client_for(world["commune_officer"])
    component = dossier.components.order_by("order").first()
    created = officer.post(
        BASE,
        {
            "dossier_id": dossier.pk,
            "component_id": component.pk,
            "file": upload("a.pdf", files.pdf()),
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["version"], body["component_id"], body["content_type"]) == (
        1,
        component.pk,
        "application/pdf",
    )
    replaced = officer.post(
        f"{BASE}/{body['id']}/replace", {"file": upload("b.pdf", files.pdf(2, "b"))}
    )
    assert replaced.status_code == 201
    new = replaced.json()
    assert (new["version"], new["replaces_id"], new["page_count"]) == (2, body["id"], 2)
    again = officer.post(f"{BASE}/{body['id']}/replace", {"file": upload("c.pdf", files.pdf())})
    assert again.status_code == 409 and again.json()["code"] == "stale"
    digitized = officer.post(
        f"{BASE}/{new['id']}/digitize",
        {"document_type": "giay_khai_sinh", "number": "12/2026", "issued_on": "2026-01-02"},
        content_type="application/json",
    )
    assert digitized.status_code == 200, digitized.json()
    assert digitized.json()["digitized"] and digitized.json()["digitized_by"] == "tn.xa"
    listing = officer.get(BASE, {"dossier_id": dossier.pk}).json()
    assert [(d["version"], d["is_current"]) for d in listing] == [(1, False), (2, True)]


def test_a_bad_upload_answers_422_with_its_reason_and_stores_nothing(world, dossier, settings):
    officer = client_for(world["commune_officer"])
    response = officer.post(
        BASE, {"dossier_id": dossier.pk, "file": upload("a.pdf", files.encrypted_pdf())}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "file_encrypted" and "a.pdf" in body["errors"]["file"][0]
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_digitize_refuses_a_type_outside_the_list(world, dossier):
    officer = client_for(world["commune_officer"])
    created = officer.post(BASE, {"dossier_id": dossier.pk, "file": upload("a.pdf", files.pdf())})
    response = officer.post(
        f"{BASE}/{created.json()['id']}/digitize",
        {"document_type": "so_ho_khau"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "document_type" in response.json()["errors"]


def test_outsiders_cannot_upload_and_a_foreign_component_is_refused(world, dossier):
    from .conftest import receive

    outsider = client_for(world["commune2_officer"])
    response = outsider.post(BASE, {"dossier_id": dossier.pk, "file": upload("a.pdf", files.pdf())})
    assert response.status_code == 404
    leader = client_for(world["commune_chair"])
    response = leader.post(BASE, {"dossier_id": dossier.pk, "file": upload("a.pdf", files.pdf())})
    assert response.status_code == 403
    other = receive(world)
    officer = client_for(world["commune_officer"])
    response = officer.post(
        BASE,
        {
            "dossier_id": dossier.pk,
            "component_id": other.components.first().pk,
            "file": upload("a.pdf", files.pdf()),
        },
    )
    assert response.status_code == 422 and "component_id" in response.json()["errors"]
    assert Document.objects.count() == 0
