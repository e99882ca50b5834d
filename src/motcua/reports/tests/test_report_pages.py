"""Báo cáo over HTTP: the page and its .xlsx for a leader, the same figures in the API, the
menu's link, refusals for a specialist and an anonymous visitor, the page's query count fixed
as dossiers grow, and the tracking book reached by a leader."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from motcua.exports.models import ExportJob

from .drive import act, submit

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def dossiers(world):
    """Received this month (one settled), and one received ten days ago left open."""
    now = timezone.now()
    settled = submit(world, now - dt.timedelta(minutes=30), accept=True)
    assert act(world, "forward", settled, now - dt.timedelta(minutes=20))
    assert act(world, "forward", settled, now - dt.timedelta(minutes=10))
    late = submit(world, now - dt.timedelta(days=10), accept=True)
    return {"settled": settled, "late": late}


def test_a_leader_reads_the_figures_on_the_page(world, dossiers):
    response = client_for(world["commune_chair"]).get("/bao-cao/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Báo cáo</h1>" in html
    assert 'href="/bao-cao/"' in html and 'aria-current="page"' in html  # the menu's link
    assert 'href="/xuat-tep/so-theo-doi/"' in html  # the tracking book
    assert 'href="/bao-cao/so-lieu.xlsx"' in html
    assert world.tree["commune"].name in html and world.birth.code in html
    # Trước hạn apart from đúng hạn (Decision 766), with the settled dossier (early) in it.
    assert '<th scope="col" class="num">Trong đó trước hạn</th>' in html
    assert 'data-label="Trong đó trước hạn">1</td>' in html
    # The dossier ten days old is past its step deadline: listed, with a link.
    assert f'href="/ho-so/{dossiers["late"].pk}/"' in html
    assert f'href="/ho-so/{dossiers["settled"].pk}/"' not in html


def test_the_api_gives_the_page_figures(world, dossiers):
    client = client_for(world["commune_chair"])
    body = client.get("/api/v1/reports/figures").json()
    assert body["units"][0]["agency"]["id"] == world.tree["commune"].pk
    assert body["procedures"][0]["procedure"]["code"] == world.birth.code
    this_and_last = body["total_this_month"]["received"] + body["total_last_month"]["received"]
    assert this_and_last == 2
    assert body["total_this_month"]["settled"] == 1
    # Settled minutes after reception, days before its deadline: early, and on time or early.
    both = [body["total_this_month"], body["total_last_month"]]
    assert [sum(m[c] for m in both) for c in ("settled_early", "settled_on_time")] == [1, 1]
    assert body["total_now"]["held"] >= 1 and body["total_now"]["overdue"] >= 1
    # A stock: the open one, whichever month it was received in.
    assert body["total_this_month"]["in_progress"] == 1

    risk = client.get("/api/v1/reports/at-risk").json()
    assert [i["code"] for i in risk["items"]] == [dossiers["late"].code]
    item = risk["items"][0]
    assert item["step_deadline_state"] == "late"
    assert item["held_by"]["id"] == dossiers["late"].step_agency_id
    assert item["url"] == f"/ho-so/{dossiers['late'].pk}/"


def test_the_figures_download_as_xlsx_from_the_page_and_the_api(world, dossiers):
    client = client_for(world["commune_chair"])
    for url in ("/bao-cao/so-lieu.xlsx", "/api/v1/reports/figures.xlsx"):
        response = client.get(url)
        assert response.status_code == 200
        assert "bao-cao-" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 5
        first = book.worksheets[0]
        rows = list(first.iter_rows(values_only=True))
        assert rows[1][0] == "Cơ quan có thẩm quyền" and rows[1][1] == "Tiếp nhận"
        assert rows[-1][0] == "Tổng cộng"
        early = rows[1].index("Trong đó trước hạn")
        assert rows[1][early - 1] == "Đúng hạn, trước hạn"
        months = [book.worksheets[0], book.worksheets[2]]  # units, this month and last
        assert sum(list(m.iter_rows(values_only=True))[-1][early] for m in months) == 1


def test_a_specialist_and_an_anonymous_visitor_are_refused(world, dossiers):
    specialist = client_for(world["commune_specialist"])
    assert specialist.get("/bao-cao/").status_code == 403
    assert specialist.get("/bao-cao/so-lieu.xlsx").status_code == 403
    for name in ("figures", "at-risk", "figures.xlsx"):
        url = f"/api/v1/reports/{name}"
        assert specialist.get(url).status_code == 403
        assert client_for().get(url).status_code == 401
    assert 'href="/bao-cao/"' not in specialist.get("/ho-so/").content.decode()
    anonymous = client_for().get("/bao-cao/")
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


def test_the_page_reads_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world["commune_chair"])
    now = timezone.now()
    submit(world, now - dt.timedelta(days=5), accept=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/bao-cao/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(4):
        submit(world, now - dt.timedelta(days=n + 2, hours=1), accept=True)
    assert queries() == few


def test_a_department_leader_reaches_the_tracking_book_of_the_department(lien_thong):
    world = lien_thong
    director = client_for(world["dept_director"])
    page = director.get("/xuat-tep/so-theo-doi/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.tree["dept"].name in html
    assert 'href="/xuat-tep/so-theo-doi/"' in director.get("/bao-cao/").content.decode()
    body = {
        "kind": "ledger",
        "format": "xlsx",
        "params": {"agency": world.tree["dept"].pk, "start": "2026-03-01", "end": "2026-03-31"},
    }
    response = director.post("/api/v1/exports", json.dumps(body), content_type="application/json")
    assert response.status_code == 202, response.content
    # Another department's book stays closed to him; a specialist has none.
    body["params"]["agency"] = world.tree["dept2"].pk
    response = director.post("/api/v1/exports", json.dumps(body), content_type="application/json")
    assert response.status_code == 403
    assert client_for(world["dept_specialist"]).get("/xuat-tep/so-theo-doi/").status_code == 403
    assert ExportJob.objects.count() == 1


def test_the_report_shows_the_digitization_and_reuse_of_papers(world, dossiers):
    from motcua.documents.constants import DocumentType
    from motcua.documents.models import Document
    from motcua.documents.services import Digitization, document_add, document_digitize
    from motcua.documents.tests import files

    officer = world["commune_officer"]
    for key, d in dossiers.items():
        document_add(actor=officer, dossier=d, content=files.pdf(note=key), name=f"{key}.pdf")
    # Every paper of the settled dossier digitized (its signed result too), none of the other.
    for paper in Document.objects.filter(dossier=dossiers["settled"], is_current=True):
        document_digitize(
            actor=officer, document=paper, data=Digitization(document_type=DocumentType.OTHER)
        )
    chair = client_for(world["commune_chair"])
    html = chair.get("/bao-cao/").content.decode()
    assert "Số hóa và tái sử dụng giấy tờ" in html
    assert 'data-label="Kết quả đã số hóa">1/1 (100,0 %)</td>' in html
    months = chair.get("/api/v1/reports/papers").json()
    assert len(months) == 2  # this month so far, and last month
    counted = {k: sum(m[k]["counted"] for m in months) for k in ("dossiers", "results", "reuse")}
    of = {k: sum(m[k]["of"] for m in months) for k in ("dossiers", "results", "reuse")}
    assert counted == {"dossiers": 1, "results": 1, "reuse": 0}
    assert of == {"dossiers": 2, "results": 1, "reuse": 2}
    assert client_for(world["commune_specialist"]).get("/api/v1/reports/papers").status_code in (
        403,
        404,
    )
