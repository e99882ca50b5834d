"""Intake by push from the national portal (issue 13, DOMAIN-integration.md §9.2): the demo
province, real procedure codes and communes, requests signed as the simulator signs them."""

from __future__ import annotations

import base64
import copy
import io
import json

import pytest
from django.test import Client

from motcua.core.audit import AuditEntry
from motcua.demo.services import demo_setup
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.dossiers.services import dossier_request_supplement
from motcua.outbox.models import OutboxEvent
from motcua.simulators.national_portal.intake import SAMPLE_PDF, dossier_payload, signed_headers

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/dvcqg"
SECRET = "test-intake-secret"


@pytest.fixture(autouse=True)
def demo(settings):
    settings.NATIONAL_PORTAL_INTAKE_SECRET = SECRET
    settings.NATIONAL_PORTAL_INTAKE_MODE = "push"
    demo_setup()


def post(body, *, secret: str = SECRET, raw: bytes | None = None, **headers):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    signed = signed_headers(secret, data) if secret else {}
    signed.update(headers)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()}
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


def test_push_creates_the_dossier_at_the_electronic_reception_unit():
    body = dossier_payload(1, procedure="2.001610")
    body["DiaChi"]["MaXa"] = 28261
    response, answer = post(body)
    assert response.status_code == 200, answer
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    assert answer["error_code"] == 0 and answer["outcome"] == "created"
    assert answer["message"] == f"{body['MaHoSo']}| Đã tiếp nhận, mã hồ sơ {d.code}."
    assert answer["code"] == d.code
    assert d.channel == "online" and d.status == Status.SUBMITTED and d.national_status == 1
    assert d.procedure.code == "2.001610" and d.procedure_version.status == "published"
    # Sở Tài chính's division settles it; the service center's Sở Tài chính desk takes it
    # (the land desk sorts first), and our code is the center's.
    assert d.competent_agency.code == "000.01.03.H20"
    assert d.receiving_agency.name == "Quầy số 03 — Sở Tài chính"
    assert d.code.startswith("000.00.12.H20-")
    assert d.applicant_id_number == body["SoDinhDanh"] and d.applicant_commune_id == 28261
    assert d.form_data["_intake"]["tech_id"] == body["MaDoiTuong"]
    assert d.form_data["_intake"]["date_of_birth"][:4] == body["NgaySinh"][:4]
    (c,) = d.components.all()
    assert c.file_name == "to-khai-1.pdf" and c.file_size == len(SAMPLE_PDF)
    assert c.file_type == "application/pdf" and len(c.file_sha256) == 64
    # History, audit and the outbox row, by the portal's system account.
    (event,) = DossierEvent.objects.filter(dossier=d)
    assert event.actor.username == "dvcqg"
    # One row for the national portal; the applicant is told our code by SMS and e-mail.
    destinations = OutboxEvent.objects.filter(aggregate_id=d.code).values_list("destination")
    assert sorted(x for (x,) in destinations) == ["dvcqg", "email", "sms"]
    assert AuditEntry.objects.filter(object_id=str(d.pk)).exists()


def test_a_commune_procedure_goes_to_the_communes_one_stop_unit():
    body = dossier_payload(2, procedure="1.001193")
    body["DiaChi"]["MaXa"] = 29869
    _response, answer = post(body)
    assert answer["error_code"] == 0, answer
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    assert d.competent_agency.commune_id == 29869
    assert d.receiving_agency.code == "000.01.32.H20" and d.code.startswith("000.01.32.H20-")


def test_the_same_dossier_twice_exists_once():
    body = dossier_payload(3)
    first = post(body)[1]
    again = post(body)[1]
    assert first["error_code"] == 0 and again["error_code"] == 1
    assert again["outcome"] == "duplicate" and again["code"] == first["code"]
    assert again["message"].startswith(f"{body['MaHoSo']}| ")
    assert Dossier.objects.filter(external_code=body["MaHoSo"]).count() == 1
    assert DossierEvent.objects.count() == 1


def test_a_redelivery_of_a_dossier_waiting_for_a_supplement_brings_it_back():
    from motcua.accounts.models import User

    body = dossier_payload(4, procedure="1.001193")
    body["DiaChi"]["MaXa"] = 28261
    post(body)
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    d = dossier_request_supplement(
        actor=User.objects.get(username="tn.mytho"),
        dossier=d,
        expected_version=d.version,
        items=["Bản chụp giấy chứng sinh rõ nét"],
        reason="Ảnh mờ",
    )
    assert d.status == Status.SUPPLEMENT
    body["TaiLieuNop"].append(
        {
            "TenTepDinhKem": "giay-chung-sinh.png",
            "Base64": base64.b64encode(_png()).decode(),
            "MaThanhPhanHoSo": "TP2",
            "TenThanhPhanHoSo": "Giấy chứng sinh",
        }
    )
    _response, answer = post(body)
    assert answer["error_code"] == 0 and answer["outcome"] == "updated", answer
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.supplement_phase == "reception"
    added = d.components.filter(supplement_round=1)
    assert sorted(added.values_list("file_type", flat=True)) == ["application/pdf", "image/png"]
    assert Dossier.objects.filter(external_code=body["MaHoSo"]).count() == 1
    # Once back, a further delivery is a duplicate again.
    assert post(body)[1]["error_code"] == 1


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def _bad(change) -> dict:
    body = copy.deepcopy(dossier_payload(5, procedure="1.001193"))
    change(body)
    return body


def _file(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        (lambda b: b.update(MaTTHC="9.999999"), 422, "unknown_procedure"),
        (lambda b: b.update(MaTTHC="2.000986"), 422, "not_online"),  # desk only
        (lambda b: b.update(MaTTHC="1.013225"), 422, "not_online"),  # not published
        (lambda b: b.pop("SoDinhDanh"), 422, "missing_identity"),
        (lambda b: b.update(SoDinhDanh="12345"), 422, "missing_identity"),
        (lambda b: b.pop("MaHoSo"), 422, "missing_field"),
        (lambda b: b.pop("MaTTHC"), 422, "missing_field"),
        (lambda b: b.pop("ChuHoSo"), 422, "missing_field"),
        (lambda b: b.update(TaiLieuNop=[]), 422, "missing_field"),
        (lambda b: b["TaiLieuNop"][0].update(Base64="không phải base64!"), 422, "bad_base64"),
        (lambda b: b["TaiLieuNop"][0].update(Base64=_file(b"MZ\x90\x00exe")), 422, "file_type"),
        (
            lambda b: b["TaiLieuNop"][0].update(Base64=_file(b"%PDF-" + b"0" * 6000)),
            413,
            "file_too_large",
        ),
        (
            lambda b: b["TaiLieuNop"][0].update(Base64="", DuongDan="http://example.vn/a.pdf"),
            422,
            "file_address_refused",
        ),
        (lambda b: b["DiaChi"].update(MaXa=1), 422, "invalid_field"),  # Hà Nội's Ba Đình
        (lambda b: b["DiaChi"].update(MaXa=99999999), 422, "invalid_field"),
        (lambda b: b.update(MaHoSo="x" * 61), 422, "invalid_field"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_stored(settings, change, status, reason):
    settings.NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES = 4096
    before = stored()
    body = _bad(change)
    response, answer = post(body)
    assert (response.status_code, answer["error_code"], answer["reason"]) == (
        status,
        -1,
        reason,
    ), answer
    assert answer["message"].split("| ", 1)[1]
    assert stored() == before


def test_a_commune_of_another_province_is_refused():
    body = _bad(lambda b: b["DiaChi"].update(MaTinh=1, MaXa=4))  # Phường Ba Đình, Hà Nội
    _response, answer = post(body)
    assert answer["reason"] == "not_in_province", answer
    assert answer["error_code"] == -1 and stored() == (0, 0, 0, 0)


def test_malformed_and_oversized_bodies_are_refused(settings):
    response, answer = post(None, raw=b"{not json")
    assert (response.status_code, answer["reason"]) == (400, "malformed_body")
    response, answer = post(None, raw=b"[1, 2]")
    assert (response.status_code, answer["reason"]) == (400, "malformed_body")
    settings.NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES = 300
    response, answer = post(dossier_payload(6))
    assert (response.status_code, answer["reason"]) == (413, "request_too_large")
    assert stored() == (0, 0, 0, 0)


def test_unsigned_or_wrongly_signed_calls_are_refused_and_store_nothing():
    body = dossier_payload(7)
    assert post(body, secret="")[0].status_code == 401
    response, answer = post(body, secret="another-secret")
    assert (response.status_code, answer["reason"]) == (401, "unauthorized")
    # A signature of another body (the body changed on the way).
    data = json.dumps(body).encode()
    headers = signed_headers(SECRET, data + b" ")
    response = Client().post(
        URL,
        data,
        content_type="application/json",
        HTTP_X_SIGNATURE_TIMESTAMP=headers["X-Signature-Timestamp"],
        HTTP_X_SIGNATURE=headers["X-Signature"],
    )
    assert response.status_code == 401
    # A signature made an hour ago.
    old = signed_headers(SECRET, data, timestamp=1_700_000_000)
    response = Client().post(
        URL,
        data,
        content_type="application/json",
        HTTP_X_SIGNATURE_TIMESTAMP=old["X-Signature-Timestamp"],
        HTTP_X_SIGNATURE=old["X-Signature"],
    )
    assert response.status_code == 401
    assert stored() == (0, 0, 0, 0)


def test_push_is_refused_when_the_installation_pulls(settings):
    settings.NATIONAL_PORTAL_INTAKE_MODE = "pull"
    response, answer = post(dossier_payload(8))
    assert (response.status_code, answer["reason"]) == (404, "push_disabled")
    assert stored() == (0, 0, 0, 0)


def test_an_enterprise_applies_with_its_tax_code():
    body = dossier_payload(9, procedure="2.001610")
    for key in ("ChuHoSo", "SoDinhDanh", "NgaySinh", "DiaChi"):
        body.pop(key)
    body.update(
        LoaiDoiTuong="2",
        TenThuongNhan="Doanh nghiệp tư nhân Phú Thịnh",
        MaSoThue="1402345678",
        DiaChiDoanhNghiep={"MaTinh": 82, "MaXa": 30037, "DiaChiChiTiet": "Quốc lộ 30"},
        NguoiLienHe="Võ Thị Hạnh",
    )
    response, answer = post(body)
    assert answer["error_code"] == 0, answer
    d = Dossier.objects.get(external_code=body["MaHoSo"])
    assert (d.applicant_kind, d.applicant_id_number) == ("organization", "1402345678")
    assert d.applicant_commune_id == 30037 and "Xã Tháp Mười" in d.applicant_address
    assert d.form_data["_intake"]["contact"] == "Võ Thị Hạnh"
    body.pop("MaSoThue")
    body["MaHoSo"] += "-2"
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (422, "missing_identity")
    assert Dossier.objects.count() == 1
