"""The pages, without JavaScript: the dossier page's "Giấy tờ" section (files per component,
upload, replace, digitize, download links) and a scanned file per component row at reception,
where every file's refusal is shown with the other errors and nothing is saved."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.core.models import AuditEntry
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.tests.test_pages import reception_post
from motcua.portal.tests.dom import Page

from . import files
from .conftest import stored_files

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def text(response) -> str:
    return re.sub(r"\s+", " ", Page(response).text)


def test_the_dossier_page_lists_papers_and_offers_upload_to_officials_who_act(world, dossier):
    officer = client_for(world["commune_officer"])
    component = dossier.components.order_by("order").first()
    response = officer.post(
        f"/giay-to/ho-so/{dossier.pk}/tai-len/",
        {
            "component": component.pk,
            "kind": "component",
            "file": upload("to-khai.pdf", files.pdf(2)),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#giay-to")
    page = officer.get(f"/ho-so/{dossier.pk}/")
    document = Document.objects.get()
    body = text(page)
    assert "Giấy tờ" in body and "to-khai.pdf" in body and document.short_sha in body
    assert "Chưa số hóa" in body
    assert f"/giay-to/{document.pk}/tai-ve/" in page.content.decode()
    assert f"/giay-to/{document.pk}/so-hoa/" in page.content.decode()
    Page(page).assert_controls_labelled()
    # The leader sees the papers, without the forms to change them.
    leader = client_for(world["commune_chair"]).get(f"/ho-so/{dossier.pk}/")
    assert "to-khai.pdf" in text(leader)
    assert f"/giay-to/ho-so/{dossier.pk}/tai-len/" not in leader.content.decode()


def test_a_refused_upload_on_the_page_says_why_and_stores_nothing(world, dossier, settings):
    officer = client_for(world["commune_officer"])
    response = officer.post(
        f"/giay-to/ho-so/{dossier.pk}/tai-len/",
        {"kind": "component", "file": upload("giay.pdf", b"MZ not a pdf")},
        follow=True,
    )
    assert "giay.pdf" in text(response) and "Không lưu gì" in text(response)
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_another_agencys_official_can_neither_upload_nor_see(world, dossier):
    outsider = client_for(world["commune2_officer"])
    response = outsider.post(
        f"/giay-to/ho-so/{dossier.pk}/tai-len/",
        {"kind": "component", "file": upload("a.pdf", files.pdf())},
    )
    assert response.status_code == 404 and Document.objects.count() == 0


def test_replace_and_digitize_from_the_page(world, dossier):
    officer = client_for(world["commune_officer"])
    officer.post(
        f"/giay-to/ho-so/{dossier.pk}/tai-len/",
        {"kind": "component", "file": upload("v1.pdf", files.pdf(note="1"))},
    )
    first = Document.objects.get()
    officer.post(f"/giay-to/{first.pk}/thay-the/", {"file": upload("v2.pdf", files.pdf(note="2"))})
    second = Document.objects.get(is_current=True)
    assert (second.version, second.replaces_id) == (2, first.pk)
    prefix = f"so-hoa-{second.pk}"
    response = officer.post(
        f"/giay-to/{second.pk}/so-hoa/",
        {
            f"{prefix}-document_type": "cccd",
            f"{prefix}-number": "087190001234",
            f"{prefix}-issued_on": "2024-03-01",
            f"{prefix}-issuer": "Cục Cảnh sát QLHC về TTXH",
            f"{prefix}-valid_until": "2049-03-01",
            f"{prefix}-owner_kind": "person",
            f"{prefix}-owner_number": "087190001234",
        },
        follow=True,
    )
    second.refresh_from_db()
    assert second.digitized and second.document_type == "cccd"
    body = text(response)
    assert "Đã số hóa" in body and "v1.pdf" in body  # the earlier version is still listed


def test_a_wrong_digitization_is_refused_with_its_messages(world, dossier):
    officer = client_for(world["commune_officer"])
    officer.post(
        f"/giay-to/ho-so/{dossier.pk}/tai-len/",
        {"kind": "component", "file": upload("v1.pdf", files.pdf())},
    )
    document = Document.objects.get()
    prefix = f"so-hoa-{document.pk}"
    response = officer.post(
        f"/giay-to/{document.pk}/so-hoa/",
        {
            f"{prefix}-document_type": "cccd",
            f"{prefix}-issued_on": "2024-03-01",
            f"{prefix}-valid_until": "2020-03-01",
        },
        follow=True,
    )
    document.refresh_from_db()
    assert not document.digitized
    assert "hết hạn" in text(response)


# Reception --------------------------------------------------------------------------------


def test_reception_keeps_a_scanned_file_per_component(world, settings):
    officer = client_for(world["commune_officer"])
    data = reception_post(world)
    data["tp-0-file"] = upload("to-khai.pdf", files.pdf())
    data["tp-1-file"] = upload("giay-chung-sinh.jpg", files.image("JPEG"))
    response = officer.post("/ho-so/tiep-nhan/", data)
    assert response.status_code == 302, text(response)
    d = Dossier.objects.get(applicant_name="Võ Thị Sáu")
    papers = {doc.original_name: doc for doc in Document.objects.filter(dossier=d)}
    assert set(papers) == {"to-khai.pdf", "giay-chung-sinh.jpg"}
    assert papers["to-khai.pdf"].component.name == "Tờ khai đăng ký khai sinh"
    assert papers["to-khai.pdf"].source == "desk"
    component = papers["giay-chung-sinh.jpg"].component
    assert (component.file_name, component.file_type) == ("giay-chung-sinh.jpg", "image/jpeg")
    assert len(stored_files(settings)) == 2


def test_reception_shows_every_file_error_with_the_others_and_saves_nothing(world, settings):
    officer = client_for(world["commune_officer"])
    audits = AuditEntry.objects.count()
    data = reception_post(world, applicant_name="")
    data["tp-0-file"] = upload("to-khai.pdf", b"MZ this is a program")
    data["tp-1-file"] = upload("giay-chung-sinh.pdf", files.encrypted_pdf())
    response = officer.post("/ho-so/tiep-nhan/", data)
    assert response.status_code == 422
    summary = re.sub(r"\s+", " ", Page(response).select(".error-summary")[0].text)
    assert "to-khai.pdf" in summary and "giay-chung-sinh.pdf" in summary
    assert "mật khẩu" in summary  # the encrypted PDF's message
    assert "Họ" in summary or "tên" in summary.lower()  # the applicant's missing name too
    assert Dossier.objects.count() == 0 and DossierComponent.objects.count() == 0
    assert Document.objects.count() == 0 and stored_files(settings) == []
    assert AuditEntry.objects.count() == audits
