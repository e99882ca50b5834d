"""The catalog administrator's health page and import page in real Chromium, on the demo.

Set MOTCUA_SCREENSHOTS=1 to refresh docs/screenshots/catalog-health.png.
"""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(db):
    # Transactional tests start from an emptied database: rebuild what the demo needs.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.demo.services import demo_setup

    builtin_roles_ensure()
    demo_setup()


def test_catalog_admin_sees_every_gap_and_can_start_an_import(live_server, page, demo):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "qt.danhmuc")
    page.fill("#id_password", "MotCua@2026")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/catalog/health/?gaps=1")
    totals = page.locator(".health-totals").inner_text()
    assert "41" in totals and "32" in totals
    table = page.locator("#health-table").inner_text()
    assert "1.013225" in table  # the construction permit's provincial fee is not filled in
    assert "Thiếu mức thu" in table
    assert "1.001193" not in table  # complete procedures are left out of this view
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "catalog-health.png"), full_page=False)
    page.goto(live_server.url + "/admin/catalog/import/")
    assert page.locator("input[type=file]").count() == 1
