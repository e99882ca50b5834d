"""The national portal's intake keeps the files it checks as the new dossier's papers, inline
and by address, in the same transaction as the dossier: a dossier refused for a bad file keeps
nothing, and the portal's bad files are refused by the same content checks as the desk's."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from motcua.demo.services import demo_setup
from motcua.documents.constants import DocumentKind, Source
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.simulators.national_portal.files import file_put, files_reset
from motcua.simulators.national_portal.intake import SAMPLE_PDF, dossier_payload, signed_headers

from . import files
from .conftest import stored_files

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/dvcqg"
SECRET = "test-intake-secret"


@pytest.fixture(autouse=True)
def portal(roles, settings, live_server):
    settings.NATIONAL_PORTAL_INTAKE_SECRET = SECRET
    settings.NATIONAL_PORTAL_INTAKE_MODE = "push"
    settings.NATIONAL_PORTAL_FILE_FETCH = "proxy"
    settings.NATIONAL_PORTAL_FILE_PROXY_URL = (
        live_server.url + "/sim/dvcqg/KetNoiMotCuaQuocGia/getfile"
    )
    settings.NATIONAL_PORTAL_FILE_HOSTS = [urlsplit(live_server.url).netloc]
    demo_setup()
    files_reset()
    yield
    files_reset()


def post(body):
    data = json.dumps(body, ensure_ascii=False).encode()
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers(SECRET, data).items()
    }
    extra.pop("HTTP_CONTENT_TYPE", None)
    response = Client().post(URL, data, content_type="application/json", **extra)
    return response, response.json()


def payload(n: int) -> dict:
    body = dossier_payload(n, procedure="2.001610")
    body["DiaChi"]["MaXa"] = 28261
    return body


def test_inline_and_addressed_files_become_the_components_papers(live_server, settings):
    body = payload(1)
    form = files.pdf(2, "don")
    body["URLTepDangKy"] = file_put(form, "don.pdf", base_url=live_server.url)
    body["TenTepDangKy"] = "don-dang-ky.pdf"
    response, answer = post(body)
    assert response.status_code == 200 and answer["outcome"] == "created", answer
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    papers = {doc.original_name: doc for doc in Document.objects.filter(dossier=d)}
    assert set(papers) == set(d.components.values_list("file_name", flat=True))
    addressed = papers["don-dang-ky.pdf"]
    assert (addressed.size, addressed.page_count, addressed.source) == (
        len(form),
        2,
        Source.NATIONAL_PORTAL,
    )
    inline = next(doc for name, doc in papers.items() if name != "don-dang-ky.pdf")
    assert inline.size == len(SAMPLE_PDF) and inline.kind == DocumentKind.COMPONENT
    assert inline.component.file_sha256 == inline.sha256
    assert (inline.owner_number, inline.uploaded_by.username) == (body["SoDinhDanh"], "dvcqg")
    assert len(stored_files(settings)) == 2


@pytest.mark.parametrize(
    ("content", "status", "reason"),
    [
        (files.encrypted_pdf(), 422, "file_refused"),
        (b"%PDF-1.4 not really", 422, "file_refused"),
        (files.png_bomb(), 422, "file_refused"),
        (files.office("docx"), 422, "file_type"),  # the portal hands over scans only
    ],
)
def test_bad_files_from_the_portal_are_refused_and_nothing_kept(settings, content, status, reason):
    body = payload(2)
    body["TaiLieuNop"][0]["Base64"] = base64.b64encode(content).decode()
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (status, reason), answer
    assert not Dossier.objects.filter(external_code=body["MaHoSo"]).exists()
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_a_virus_from_the_portal_is_refused_and_a_silent_antivirus_asks_for_later(settings, clamd):
    body = payload(3)
    body["TaiLieuNop"][0]["Base64"] = base64.b64encode(files.pdf() + files.EICAR).decode()
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (422, "file_refused")
    assert "Eicar" in answer["message"]
    clamd.down = True
    body["TaiLieuNop"][0]["Base64"] = base64.b64encode(files.pdf()).decode()
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (503, "file_unavailable")
    assert Document.objects.count() == 0 and not Dossier.objects.exists()


def test_a_dossier_that_fails_after_the_files_keeps_no_paper(settings):
    body = payload(4)
    body["MaTTHC"] = "2.000986"  # offered at the desk only: refused by dossier_submit
    _response, answer = post(body)
    assert answer["reason"] == "not_online"
    assert Document.objects.count() == 0
