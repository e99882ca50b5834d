"""Dossiers a ministry's system or the coordination system hands to the province (§5 inbound,
`HoSoBTXH`), pushed to POST /api/v1/coordination/<system>/dossiers: the demo province, real
procedure codes and communes, requests signed as the simulator signs them. Each bad input is
refused with a clear reason and nothing stored."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from django.test import Client

from motcua.core.audit import AuditEntry
from motcua.demo.services import demo_setup
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.feedback.services import portal_knows
from motcua.outbox.models import OutboxEvent
from motcua.simulators.ministry.views import inbound_record
from motcua.simulators.national_portal.intake import SAMPLE_PDF, signed_headers

from .conftest import system_config

pytestmark = pytest.mark.django_db
SECRET = "test-callback-secret"


@pytest.fixture(autouse=True)
def demo(settings):
    settings.EXTERNAL_SYSTEMS = {
        "btxh": system_config("http://127.0.0.1:9/sim/bo-nganh/btxh") | {"inbound": ["push"]},
        "dieuphoi": system_config("http://127.0.0.1:9/sim/bo-nganh/dieuphoi")
        | {"inbound": ["push"], "account": "he-thong-dieuphoi"},
    }
    settings.NOTIFY_APPLICANTS = False
    demo_setup()


def post(body, *, system: str = "btxh", secret: str = SECRET, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    signed = signed_headers(secret, data) if secret else {}
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()}
    extra.pop("HTTP_CONTENT_TYPE", None)
    response = Client().post(
        f"/api/v1/coordination/{system}/dossiers", data, content_type="application/json", **extra
    )
    return response, response.json()


def test_the_dossier_page_says_which_system_handed_the_dossier_over():
    from motcua.accounts.models import User

    body = record()
    response, answer = post(body)
    assert response.status_code == 200, answer
    d = Dossier.objects.get(source_system="btxh", source_key=body["AcceptKey"])
    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).first())
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Hệ thống của Bộ (thử)" in page  # the system's configured label
    assert body["AcceptKey"] in page


def stored() -> tuple[int, ...]:
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        OutboxEvent.objects.count(),
        DossierComponent.objects.count(),
        AuditEntry.objects.filter(action__startswith="dossier.").count(),
    )


def record(**changes) -> dict:
    body = inbound_record("btxh", commune=28261)
    body.update(changes)
    return body


def test_a_handed_over_dossier_is_created_at_the_competent_communes_unit():
    body = record()
    response, answer = post(body)

    assert response.status_code == 200, answer
    (row,) = answer["result"]["data"]
    assert answer["result"]["error_code"] == "0" and row["outcome"] == "created"
    d = Dossier.objects.get(source_system="btxh", source_key=body["AcceptKey"])
    assert row == {
        "AcceptKey": body["AcceptKey"],
        "MaHoSo": body["MaHoSo"],
        "MaHoSoDonVi": d.code,
        "outcome": "created",
    }
    assert d.external_code == ""  # not a national-portal dossier: no §9.3 status back
    assert (d.channel, d.status, d.procedure.code) == ("online", Status.SUBMITTED, "1.004873")
    assert d.competent_agency.commune_id == 28261
    assert d.receiving_agency.code == "000.01.31.H20" and d.code.startswith("000.01.31.H20-")
    assert d.applicant_name == body["HoVaTen"] and d.applicant_id_number == body["SoDinhDanh"]
    assert d.form_data["MaHoSo"] == body["MaHoSo"] and d.form_data["DonViXuLy"]
    assert d.form_data["_intake"]["source"] == "btxh:push"
    (c,) = d.components.all()
    assert c.file_type == "application/pdf" and c.file_size == len(SAMPLE_PDF)
    assert c.name == "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"
    (event,) = DossierEvent.objects.filter(dossier=d)
    assert event.actor.username == "he-thong-btxh"
    # Its first history row goes back to the system that handed it over, and only there: the
    # system reports it to the national portal (EXTERNAL_BTXH_REPORTS_TO_PORTAL, the default).
    back = OutboxEvent.objects.get(destination="ministry:btxh")
    assert (back.kind, back.aggregate_type, back.aggregate_seq) == (
        "dossier.progress",
        "inbound",
        1,
    )
    progress = back.payload["progress"]
    assert progress["AcceptKey"] == body["AcceptKey"] and progress["MaHoSo"] == body["MaHoSo"]
    assert progress["MaHoSoDonVi"] == d.code and progress["StatusId"] == "1"
    assert progress["TaiKhoanXuLy"] == "he-thong-btxh" and len(progress["ThoiDiemXuLy"]) == 14
    assert not OutboxEvent.objects.filter(destination="dvcqg", aggregate_id=d.code).exists()
    assert not portal_knows(d)  # nor would its rating be sent there under our code


def test_a_system_that_does_not_report_to_the_portal_has_its_dossiers_synced_by_us(settings):
    settings.EXTERNAL_SYSTEMS["btxh"]["reports_to_portal"] = False
    body = record()
    response, answer = post(body)
    assert response.status_code == 200, answer
    d = Dossier.objects.get(source_system="btxh", source_key=body["AcceptKey"])
    synced = OutboxEvent.objects.get(destination="dvcqg", aggregate_id=d.code)
    assert synced.payload["dossier"]["MaHoSo"] == d.code
    assert OutboxEvent.objects.filter(destination="ministry:btxh").count() == 1
    assert portal_knows(d)


def test_pushed_twice_exists_once():
    body = record()
    first = post(body)[1]["result"]["data"][0]
    before = stored()
    response, answer = post(body)
    assert response.status_code == 200
    again = answer["result"]["data"][0]
    assert again["outcome"] == "duplicate" and again["MaHoSoDonVi"] == first["MaHoSoDonVi"]
    assert stored() == before


def test_two_systems_may_use_the_same_accept_key():
    body = record(AcceptKey="HS-0001")
    a = post(body, system="btxh")[1]["result"]["data"][0]
    b = post(body, system="dieuphoi")[1]["result"]["data"][0]
    assert a["outcome"] == b["outcome"] == "created"
    assert a["MaHoSoDonVi"] != b["MaHoSoDonVi"]
    assert set(Dossier.objects.values_list("source_system", "source_key")) == {
        ("btxh", "HS-0001"),
        ("dieuphoi", "HS-0001"),
    }


def _bad_file(body: dict, content: bytes | str) -> dict:
    encoded = content if isinstance(content, str) else base64.b64encode(content).decode()
    body = copy.deepcopy(body)
    body["CertificateExtentData"] = (
        "<CertificateExtentData><TaiLieuNop><TaiLieu><TenTepDinhKem>a.pdf</TenTepDinhKem>"
        f"<Base64>{encoded}</Base64></TaiLieu></TaiLieuNop></CertificateExtentData>"
    )
    return body


# (change to a good record, HTTP status, reason, field named in the errors)
BAD_INPUTS = [
    (lambda b: b.pop("AcceptKey"), 422, "missing_field", "AcceptKey"),
    (lambda b: b.update(AcceptKey="khóa có dấu cách"), 422, "invalid_field", "AcceptKey"),
    (lambda b: b.update(AcceptKey=["HS"]), 422, "invalid_field", "AcceptKey"),
    (lambda b: b.pop("MaTTHC"), 422, "missing_field", "MaTTHC"),
    (lambda b: b.update(MaTTHC="9.999999"), 422, "unknown_procedure", "MaTTHC"),
    (lambda b: b.update(MaTTHC="1.001776"), 422, "not_online", None),  # not published
    (lambda b: b.pop("SoDinhDanh"), 422, "missing_identity", "SoDinhDanh"),
    (lambda b: b.update(SoDinhDanh="12345"), 422, "missing_identity", "SoDinhDanh"),
    (lambda b: b.pop("HoVaTen"), 422, "missing_field", "ChuHoSo"),
    (lambda b: b.update(MaXa=99999999), 422, "invalid_field", "DiaChi.MaXa"),
    (lambda b: b.update(MaTinh=1, MaXa=4), 422, "not_in_province", "DiaChi.MaXa"),  # Hà Nội
    (lambda b: b.pop("CertificateExtentData"), 422, "missing_field", "TaiLieuNop"),
    (
        lambda b: b.update(CertificateExtentData="<TaiLieuNop><x"),
        422,
        "invalid_field",
        "CertificateExtentData",
    ),
    (lambda b: b.update(_bad_file(b, "không phải base64")), 422, "bad_base64", None),
    (lambda b: b.update(_bad_file(b, b"MZ\x90\x00 an .exe")), 422, "file_type", None),
]


def test_each_bad_input_is_refused_and_nothing_is_stored():
    # One test over every kind (one demo province for all): each must fail on its own.
    before = stored()
    for change, status, reason, field in BAD_INPUTS:
        body = record()
        change(body)

        response, answer = post(body)

        case = f"{reason} {field}: {answer}"
        assert response.status_code == status, case
        assert answer["reason"] == reason, case
        assert answer["result"]["error_code"] == "-1" and answer["result"]["data"] == [], case
        assert answer["result"]["message"], case
        if field:
            assert any(k.startswith(field) for k in answer["errors"]), case
        assert stored() == before, case


def test_transport_refusals_store_nothing(settings):
    body = record()
    before = stored()
    assert post(body, secret="")[0].status_code == 401
    assert post(body, secret="wrong")[1]["reason"] == "unauthorized"
    assert post(None, raw=b"{not json")[1]["reason"] == "malformed_body"
    assert post([body])[1]["reason"] == "malformed_body"
    response, answer = post(body, system="khong-co")
    assert (response.status_code, answer["reason"]) == (404, "unknown_system")
    settings.EXTERNAL_SYSTEMS = {
        **settings.EXTERNAL_SYSTEMS,
        "btxh": settings.EXTERNAL_SYSTEMS["btxh"] | {"inbound": ["pull"]},
    }
    response, answer = post(body)
    assert (response.status_code, answer["reason"]) == (404, "inbound_disabled")
    assert stored() == before


def test_a_system_without_its_account_is_not_allowed():
    from motcua.accounts.models import User

    User.objects.filter(username="he-thong-btxh").update(is_active=False)
    before = stored()
    response, answer = post(record())
    assert (response.status_code, answer["reason"]) == (403, "not_allowed")
    assert stored() == before
