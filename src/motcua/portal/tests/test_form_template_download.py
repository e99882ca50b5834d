"""GET /thu-tuc/mau/<pk>/: a form template downloads as stored, with a safe file name."""

from __future__ import annotations

import pytest

from motcua.catalog.services import form_template_save

from .conftest import BIRTH_FORM_BYTES

pytestmark = pytest.mark.django_db


def test_downloads_the_bytes_as_an_attachment(client, birth_form):
    response = client.get(f"/thu-tuc/mau/{birth_form.pk}/")
    assert response.status_code == 200
    assert response.content == BIRTH_FORM_BYTES
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Length"] == str(len(BIRTH_FORM_BYTES))
    # RFC 5987 for the Vietnamese name, an ASCII fallback for old clients (RFC 6266).
    assert response["Content-Disposition"] == (
        'attachment; filename="To khai dang ky khai sinh.html"; '
        "filename*=utf-8''T%E1%BB%9D%20khai%20%C4%91%C4%83ng%20k%C3%BD%20khai%20sinh.html"
    )
    # An HTML template must never run as a page of this site.
    assert response["Content-Security-Policy"] == "sandbox"


def test_ascii_file_name_is_plain(client, superuser):
    template = form_template_save(
        actor=superuser,
        code="XD-01",
        name="Đơn đề nghị cấp giấy phép xây dựng",
        file_name="mau-01.docx",
        content=b"PK\x03\x04 docx bytes",
    )
    response = client.get(f"/thu-tuc/mau/{template.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="mau-01.docx"'
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.content == b"PK\x03\x04 docx bytes"


def test_unknown_template_is_not_found(client, db):
    assert client.get("/thu-tuc/mau/999999/").status_code == 404


def test_only_safe_methods(client, birth_form):
    assert client.post(f"/thu-tuc/mau/{birth_form.pk}/").status_code == 405
    assert client.head(f"/thu-tuc/mau/{birth_form.pk}/").status_code == 200
