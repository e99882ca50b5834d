"""In real Chromium (Debian's): a citizen logs in through the simulated VNeID from the public
header and finds the dossier a desk received for them in "Hồ sơ của tôi"."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers.tests.factories import DossierFactory

from .conftest import LAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_logs_in_through_vneid_and_sees_the_desk_dossier(
    reloaded, world, provider, browser
):
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{provider}/tra-cuu-ho-so/")
        page.click("header.site a[href='/dang-nhap/vneid/']")
        page.wait_for_url(f"{provider}/sim/vneid/authorize?*")
        assert page.locator("h1").inner_text() == "Đăng nhập bằng tài khoản định danh điện tử"
        page.check(f"input[name=tai_khoan][value='{LAN}']")
        page.click("button[name=dong_y]")
        page.wait_for_url(f"{provider}/ho-so-cua-toi/")
        assert page.locator("h1").inner_text() == "Hồ sơ của tôi"
        assert "Nguyễn Thị Lan" in page.locator("header.site").inner_text()
        page.click(f"a[href='/ho-so-cua-toi/{d.code}/']")
        page.wait_for_url(f"{provider}/ho-so-cua-toi/{d.code}/")
        assert d.code in page.locator("h1").inner_text()
        assert page.locator(".appointment time").count() == 1  # accepted: the appointment
        assert page.locator("ol.timeline li").count() >= 1
        # Log out: ours, then the provider's end-session, back to the home page.
        page.click("header.site form[action='/dang-xuat/vneid/'] button")
        page.wait_for_url(re.compile(re.escape(provider) + r"/(\?state=.*)?$"))
        assert page.locator("header.site a[href='/dang-nhap/vneid/']").count() == 1
    finally:
        context.close()
