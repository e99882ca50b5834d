"""The work desk in real Chromium (Debian's) against the live server: an official logs in and
lands on the desk, the tab counts change as a dossier moves from reception to the specialist,
the chair assigns from the list; the desk without JavaScript on a phone and at 1366 px."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier

from .test_pages_browser import (  # noqa: F401 — fixtures
    PASSWORD,
    PHONE,
    browser_context,
    receive,
    territory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_plainly(page, live_server, user) -> None:
    """The login form without `next`: where an official lands."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ho-so/")


def tab_count(page, slug: str) -> str:
    return page.locator(f"#tab-{slug} .tab-count").inner_text().strip()


def test_an_official_lands_on_the_desk_and_the_counts_follow_the_dossier(
    live_server,
    browser_context,  # noqa: F811 — the fixture imported above
    world,
):
    d = receive(world, accept=False)
    officer = browser_context()
    log_in_plainly(officer, live_server, world["commune_officer"])
    # The desk: "my work" by default, the dossier waiting to be received counted.
    assert officer.locator(".desk-tabs a[aria-current=page]").get_attribute("id") == "tab-cua-toi"
    assert tab_count(officer, "cho-tiep-nhan") == "1"
    assert officer.locator("header.site nav a[href='/admin/']").count() == 0
    officer.click("#tab-cho-tiep-nhan")
    officer.click(f"table.dossier-list a:text-is('{d.code}')")
    officer.wait_for_url(f"{live_server.url}/ho-so/{d.pk}/")
    officer.click("#thao-tac-tiep-nhan button[type=submit]")
    officer.wait_for_load_state()
    d.refresh_from_db()
    assert d.status == Status.ACCEPTED
    officer.goto(f"{live_server.url}/ho-so/")
    assert tab_count(officer, "cho-tiep-nhan") == "0"

    chair = browser_context(viewport={"width": 1366, "height": 900})
    log_in_plainly(chair, live_server, world["commune_chair"])
    assert tab_count(chair, "cho-phan-cong") == "1"
    chair.click("#tab-cho-phan-cong")
    chair.check(f"#chon-{d.pk}")
    specialist = world["commune_specialist"]
    chair.select_option("#id_can_bo", str(specialist.pk))
    chair.click("#bulk-assign fieldset button[type=submit]")
    chair.wait_for_url(re.compile(r"/ho-so/\?the=cho-phan-cong$"))
    assert d.code in chair.locator("p.msg-success").inner_text()
    assert tab_count(chair, "cho-phan-cong") == "0"
    assert Dossier.objects.get(pk=d.pk).assignee == specialist
    # At 1366 px nothing scrolls sideways.
    assert chair.evaluate("document.documentElement.scrollWidth") <= 1366

    phone = browser_context(java_script_enabled=False, viewport={"width": PHONE, "height": 844})
    log_in_plainly(phone, live_server, specialist)
    assert tab_count(phone, "cua-toi") == "1"
    assert d.code in phone.locator("table.dossier-list").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
