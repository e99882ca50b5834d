"""Intake files handed over by address (issue 13, DOMAIN-integration.md §9.2 "Files by URL"):
fetched from the national portal's simulator over real HTTP, through its file proxy (TDDVC's
way, the default) or directly (OCPS's), from allowed hosts only, and checked by content like
inline files; a portal that cannot give a file now gets 503 and nothing is stored."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client

from motcua.demo.services import demo_setup
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.outbox.models import OutboxEvent
from motcua.simulators.national_portal.files import file_put, files_reset
from motcua.simulators.national_portal.intake import (
    SAMPLE_PDF,
    dossier_payload,
    minimal_pdf,
    signed_headers,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/dvcqg"
SECRET = "test-intake-secret"
TOKEN = "test-sim-token"


@pytest.fixture(autouse=True)
def portal(roles, settings, live_server):
    settings.NATIONAL_PORTAL_INTAKE_SECRET = SECRET
    settings.NATIONAL_PORTAL_INTAKE_MODE = "push"
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    base = live_server.url + "/sim/dvcqg"
    settings.NATIONAL_PORTAL_FILE_FETCH = "proxy"
    settings.NATIONAL_PORTAL_FILE_PROXY_URL = base + "/KetNoiMotCuaQuocGia/getfile"
    settings.NATIONAL_PORTAL_FILE_HOSTS = [urlsplit(live_server.url).netloc]
    demo_setup()
    files_reset()
    yield base
    faults(base)
    files_reset()


def faults(base: str, **config) -> None:
    response = httpx.post(base + "/_faults", json=config, headers={"X-Sim-Token": TOKEN})
    assert response.status_code == 200, response.text


def post(body):
    data = json.dumps(body, ensure_ascii=False).encode()
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers(SECRET, data).items()
    }
    extra.pop("HTTP_CONTENT_TYPE", None)
    response = Client().post(URL, data, content_type="application/json", **extra)
    return response, response.json()


def stored() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        OutboxEvent.objects.count(),
        DossierComponent.objects.count(),
    )


def by_address(n: int, live_server, content: bytes = SAMPLE_PDF, name: str = "to-khai.pdf"):
    body = dossier_payload(n, procedure="2.001610")
    body["DiaChi"]["MaXa"] = 28261
    item = body["TaiLieuNop"][0]
    item.pop("Base64")
    item["TenTepDinhKem"] = name
    item["DuongDan"] = file_put(content, name, base_url=live_server.url)
    return body


@pytest.mark.parametrize("mode", ["proxy", "direct"])
def test_a_file_by_address_is_fetched_checked_and_recorded(settings, live_server, mode):
    settings.NATIONAL_PORTAL_FILE_FETCH = mode
    body = by_address(1, live_server)
    form = minimal_pdf(note="don")
    body["URLTepDangKy"] = file_put(form, "don.pdf", base_url=live_server.url)
    body["TenTepDangKy"] = "don-dang-ky.pdf"
    response, answer = post(body)
    assert response.status_code == 200, answer
    assert answer["outcome"] == "created"
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    assert d.status == Status.SUBMITTED
    files = {c.file_name: c for c in d.components.all()}
    assert set(files) == {"to-khai.pdf", "don-dang-ky.pdf"}
    assert files["to-khai.pdf"].file_size == len(SAMPLE_PDF)
    assert files["to-khai.pdf"].file_type == "application/pdf"
    assert files["don-dang-ky.pdf"].file_size == len(form)


def test_an_address_on_another_host_is_refused_without_being_fetched(live_server):
    before = stored()
    body = by_address(2, live_server)
    # The same file, reached through another name of the host: not on the allow-list.
    body["TaiLieuNop"][0]["DuongDan"] = (
        body["TaiLieuNop"][0]["DuongDan"]
        .replace("localhost", "127.0.0.1")
        .replace("//127.0.0.1", "//127.0.0.2")
    )
    for address in (body["TaiLieuNop"][0]["DuongDan"], "file:///etc/passwd", "gopher://x/1"):
        body["TaiLieuNop"][0]["DuongDan"] = address
        response, answer = post(body)
        assert (response.status_code, answer["reason"]) == (422, "file_address_refused")
    assert stored() == before


@pytest.mark.parametrize("mode", ["proxy", "direct"])
def test_a_file_the_portal_does_not_have_is_refused(settings, live_server, mode):
    settings.NATIONAL_PORTAL_FILE_FETCH = mode
    before = stored()
    body = by_address(3, live_server)
    files_reset()
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (422, "file_unavailable")
    assert answer["error_code"] == -1 and "to-khai.pdf" in answer["message"]
    assert stored() == before


def test_a_fetched_file_gets_the_same_checks_as_an_inline_one(settings, live_server):
    settings.NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES = 4096
    before = stored()
    response, answer = post(by_address(4, live_server, content=b"MZ\x90\x00exe", name="a.pdf"))
    assert (response.status_code, answer["reason"]) == (422, "file_type")
    big = b"%PDF-" + b"0" * 6000
    response, answer = post(by_address(5, live_server, content=big))
    assert (response.status_code, answer["reason"]) == (413, "file_too_large")
    assert stored() == before


def test_a_portal_down_gets_503_and_the_redelivery_is_taken(portal, live_server):
    before = stored()
    body = by_address(6, live_server)
    faults(portal, outage_seconds=60)
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (503, "file_unavailable")
    assert stored() == before
    faults(portal)
    response, answer = post(body)
    assert response.status_code == 200 and answer["outcome"] == "created", answer
