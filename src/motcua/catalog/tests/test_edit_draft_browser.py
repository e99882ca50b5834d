"""A catalog administrator fixes a gap from the health page in real Chromium, without typing a
URL: the gap's link opens the field, the fix is saved through the service, the gap is gone.

Set MOTCUA_SCREENSHOTS=1 to refresh docs/screenshots/catalog-edit-draft.png.
"""

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(db):
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.demo.services import demo_setup

    builtin_roles_ensure()
    demo_setup()


def test_gap_link_opens_the_field_and_the_fix_is_saved(live_server, page, demo):
    from motcua.catalog.models import Procedure

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "qt.danhmuc")
    page.fill("#id_password", "MotCua@2026")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + "/admin/catalog/health/?gaps=1")
    row = page.locator("#health-table tr", has_text="1.013225")
    link = row.locator("li[data-code=fee_amount_missing] a").first
    href = link.get_attribute("href")
    assert "#id_fees-" in href and href.endswith("-amount_vnd")
    link.click()
    field = page.locator(href[href.index("#") :])
    assert field.is_visible()
    field.fill("100.000")
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        field.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "catalog-edit-draft.png"))
    page.click("input[name=_save]")
    # The browser keeps the field's #anchor across the redirect.
    page.wait_for_url(re.compile(r".*/procedureversion/\d+/change/(#.*)?$"))
    assert "dự thảo" in page.locator(".messagelist").inner_text()
    procedure = Procedure.objects.get(code="1.013225")
    draft = procedure.versions.order_by("-number").first()
    index = int(href.split("#id_fees-")[1].split("-")[0])
    assert draft.status == "draft"
    assert draft.document["fees"][index]["amount_vnd"] == 100000
