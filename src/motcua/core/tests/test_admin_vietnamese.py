"""The administration site speaks Vietnamese where Django's own translation is missing or
awkward: the project's catalogues (locale/vi/LC_MESSAGES/django.po and djangojs.po) win."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.core.audit import audit_record

pytestmark = pytest.mark.django_db

# Strings Django leaves in English or says awkwardly in Vietnamese, as they would appear.
ENGLISH_OR_AWKWARD = [
    "Show counts",
    "Hide counts",
    "được chọn",  # "0 của 46 được chọn"
    "Bắt đầu hành động lựa chọn",  # "Run the selected action"
    "Đi đến",  # "Go"
    "Hoạt động:",  # "Action:"
    "Hãy chọn tất cả",
    "Select this object",
    "Select all objects",
    "Skip to main content",
    "Toggle theme",
    "Toggle navigation",
    "Chào mừng bạn",
    "Bởi ",  # " By %(filter_title)s "
    "Bất kì ngày nào",
    "7 ngày trước",
    "Rỗng",
    "Tất cả các ngày",
    "Breadcrumbs",
    "Sidebar",
    "Lưu lại",
    "Bản ghi nhớ",  # "History"
    "Updated at",
    "to change",
    "Chọn phiên bản thủ tục để thay đổi",
]


def visible_text(html: str) -> str:
    """What a person reads or hears: text, titles, labels, button values (no scripts)."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    attributes = re.findall(r'(?:title|aria-label|placeholder|value)="([^"]*)"', html)
    return "\n".join([re.sub(r"<[^>]+>", "\n", html), *attributes])


def assert_vietnamese(text: str) -> None:
    found = [s for s in ENGLISH_OR_AWKWARD if s in text]
    assert not found, found


@pytest.fixture
def root_client(client, superuser):
    client.force_login(superuser)
    return client


def test_changelist_with_filters_facets_and_actions_is_vietnamese(root_client, superuser):
    from motcua.catalog.services import version_save
    from motcua.catalog.tests.documents import document

    version_save(actor=superuser, content=document())
    version_save(actor=superuser, content=document(code="1.000894", name="Đăng ký kết hôn"))
    url = reverse("admin:catalog_procedureversion_changelist")
    text = visible_text(root_client.get(url).content.decode())
    assert_vietnamese(text)
    for wanted in (
        "Danh sách phiên bản thủ tục",
        "Thao tác:",
        "Thực hiện",
        "Thực hiện thao tác đã chọn",
        "Đã chọn 0/2",
        "Hiện số lượng",
        "Theo trạng thái",
        "Chuyển đến nội dung chính",
        "Chọn mục này để thao tác",
    ):
        assert wanted in text, wanted
    faceted = visible_text(root_client.get(url + "?_facets=1").content.decode())
    assert_vietnamese(faceted)
    assert "Ẩn số lượng" in faceted
    searched = visible_text(root_client.get(url + "?q=1.001193").content.decode())
    assert "1 kết quả" in searched and "trên tổng số 2" in searched


def test_date_hierarchy_and_empty_filter_are_vietnamese(root_client, superuser):
    audit_record(actor=superuser, action="test.one", obj=superuser)
    url = reverse("admin:core_auditentry_changelist")
    year = root_client.get(url).content.decode()
    assert_vietnamese(visible_text(year))
    this_year = re.search(r"\?at__year=(\d{4})", year).group(1)
    months = visible_text(root_client.get(f"{url}?at__year={this_year}").content.decode())
    assert_vietnamese(months)
    assert "Mọi thời gian" in months
    assert re.search(rf"Tháng \d{{1,2}}/{this_year}", months)
    calendar = visible_text(
        root_client.get(reverse("admin:core_calendaroverride_changelist")).content.decode()
    )
    assert_vietnamese(calendar)
    assert "Để trống" in calendar and "Có giá trị" in calendar


def test_change_form_buttons_are_vietnamese(root_client):
    text = visible_text(root_client.get(reverse("admin:catalog_lifeevent_add")).content.decode())
    assert_vietnamese(text)
    assert "Lưu và tiếp tục sửa" in text and "Lưu và thêm mục khác" in text


def test_javascript_catalog_counts_the_selection_in_vietnamese(root_client):
    # actions.js says ngettext('%(sel)s of %(cnt)s selected', …); the admin's catalog view
    # serves the translation it uses.
    catalog = root_client.get(reverse("admin:jsi18n")).content.decode()
    assert "\\u0110\\u00e3 ch\\u1ecdn %(sel)s/%(cnt)s" in catalog or (
        "Đã chọn %(sel)s/%(cnt)s" in catalog
    )
    assert "được chọn" not in catalog and "\\u0111\\u01b0\\u1ee3c ch\\u1ecdn" not in catalog


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_selection_counter_reads_vietnamese_in_the_browser(browser, live_server):
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.demo.services import demo_setup

    builtin_roles_ensure()
    demo_setup()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "qt.danhmuc")
        page.fill("#id_password", "MotCua@2026")
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + "/admin/")
        page.goto(live_server.url + "/admin/catalog/procedureversion/")
        total = page.locator("#result_list tbody tr").count()
        assert page.locator(".action-counter").inner_text() == f"Đã chọn 0/{total}"
        page.locator("#result_list tbody input.action-select").first.check()
        assert page.locator(".action-counter").inner_text() == f"Đã chọn 1/{total}"
        page.locator("#action-toggle").check()
        counter = page.locator(".action-counter").inner_text()
        assert counter == f"Đã chọn {total}/{total}"
    finally:
        context.close()
