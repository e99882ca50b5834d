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


# Every word of the visible table headers and cells, and whether the browser split it across
# lines (a word laid out in more than one line box is broken mid-word).
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("table th, table td")) {
    // Not shown, or only to screen readers (the phones' card layout hides the header row).
    if (!cell.offsetParent || cell.closest("thead")?.getBoundingClientRect().width <= 2) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[\\p{L}\\p{M}]+/gu;  // words of letters; codes and numbers may wrap
      let m;
      while ((m = re.exec(node.data))) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", [1366, 360])
def test_public_tables_break_no_word_and_fit_the_screen(browser, live_server, demo_province, width):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for path in ("/thu-tuc/1.001193/", "/thu-tuc/2.001610/", "/thu-tuc/toan-trinh/"):
            page.goto(live_server.url + path)
            assert page.evaluate(BROKEN_WORDS) == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()
