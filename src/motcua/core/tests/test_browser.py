"""Real Chromium (Debian's) through Playwright against the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_province(db):
    # Transactional tests start from an emptied database: rebuild what the demo needs.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.demo.services import demo_setup

    builtin_roles_ensure()
    demo_setup()


def test_home_page_on_a_phone(live_server, page, demo_province):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert (
        "Hệ thống thông tin giải quyết thủ tục hành chính cấp tỉnh"
        in page.locator("h1").inner_text()
    )
    assert "Ủy ban nhân dân tỉnh Đồng Tháp" in page.content()
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_province_admin_logs_in_and_sees_only_their_tree(live_server, page, demo_province):
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "qt.tinh")
    page.fill("#id_password", "MotCua@2026")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    assert "Quản trị MộtCửa" in page.content()
    page.goto(live_server.url + "/admin/organizations/agency/")
    body = page.locator("#result_list").inner_text()
    assert "Sở Tư pháp" in body
    assert "000.00.00.H20" in body


def test_switch_to_english(live_server, page, demo_province):
    page.goto(live_server.url + "/")
    page.click("button[value=en]")
    page.wait_for_load_state()
    assert (
        "Provincial administrative-procedure settlement information system"
        in page.locator("h1").inner_text()
    )
