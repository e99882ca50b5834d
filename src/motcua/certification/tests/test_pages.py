"""The officials' pages: the form certifies and shows the result, the book lists the agency's
lines and exports them as .xlsx; the menu links there only for who may certify."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from motcua.certification.models import CertificationEntry

from .conftest import CCCD, scan_pdf

pytestmark = pytest.mark.django_db
FORM = "/chung-thuc/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, agency, **extra):
    data = {
        "agency": agency.pk,
        "requester_kind": "person",
        "requester_name": "Nguyễn Thị An",
        "requester_number": CCCD,
        "document_type": "giay_khai_sinh",
        "original_number": "123/2001",
        "issuer": "",
        "issued_on": "",
        "copies": "1",
        "scan": SimpleUploadedFile("ban-chinh.pdf", scan_pdf(1), content_type="application/pdf"),
        **extra,
    }
    return client.post(FORM, data)


def test_certify_from_the_form_shows_the_result_and_the_book(tree, certifier):
    page = client_for(certifier)
    form = page.get(FORM)
    assert form.status_code == 200
    assert "Chứng thực bản sao điện tử" in form.text and 'name="scan"' in form.text
    assert f'href="{FORM}"' in form.text  # the menu link

    done = _post(page, tree["commune"])
    entry = CertificationEntry.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/chung-thuc/{entry.pk}/"
    result = page.get(done["Location"])
    assert f"{entry.number}/{entry.book}" in result.text
    assert f"/chung-thuc/{entry.pk}/ban-sao.pdf" in result.text
    assert f"/xac-thuc/{entry.signed.lookup_key}/" in result.text
    assert page.get(f"/chung-thuc/{entry.pk}/ban-sao.pdf").status_code == 200

    book = page.get("/chung-thuc/so/")
    assert book.status_code == 200 and "Nguyễn Thị An" in book.text
    xlsx = page.get(f"/chung-thuc/so.xlsx?co-quan={tree['commune'].pk}&nam={entry.year}")
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert any(row[2] == entry.number and row[5] == "Nguyễn Thị An" for row in rows), rows
    assert any(row[13] == 2_000 for row in rows)


def test_a_bad_scan_is_said_on_the_form_and_nothing_is_stored(tree, certifier):
    bad = SimpleUploadedFile("ban-chinh.pdf", b"not a pdf", content_type="application/pdf")
    answer = _post(client_for(certifier), tree["commune"], scan=bad)
    assert answer.status_code == 200
    assert "ban-chinh.pdf" in answer.text and "invalid" in answer.text
    assert not CertificationEntry.objects.exists()


def test_who_may_not_certify_gets_no_form_no_book_no_menu_link(tree, desk_officer):
    page = client_for(desk_officer)
    assert page.get(FORM).status_code == 403
    assert _post(page, tree["commune"]).status_code == 403
    assert page.get("/chung-thuc/so/").status_code == 403
    assert page.get("/chung-thuc/so.xlsx").status_code == 403
    assert f'href="{FORM}"' not in page.get("/ho-so/").text
    assert not CertificationEntry.objects.exists()


def test_anonymous_goes_to_the_login_page(db):
    answer = Client().get(FORM)
    assert answer.status_code == 302 and "/dang-nhap/" in answer["Location"]
