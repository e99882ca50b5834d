"""/api/v1/certifications: certify (multipart), the book's lines, one line, the signed PDF —
the service and selectors the pages use, under the same rule, refusals in the error body."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.certification.models import CertificationEntry
from motcua.documents.models import Document

from .conftest import CCCD, scan_pdf

pytestmark = pytest.mark.django_db
BASE = "/api/v1/certifications"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fields(agency, **extra):
    return {
        "agency_id": agency.pk,
        "requester_name": "Nguyễn Thị An",
        "requester_number": CCCD,
        "document_type": "giay_khai_sinh",
        "original_number": "123/2001",
        "copies": 1,
        "scan": SimpleUploadedFile("ban-chinh.pdf", scan_pdf(3), content_type="application/pdf"),
        **extra,
    }


def test_certify_then_read_the_line_and_the_pdf(tree, certifier):
    api = client_for(certifier)
    created = api.post(BASE, _fields(tree["commune"]))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["number"], body["status"], body["pages"], body["fee_vnd"]) == (
        1,
        "certified",
        3,
        5_000,
    )
    assert body["verification_url"].startswith("https://dichvucong.example.gov.vn/xac-thuc/")
    assert body["document_id"] == Document.objects.get().pk

    assert [e["id"] for e in api.get(BASE).json()] == [body["id"]]
    assert api.get(f"{BASE}/{body['id']}").json()["book"] == body["book"]
    pdf = api.get(f"{BASE}/{body['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_refused_to_who_may_not_certify_and_nothing_stored(tree, desk_officer):
    refused = client_for(desk_officer).post(BASE, _fields(tree["commune"]))
    assert refused.status_code == 403, refused.json()
    assert not CertificationEntry.objects.exists() and not Document.objects.exists()


def test_anonymous_is_refused(tree):
    assert Client().post(BASE, _fields(tree["commune"])).status_code == 401
    assert Client().get(BASE).status_code == 401


def test_a_bad_scan_answers_422_with_the_reason(tree, certifier):
    bad = SimpleUploadedFile("ban-chinh.pdf", b"%PDF-1.7 broken", content_type="application/pdf")
    refused = client_for(certifier).post(BASE, _fields(tree["commune"], scan=bad))
    assert refused.status_code == 422
    assert refused.json()["code"] == "file_malformed" and "scan" in refused.json()["errors"]
    assert not CertificationEntry.objects.exists()


def test_another_communes_line_is_not_found(tree, certifier, make_official):
    entry_id = client_for(certifier).post(BASE, _fields(tree["commune"])).json()["id"]
    other = make_official(
        "chu-tich-xa-2",
        tree["commune2"],
        [("agency_leader", tree["commune2"], False, None, None)],
    )
    api = client_for(other)
    assert api.get(f"{BASE}/{entry_id}").status_code == 404
    assert api.get(f"{BASE}/{entry_id}/pdf").status_code == 404
    assert api.get(BASE).json() == []
