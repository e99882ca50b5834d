"""The dossier API (same services, same authorization), public tracking and printed forms."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.printing.pdf import text_of_pdf

from .factories import local

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


SUBMIT = {
    "procedure": "1.001193",
    "applicant": {
        "kind": "citizen",
        "name": "Trần Văn Bình",
        "id_number": "087190009999",
        "phone": "0987654321",
    },
    "components": [
        {"name": "Tờ khai", "originals": 1},
        {"name": "Giấy chứng sinh", "originals": 1},
        {"name": "CCCD", "copies": 1},
    ],
    "channel": "direct",
    "accept": True,
}


@pytest.fixture
def received(world):
    t = world.tree
    client = client_for(world["commune_officer"])
    body = {
        **SUBMIT,
        "desk": t["osu"].code,
        "applicant": {**SUBMIT["applicant"], "commune": t["commune"].commune_id},
    }
    response = post(client, "/api/v1/dossiers", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_submit_act_and_stale_version_over_http(world, received):
    assert received["status"] == "accepted" and received["national_status"] == 2
    specialist = client_for(world["commune_specialist"])
    url = f"/api/v1/dossiers/{received['id']}/act"
    ok = post(specialist, url, {"version": received["version"], "action": "forward"})
    assert ok.status_code == 200 and ok.json()["step_key"] == "ky"
    stale = post(specialist, url, {"version": received["version"], "action": "forward"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    history = specialist.get(f"/api/v1/dossiers/{received['id']}/history").json()
    assert [e["kind"] for e in history] == ["register", "accept", "step", "step"]


def test_other_officials_cannot_see_or_act(world, received):
    outsider = client_for(world["commune2_officer"])
    assert outsider.get(f"/api/v1/dossiers/{received['id']}").status_code == 404
    response = post(
        outsider,
        f"/api/v1/dossiers/{received['id']}/act",
        {"version": received["version"], "action": "forward"},
    )
    assert response.status_code == 404
    anonymous = Client()
    assert anonymous.get("/api/v1/dossiers").status_code == 401


def test_status_mapping_lists_all_ten_codes(world):
    rows = client_for(world["commune_officer"]).get("/api/v1/dossiers/status-mapping").json()
    assert sorted(r["national_code"] for r in rows) == list(range(1, 11))


def test_public_tracking_needs_the_second_factor(world, received):
    cache.clear()
    anonymous = Client()
    code = received["code"]
    good = post(anonymous, "/api/v1/tracking", {"code": code, "factor": "0987654321"})
    assert good.status_code == 200
    body = good.json()
    assert body["status_name"] == "Được tiếp nhận" and body["code"] == code
    assert "Trần Văn Bình" not in good.content.decode()  # no personal data
    assert (
        post(anonymous, "/api/v1/tracking", {"code": code, "factor": "087190009999"}).status_code
        == 200
    )
    wrong = post(anonymous, "/api/v1/tracking", {"code": code, "factor": "0900000000"})
    unknown = post(anonymous, "/api/v1/tracking", {"code": "X-1", "factor": "0987654321"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    page = anonymous.post("/tra-cuu-ho-so/", {"ma": code, "xac_thuc": "0987654321"})
    assert page.status_code == 200 and "Được tiếp nhận" in page.content.decode()


def test_tracking_is_rate_limited(world, received, settings):
    cache.clear()
    settings.TRACKING_RATE_PER_MINUTE = 3
    anonymous = Client()
    codes = [
        post(anonymous, "/api/v1/tracking", {"code": "X", "factor": "1"}).status_code
        for _ in range(5)
    ]
    assert codes == [404, 404, 404, 429, 429]
    cache.clear()


def test_receipt_and_control_sheet_pdfs(world, received):
    client = client_for(world["commune_officer"])
    receipt = client.get(f"/api/v1/dossiers/{received['id']}/forms/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    text = text_of_pdf(receipt.content)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert received["code"] in text and "Trần Văn Bình" in text
    assert "Giấy chứng sinh" in text and "03 ngày làm việc" in text
    sheet = client.get(f"/api/v1/dossiers/{received['id']}/forms/control_sheet.pdf")
    text = text_of_pdf(sheet.content)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "UBND xã" in text
    missing = client.get(f"/api/v1/dossiers/{received['id']}/forms/refusal.pdf")
    assert missing.status_code == 409


def test_apology_letter_and_ledger_pdf(world):
    from motcua.dossiers.documents import dossier_form_pdf, ledger_pdf_for
    from motcua.dossiers.services import dossier_apology_issue

    from .factories import DossierFactory

    t = world.tree
    d = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=t["osu"],
        accepted=True,
        now=local(2026, 3, 2, 9),
    )
    dossier_apology_issue(
        actor=world["commune_chair"],
        dossier=d,
        expected_version=d.version,
        reason="Cần xác minh thêm",
        new_due_at=local(2026, 3, 10, 9),
        now=local(2026, 3, 3, 9),
    )
    d = Dossier.objects.get(pk=d.pk)
    text = text_of_pdf(dossier_form_pdf(d, "apology"))
    assert "xin lỗi" in text.lower() and "Cần xác minh thêm" in text
    assert "10 tháng 3 năm 2026" in text or "10/03/2026" in text
    ledger = text_of_pdf(
        ledger_pdf_for(
            t["osu"],
            Dossier.objects.all(),
            start=local(2026, 3, 1).date(),
            end=local(2026, 3, 31).date(),
        )
    )
    assert "SỔ THEO DÕI HỒ SƠ" in ledger and d.code in ledger.replace("\n", "")


def test_the_ledger_takes_local_days_on_the_indexed_column(world):
    """A desk's ledger from day A to day B holds what was received from local midnight of A to
    local midnight after B (Vietnam is UTC+7: 00:30 local is the previous day in UTC), and its
    query compares moments, never a cast of submitted_at to a date (which no index serves)."""
    from motcua.dossiers import selectors
    from motcua.dossiers.services import dossier_submit

    from .conftest import THREE, citizen

    t = world.tree

    def received(at):
        return dossier_submit(
            actor=world["commune_officer"],
            procedure=world.birth,
            applicant=citizen(t["commune"].commune_id),
            components=THREE,
            channel="direct",
            desk=t["osu"],
            now=at,
        )

    before = received(local(2026, 3, 1, 23, 59))
    first = received(local(2026, 3, 2, 0, 30))
    last = received(local(2026, 3, 3, 23, 59))
    after = received(local(2026, 3, 4, 0, 0))
    rows = selectors.ledger_dossiers(
        desk=t["osu"], start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3)
    )
    assert list(rows) == [first, last]
    assert before not in rows and after not in rows
    sql = str(rows.query).lower()
    assert "submitted_at" in sql
    assert not any(cast in sql for cast in ("cast", "date(", "::date", "at time zone"))


def test_search_by_an_exact_code_or_identity_number_uses_equality_not_a_scan(world):
    """An exact dossier code (any letter case) or identity number is looked up by equality on
    its index; only a partial text falls back to the LIKE search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import selectors
    from motcua.dossiers.services import dossier_submit

    from .conftest import THREE, citizen

    t = world.tree
    mine = dossier_submit(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id, id_number="087190004321"),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        now=local(2026, 3, 2, 9),
    )
    officer = world["commune_officer"]
    for query, expected in (
        (mine.code.lower(), [mine]),
        ("087190004321", [mine]),
        ("Nguyễn Thị", [mine]),
    ):
        with CaptureQueriesContext(connection) as queries:
            found = list(selectors.dossiers_list(user=officer, query=query))
        assert found == expected, query
        listing = queries.captured_queries[-1]["sql"].upper()
        assert ("LIKE" in listing) is (query == "Nguyễn Thị"), query
