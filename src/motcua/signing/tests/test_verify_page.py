"""The public verification page /xac-thuc/: upload a PDF, or open the QR code's address."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.signing.constants import SignedKind
from motcua.signing.models import SignedDocument
from motcua.signing.services import sign_pdf

from .conftest import blank_pdf

CODE = "000.00.02.H20-261207-0003"


@pytest.fixture
def signed(tree, leader, result_pdf) -> bytes:
    return sign_pdf(
        actor=leader,
        pdf=result_pdf,
        agency=tree["dept"],
        signer=leader,
        reason="Ký kết quả",
        dossier_code=CODE,
        kind=SignedKind.RESULT,
    )


def _post(client, url, data: bytes):
    return client.post(url, {"file": SimpleUploadedFile("kq.pdf", data, "application/pdf")})


def test_page_shows_a_signed_result_as_valid(client, signed):
    assert client.get("/xac-thuc/").status_code == 200
    response = _post(client, "/xac-thuc/", signed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hợp lệ" in page and "Không hợp lệ" not in page
    assert CODE in page and "Nguyễn Văn Bình" in page and "Sở Tư pháp" in page


def test_page_shows_an_unsigned_pdf_as_not_valid(client, db):
    page = _post(client, "/xac-thuc/", blank_pdf()).content.decode()
    assert "Không hợp lệ" in page
    assert "không có chữ ký số" in page


def test_page_refuses_what_is_not_a_pdf_with_a_clear_message(client, db):
    response = _post(client, "/xac-thuc/", b"hello")
    assert response.status_code == 422
    assert "Tệp không phải là văn bản PDF." in response.content.decode()


def test_qr_address_shows_the_registered_document(client, signed):
    key = SignedDocument.objects.get().lookup_key
    response = client.get(f"/xac-thuc/{key}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert CODE in page and "Nguyễn Văn Bình" in page
    assert client.get("/xac-thuc/khong-co/").status_code == 404
