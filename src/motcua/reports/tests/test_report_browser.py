"""Báo cáo in real Chromium (Debian's) against the live server: a leader opens it from the menu
and the month's "settled" figure and the held-now counts change once a dossier is settled; the
page without JavaScript at 360 px and at 1366 px, nothing scrolling sideways."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests.test_desk_browser import log_in_plainly
from motcua.dossiers.tests.test_pages_browser import (  # noqa: F401 — fixtures
    browser_context,
    receive,
    territory,
)

from .drive import act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTLED = "section[aria-labelledby=h-this] table tfoot td[data-label='Đã giải quyết']"
HELD = "section[aria-labelledby=h-now] table tfoot td[data-label='Đang giữ']"


def test_a_leader_opens_the_report_from_the_menu_and_sees_a_settlement(
    live_server,
    browser_context,  # noqa: F811 — the fixture imported above
    world,
):
    from django.utils import timezone

    d = receive(world, accept=True)
    leader = browser_context(java_script_enabled=False, viewport={"width": 1366, "height": 900})
    log_in_plainly(leader, live_server, world["commune_chair"])
    leader.click("header.site nav a:text-is('Báo cáo')")
    leader.wait_for_url(f"{live_server.url}/bao-cao/")
    assert leader.locator("h1").inner_text() == "Báo cáo"
    assert leader.locator(SETTLED).inner_text().strip() == "0"
    assert leader.locator(HELD).inner_text().strip() == "1"
    assert leader.locator("a:text-is('Sổ theo dõi hồ sơ (PDF, .xlsx)')").count() == 1
    assert leader.evaluate("document.documentElement.scrollWidth") <= 1366

    # The specialist checks it, the chair signs it: the result is ready.
    now = timezone.now()
    assert act(world, "forward", d, now)
    assert act(world, "forward", d, now)
    leader.reload()
    assert leader.locator(SETTLED).inner_text().strip() == "1"

    phone = browser_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    log_in_plainly(phone, live_server, world["commune_chair"])
    phone.goto(f"{live_server.url}/bao-cao/")
    assert phone.locator(SETTLED).inner_text().strip().endswith("1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
