"""POST /api/v1/signatures/verify and GET /api/v1/signatures/{key}: public, size- and
rate-limited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.signing.constants import SignedKind
from motcua.signing.models import SignedDocument
from motcua.signing.services import sign_pdf

from .conftest import blank_pdf

CODE = "000.00.02.H20-261207-0002"


@pytest.fixture
def signed(tree, leader, result_pdf) -> bytes:
    # Without a timestamp (no TSA here): the registry and the verification are what's tested.
    return sign_pdf(
        actor=leader,
        pdf=result_pdf,
        agency=tree["dept"],
        signer=leader,
        reason="Ký kết quả",
        dossier_code=CODE,
        kind=SignedKind.RESULT,
    )


def _upload(client, data: bytes, name: str = "ket-qua.pdf"):
    return client.post(
        "/api/v1/signatures/verify", {"file": SimpleUploadedFile(name, data, "application/pdf")}
    )


def test_api_verifies_a_signed_result_for_anyone(client, signed):
    response = _upload(client, signed)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True and body["intact"] and body["trusted"]
    assert body["dossier_code"] == CODE and body["registry_match"] == "exact"
    assert [s["signer_name"] for s in body["signatures"]] == ["Nguyễn Văn Bình", "Sở Tư pháp"]
    assert body["document"]["agency_code"] == "000.00.02.H20"


def test_api_says_an_unsigned_pdf_is_not_valid(client, db):
    body = _upload(client, blank_pdf()).json()
    assert body["valid"] is False and body["signed"] is False
    assert body["problems"]


def test_api_refuses_a_file_that_is_not_a_pdf(client, db):
    response = _upload(client, b"GIF89a not a pdf", "anh.pdf")
    assert response.status_code == 422
    assert response.json()["errors"]["file"] == ["Tệp không phải là văn bản PDF."]


def test_api_refuses_a_file_over_the_limit(client, db, settings):
    settings.SIGNING_VERIFY_MAX_BYTES = 1000
    response = _upload(client, blank_pdf() + b"\n" * 2000)
    assert response.status_code == 422
    assert "1000" not in response.json()["message"]  # said in MB, for people
    assert response.json()["errors"]["file"]


def test_api_limits_verifications_per_address(client, db, settings):
    settings.SIGNING_VERIFY_RATE_PER_MINUTE = 2
    pdf = blank_pdf()
    assert [_upload(client, pdf).status_code for _ in range(3)] == [200, 200, 429]


def test_api_looks_up_the_registry_by_qr_key(client, signed):
    record = SignedDocument.objects.get()
    response = client.get(f"/api/v1/signatures/{record.lookup_key}")
    assert response.status_code == 200
    assert response.json()["dossier_code"] == CODE
    assert response.json()["sha256"] == record.sha256
    assert client.get("/api/v1/signatures/khong-co-khoa-nay").status_code == 404
