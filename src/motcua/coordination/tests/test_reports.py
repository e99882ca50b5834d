"""The callback an external system reports through (real HTTP on live_server): signed or
refused; each report applied once; an older report than one applied changes nothing; every bad
report refused with a clear code and nothing changed."""

from __future__ import annotations

import json
import time

import pytest

from motcua.coordination.models import ExternalReport, Handover
from motcua.core.models import AuditEntry
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_withdraw
from motcua.simulators.national_portal.intake import signed_headers

from .conftest import SECRET, deliver, handed_over, post_report

pytestmark = pytest.mark.django_db(transaction=True)


def report(h: Handover, status: str, at: str, **fields) -> dict:
    body = {
        "AcceptKey": h.accept_key,
        "MaHoSo": h.dossier.code,
        "NguoiXuLy": "Lê Thị Hoa",
        "ChucDanh": "Chuyên viên",
        "DonViXuLy": "Cục Bảo trợ xã hội",
        "ThoiDiemXuLy": at,
        "StatusId": status,
    }
    if status == "3":
        body |= {
            "LoaiKetQua": "Quyết định",
            "SoQuyetDinh": "12/QĐ-BTXH",
            "CoQuanBanHanh": "Cục Bảo trợ xã hội",
            "TrichYeu": "Trợ cấp hằng tháng",
            "NgayBanHanh": "20261207",
        }
    return body | fields


def snapshot(d: Dossier) -> tuple:
    d = Dossier.objects.get(pk=d.pk)
    return (
        d.version,
        d.step_key,
        d.status,
        DossierEvent.objects.filter(dossier=d).count(),
        AuditEntry.objects.filter(action__startswith="dossier.").count(),
    )


@pytest.fixture
def waiting(ministry, world):
    d = handed_over(world)
    deliver()
    return Handover.objects.select_related("dossier").get(dossier=d)


def outcome(response) -> str:
    assert response.status_code == 200, response.text
    assert response.json()["result"]["error_code"] == "0"
    return response.json()["result"]["data"][0]["outcome"]


def test_duplicate_and_out_of_order_reports_change_nothing(waiting, live_server):
    url, h = live_server.url, waiting
    later = report(h, "2", "20261207100000", NoiDungXuLy="Đang thẩm định")
    assert outcome(post_report(url, later)) == "applied"
    after_first = snapshot(h.dossier)

    assert outcome(post_report(url, later)) == "duplicate"  # the same report again
    earlier = report(h, "1", "20261207090000", NoiDungXuLy="Đã tiếp nhận")
    assert outcome(post_report(url, earlier)) == "stale"  # made before the one applied
    assert outcome(post_report(url, earlier)) == "duplicate"
    assert snapshot(h.dossier) == after_first

    assert outcome(post_report(url, report(h, "3", "20261207110000"))) == "applied"
    d = Dossier.objects.get(pk=h.dossier_id)
    assert d.step_key == "ky"
    settled = snapshot(d)
    # Reports that arrive after the result: an older one changes nothing; a newer one is
    # refused, the dossier is not waiting for the system any more.
    assert outcome(post_report(url, report(h, "2", "20261207103000"))) == "stale"
    response = post_report(url, report(h, "2", "20261207120000"))
    assert response.status_code == 409
    assert response.json()["reason"] == "not_waiting"
    assert snapshot(d) == settled
    assert list(ExternalReport.objects.order_by("id").values_list("status_id", "outcome")) == [
        ("2", "applied"),
        ("1", "stale"),
        ("3", "applied"),
        ("2", "stale"),
    ]


@pytest.mark.parametrize(
    ("change", "status", "reason", "field"),
    [
        ({"AcceptKey": "000.00.00.H20-261207-9999:5"}, 404, "unknown_accept_key", None),
        ({"StatusId": None}, 422, "missing_field", "StatusId"),
        ({"StatusId": "7"}, 422, "invalid_field", "StatusId"),
        ({"ThoiDiemXuLy": "07/12/2026"}, 422, "invalid_field", "ThoiDiemXuLy"),
        ({"StatusId": "3"}, 422, "invalid_field", "SoQuyetDinh"),  # a result without decision
        ({"MaHoSo": "000.00.00.H20-261207-0042"}, 422, "invalid_field", "MaHoSo"),
        ({"NguoiXuLy": ["not", "text"]}, 422, "invalid_field", "NguoiXuLy"),
    ],
)
def test_bad_report_refused_with_nothing_changed(
    waiting, live_server, change, status, reason, field
):
    before = snapshot(waiting.dossier)
    body = {k: v for k, v in (report(waiting, "2", "20261207100000") | change).items() if v}

    response = post_report(live_server.url, body)

    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason
    assert response.json()["result"]["error_code"] == "-1"
    if field:
        assert field in response.json()["errors"]
    assert snapshot(waiting.dossier) == before
    assert not ExternalReport.objects.exists()


def test_malformed_body_and_unknown_system_refused(waiting, live_server):
    before = snapshot(waiting.dossier)
    response = post_report(live_server.url, b"{not json")
    assert (response.status_code, response.json()["reason"]) == (400, "malformed_body")
    response = post_report(live_server.url, b"[1, 2]")
    assert (response.status_code, response.json()["reason"]) == (400, "malformed_body")
    body = report(waiting, "2", "20261207100000")
    response = post_report(live_server.url, body, system="khong-co")
    assert (response.status_code, response.json()["reason"]) == (404, "unknown_system")
    assert snapshot(waiting.dossier) == before
    assert not ExternalReport.objects.exists()


def test_report_on_a_dossier_no_longer_at_the_external_step_refused(waiting, live_server, world):
    d = Dossier.objects.get(pk=waiting.dossier_id)
    dossier_withdraw(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, reason="Rút"
    )
    before = snapshot(d)

    response = post_report(live_server.url, report(waiting, "3", "20261207110000"))

    assert (response.status_code, response.json()["reason"]) == (409, "not_waiting")
    assert snapshot(d) == before
    assert not ExternalReport.objects.exists()


def test_unsigned_or_badly_signed_callbacks_refused(waiting, live_server):
    before = snapshot(waiting.dossier)
    body = report(waiting, "3", "20261207110000")
    raw = json.dumps(body).encode()
    old = int(time.time()) - 3600
    for headers in (
        {"Content-Type": "application/json"},  # anonymous
        signed_headers("another-secret", raw),  # wrong secret
        signed_headers(SECRET, raw, timestamp=old),  # replayed an hour later
        signed_headers(SECRET, b'{"AcceptKey": "x"}'),  # the signature of another body
        {**signed_headers(SECRET, raw), "X-Signature": "deadbeef"},
    ):
        response = post_report(live_server.url, raw, headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["reason"] == "unauthorized"
    assert snapshot(waiting.dossier) == before
    assert not ExternalReport.objects.exists()
    # The same body signed with the system's secret is taken.
    assert outcome(post_report(live_server.url, raw)) == "applied"
