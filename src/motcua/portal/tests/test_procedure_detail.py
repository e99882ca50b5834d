"""GET /thu-tuc/<code>/: the citizen's view of one published procedure."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from motcua.catalog.services import version_suspend

from .conftest import birth_document, publish
from .dom import Page

pytestmark = pytest.mark.django_db

BIRTH = "/thu-tuc/1.001193/"
PERMIT = "/thu-tuc/1.009994/"


def vnd_text(amount: str) -> str:
    return gettext("%(amount)s VND") % {"amount": amount}


def test_shows_what_a_citizen_needs(client, catalog):
    response = client.get(PERMIT)
    assert response.status_code == 200
    page = Page(response)
    (h1,) = page.select("h1")
    assert h1.text == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert "<title>Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ — MộtCửa</title>" in (
        response.content.decode()
    )
    text = page.text
    for expected in [
        "1.009994",
        "Hoạt động xây dựng",
        "Tổ chức, cá nhân",  # subjects
        "Phù hợp với quy hoạch chi tiết xây dựng.",  # conditions
        "Giấy phép xây dựng",  # result
        "12 tháng",  # validity
        "Sở Tài chính",  # liên thông
        "88/QĐ-UBND",
        "Ủy ban nhân dân tỉnh Đồng Tháp",
        "50/2014/QH13",
        "Luật Xây dựng",
        "18/06/2014",
        "Quốc hội",
    ]:
        assert expected in text, expected
    effective = timezone.localdate() - dt.timedelta(days=30)
    assert effective.strftime("%d/%m/%Y") in text
    assert [b.classes for b in page.select("p.badges .badge")] == [
        {"badge", "badge-partial"},
        {"badge", "badge-specific"},
    ]


def test_steps_keep_their_line_breaks(client, catalog):
    body = client.get(PERMIT).content.decode()
    assert "Bước 1: Nộp hồ sơ.<br>Bước 2: Nhận kết quả." in body


def test_channel_table_formats_times_and_fees(client, catalog):
    page = Page(client.get(PERMIT))
    direct, online = page.select("table.channels tbody tr")
    assert "15" in direct.text and "12" not in direct.text
    assert vnd_text("75.000") in direct.text
    assert "37.500" not in direct.text, "the online reduction belongs to the online row"
    assert "12" in online.text
    assert vnd_text("37.500") in online.text
    assert "Kể từ ngày nhận đủ hồ sơ hợp lệ." in online.text
    assert "Nghị quyết 20/2025/NQ-HĐND" in online.text


def test_notes_for_administrators_never_reach_the_public_page(client, catalog, catalog_admin):
    """The catalog's notes (how a figure was read, what is UNCONFIRMED) are for its
    administrators; the citizens' page shows only the public text."""
    body = client.get(PERMIT).content.decode()
    assert "Kể từ ngày nhận đủ hồ sơ hợp lệ." in body
    assert "Ghi chú nội bộ" not in body and "UNCONFIRMED" not in body
    publish(
        catalog_admin,
        birth_document(
            code="1.000894",
            name="Thủ tục đăng ký kết hôn",
            times=[{"amount": 3, "unit": "working_days", "note": "UNCONFIRMED thời hạn"}],
            fees=[
                {
                    "name": "Lệ phí",
                    "amount_vnd": 10000,
                    "unit": "đồng/trường hợp",
                    "note": "online_amount_vnd chưa có",
                }
            ],
        ),
        mode="local_commune",
    )
    body = client.get("/thu-tuc/1.000894/").content.decode()
    assert "UNCONFIRMED" not in body and "online_amount_vnd" not in body


def test_fee_units_say_the_currency_once_and_same_day_is_said_so(client, catalog, catalog_admin):
    publish(
        catalog_admin,
        birth_document(
            code="1.000894",
            name="Thủ tục đăng ký kết hôn",
            times=[{"amount": 0, "unit": "working_days", "cutoff": "15:00"}],
            fees=[
                {"name": "Lệ phí đăng ký", "amount_vnd": 10000, "unit": "đồng/trường hợp"},
                {"name": "Phí bản sao", "amount_vnd": 8000, "unit": "Đồng / bản"},
                {"name": "Phí khác", "amount_vnd": 5000, "unit": "lần"},
                {"name": "Lệ phí miễn", "amount_vnd": 0, "unit": "đồng/trường hợp"},
            ],
        ),
        mode="local_commune",
    )
    row = Page(client.get("/thu-tuc/1.000894/")).select("table.channels tbody tr")[0].text
    assert vnd_text("10.000") + "/trường hợp" in row
    assert vnd_text("8.000") + "/bản" in row
    assert vnd_text("5.000") + "/lần" in row
    assert "đồng/đồng" not in row.replace(" ", "") and "/đồng" not in row
    assert gettext("Free of charge") + "/" not in row
    assert gettext("Same day") in row and "0 " + gettext("working days") not in row


def test_free_charge_and_cutoff(client, catalog):
    page = Page(client.get(BIRTH))
    first_row = page.select("table.channels tbody tr")[0]
    assert gettext("Free of charge") in first_row.text
    assert "Miễn lệ phí đăng ký khai sinh đúng hạn" in first_row.text
    assert "15:00" in first_row.text


def test_components_table_with_form_download_and_reuse_note(client, catalog):
    page = Page(client.get(BIRTH))
    table = page.select("table.components")[0]
    rows = [n for n in table.walk() if n.tag == "tr"][1:]
    assert len(rows) == 3
    form_row, certificate_row, conditional_row = rows
    (link,) = [n for n in form_row.walk() if n.tag == "a"]
    assert link.attrs["href"] == reverse("portal:form_template", args=[catalog.form.pk])
    assert link.text == "Tờ khai đăng ký khai sinh.html"
    assert "Cơ sở dữ liệu hộ tịch điện tử" in certificate_row.text
    assert "Trường hợp ủy quyền đăng ký khai sinh" in conditional_row.text
    # The download's full address is there for print.
    (print_url,) = [n for n in form_row.walk() if "print-only" in n.classes]
    assert f"http://testserver/thu-tuc/mau/{catalog.form.pk}/" in print_url.text


def test_online_call_to_action_only_when_online_is_a_channel(
    client, catalog, catalog_admin, settings
):
    # It links to the procedure's page on the national portal, where citizens submit …
    settings.NATIONAL_PORTAL_PROCEDURE_URL = "https://dvc.example.vn/thu-tuc?ma={code}"
    (link,) = Page(client.get(BIRTH)).select(".cta a")
    assert link.attrs["href"] == "https://dvc.example.vn/thu-tuc?ma=1.001193"
    # … or, with no address configured, says where to submit: text, not a dead link.
    settings.NATIONAL_PORTAL_PROCEDURE_URL = ""
    (off,) = Page(client.get(BIRTH)).select(".cta-off")
    assert "1.001193" in off.text and "dichvucong.gov.vn" in off.text
    assert not Page(client.get(BIRTH)).select(".cta a")
    publish(
        catalog_admin,
        birth_document(
            code="1.000894",
            name="Thủ tục đăng ký kết hôn",
            channels=["direct"],
            online_level="none",
            eform=None,
        ),
        mode="local_commune",
    )
    assert not Page(client.get("/thu-tuc/1.000894/")).select(".cta-off")


def test_where_to_submit_for_a_chosen_commune(client, catalog, tree):
    commune = tree["commune"].commune
    page = Page(client.get(BIRTH, {"xa": commune.pk}))
    (select,) = page.select("select#id_xa")
    options = {o.attrs["value"]: o for o in select.walk() if o.tag == "option"}
    assert commune.name in options[str(commune.pk)].text
    assert "selected" in options[str(commune.pk)].attrs
    assert str(tree["commune2"].commune.pk) in options
    where = page.select("section.where")[0].text
    assert "UBND xã" in where
    assert "Bộ phận một cửa xã" in where


def test_where_to_submit_falls_back_to_the_service_center(client, catalog, tree):
    # The second commune's People's Committee has no desk of its own.
    where = Page(client.get(BIRTH, {"xa": tree["commune2"].commune.pk})).select("section.where")
    assert "UBND xã 2" in where[0].text
    assert "Quầy số 01" in where[0].text
    assert "Trung tâm PVHCC" in where[0].text


def test_without_a_commune_the_page_asks_for_one(client, catalog):
    where = Page(client.get(BIRTH)).select("section.where")[0]
    assert "UBND xã" not in where.text
    assert not [n for n in where.walk() if n.tag == "ul"], "no desks before a commune is chosen"
    assert [n for n in where.walk() if n.tag == "select"]


def test_unknown_commune_is_flagged(client, catalog):
    page = Page(client.get(BIRTH, {"xa": "1"}))
    assert page.select("select[aria-invalid=true]")
    assert page.select("#id_xa_error")


def test_province_agency_with_authorisation_needs_no_commune(client, catalog, tree):
    client.cookies["django_language"] = "en"
    where = Page(client.get(PERMIT)).select("section.where")[0].text
    assert "Sở Xây dựng" in where
    assert f"Authorised by {tree['root'].name}" in where
    assert "Quyết định 12/2025/QĐ-UBND" in where
    assert "Quầy số 01" in where


def test_upcoming_version_is_announced(client, catalog, catalog_admin):
    start = timezone.localdate() + dt.timedelta(days=10)
    publish(
        catalog_admin,
        birth_document(
            effective_from=start.isoformat(),
            decision_date=timezone.localdate().isoformat(),
            result_validity="Vĩnh viễn",
        ),
    )
    page = Page(client.get(BIRTH))
    (notice,) = page.select("p.notice[role=note]")
    assert start.strftime("%d/%m/%Y") in notice.text
    # The version in force is still shown.
    assert "Không thời hạn" in page.text


def test_unpublished_procedure_is_not_found(client, catalog_admin, birth_form):
    from motcua.catalog.services import version_save

    version_save(actor=catalog_admin, content=birth_document())
    assert client.get(BIRTH).status_code == 404
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_suspended_procedure_is_not_found(client, catalog, catalog_admin):
    version = catalog.birth.versions.get()
    version_suspend(actor=catalog_admin, version=version, reason="Rà soát")
    assert client.get(BIRTH).status_code == 404


def test_page_structure_is_accessible(client, catalog):
    for url in (BIRTH, PERMIT):
        page = Page(client.get(url))
        page.assert_headings_in_order()
        page.assert_controls_labelled()
        page.assert_tables_accessible()
        assert page.select("main#main")


def test_english_labels(client, catalog):
    client.post("/i18n/setlang/", {"language": "en", "next": BIRTH})
    response = client.get(BIRTH)
    body = response.content.decode()
    assert '<html lang="en">' in body
    for label in [
        "Documents to submit",
        "How to submit",
        "Where to submit and receive the result",
        "Legal basis",
        "Publication decision",
        "Free of charge",
        "Originals",
        "Copies",
        "Submit online on the National Public Service Portal",
    ]:
        assert label in body, label


def test_detail_query_count(client, catalog, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        response = client.get(BIRTH, {"xa": tree["commune"].commune.pk})
    assert response.context["resolution"].competence is not None


def test_demo_forms_download_as_pdf_under_their_title(client, superuser):
    """The demo catalog's forms are what a citizen prints: PDF files named after the form."""
    from motcua.catalog.models import FormTemplate
    from motcua.demo.services import demo_setup

    demo_setup()
    form = FormTemplate.objects.get(name="Tờ khai đăng ký khai sinh")
    assert form.file_name == "Tờ khai đăng ký khai sinh.pdf"
    response = client.get(reverse("portal:form_template", args=[form.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert bytes(response.content).startswith(b"%PDF-")
    assert "Tờ khai đăng ký khai sinh.pdf" in unquote(response["Content-Disposition"])
