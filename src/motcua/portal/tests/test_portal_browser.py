"""The procedure catalog in real Chromium (Debian's) on a 390px phone, with JavaScript off.

Set MOTCUA_SCREENSHOTS=1 to refresh docs/screenshots/catalog-list.png and catalog-detail.png.
"""

import os
from pathlib import Path

import pytest

from .conftest import build_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"


@pytest.fixture
def page(browser):
    # JavaScript off: every page must work with plain links and GET forms.
    context = browser.new_context(
        locale="vi-VN", viewport={"width": WIDTH, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def territory(db):
    # Transactional tests empty the database after each test, the territory included.
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()


def screenshot(page, name: str) -> None:
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_citizen_finds_a_procedure_on_a_phone(live_server, page, roles, tree, make_official):
    admin = make_official("catalog", tree["root"], [("catalog_admin", tree["root"], True)])
    catalog = build_catalog(admin, tree)

    page.goto(live_server.url + "/thu-tuc/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#id_q", "cap giay")
    page.click(".search-row button[type=submit]")
    page.wait_for_load_state()
    assert "q=cap+giay" in page.url
    results = page.locator("ol.result-list > li")
    assert results.count() == 1
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in results.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "catalog-list.png")

    page.click("ol.result-list h3 a")
    page.wait_for_load_state()
    assert page.url.endswith("/thu-tuc/1.009994/")
    assert page.locator("h1").inner_text() == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    rows = page.locator("table.components tbody tr")
    assert rows.count() == 2
    assert "Đơn đề nghị cấp giấy phép xây dựng" in rows.nth(0).inner_text()
    assert "Mẫu 01 - Đơn đề nghị cấp GPXD.docx" in rows.nth(0).inner_text()
    assert "Bản vẽ thiết kế xây dựng" in rows.nth(1).inner_text()
    # Phones get one card per row; nothing overflows the screen.
    assert page.locator("table.components thead").bounding_box()["height"] <= 1
    assert no_horizontal_scroll(page)
    assert "Sở Xây dựng" in page.locator("section.where").inner_text()
    screenshot(page, "catalog-detail.png")

    # The commune picker is a plain GET form.
    page.goto(live_server.url + f"/thu-tuc/{catalog.birth.code}/")
    page.select_option("#id_xa", str(tree["commune"].commune.pk))
    page.click(".commune-form button[type=submit]")
    page.wait_for_load_state()
    assert f"xa={tree['commune'].commune.pk}" in page.url
    where = page.locator("section.where").inner_text()
    assert "UBND xã" in where
    assert "Bộ phận một cửa xã" in where
    assert no_horizontal_scroll(page)
