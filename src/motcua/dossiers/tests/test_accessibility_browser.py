"""axe-core (self-hosted: src/motcua/tests/vendor/axe-core) audits the main pages of both sides
in real Chromium: the citizens' (home, catalog, procedure, tracking with an answer, login,
signature verification), the officials' (desk, reception, a dossier, its fees), the
applicant's (Hồ sơ của tôi, a dossier, the data warehouse) and the kiosk, at a small phone's
width (360 px) and at 1366 px. No serious or critical violation may remain, and no page may be
wider than the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from motcua.adapters.vneid import VneidIdentity
from motcua.citizens.services import citizen_login

from .test_pages_browser import (  # noqa: F401 — fixtures
    PASSWORD,
    receive,
    territory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "tests" / "vendor" / "axe-core" / "axe.min.js"
AUDIT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
}"""


def audit(page, where: str) -> list:
    # The pages' Content-Security-Policy admits no injected script: the context bypasses it.
    page.add_script_tag(path=str(AXE))
    found = [{**v, "page": where} for v in page.evaluate(AUDIT)]
    # Works at the width: nothing wider than the screen (a table may scroll inside its box).
    width = page.viewport_size["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth")
    if overflow > width:
        found.append({"id": "horizontal-overflow", "page": where, "width": overflow})
    return found


@pytest.mark.parametrize("width", [360, 1366])
def test_main_pages_have_no_serious_or_critical_violation(browser, live_server, world, width):
    d = receive(world, accept=True)
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    found = []
    try:
        base = live_server.url
        for path in ("/", "/thu-tuc/", f"/thu-tuc/{world.birth.code}/", "/dang-nhap/"):
            page.goto(base + path)
            found += audit(page, path)
        page.goto(base + "/tra-cuu-ho-so/")
        found += audit(page, "/tra-cuu-ho-so/")
        page.fill("#ma", d.code)
        page.fill("#xac_thuc", d.applicant_id_number)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        assert d.code in page.content()
        found += audit(page, "/tra-cuu-ho-so/ (answer)")

        officer = world["commune_officer"]
        officer.set_password(PASSWORD)
        officer.save(update_fields=["password"])
        page.goto(base + "/dang-nhap/")
        page.fill("#id_username", officer.username)
        page.fill("#id_password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(base + "/ho-so/")
        for path in (
            "/ho-so/",
            "/ho-so/?the=tat-ca",
            "/ho-so/tiep-nhan/",
            f"/ho-so/{d.pk}/",
            f"/thanh-toan/ho-so/{d.pk}/",
            "/xac-thuc/",
        ):
            page.goto(base + path)
            found += audit(page, path)

        # The applicant, logged in (VNeID's walk is tested elsewhere): her pages.
        context.clear_cookies()
        lan = citizen_login(
            identity=VneidIdentity(
                subject="sub-lan",
                kind="citizen",
                number=d.applicant_id_number,
                name=d.applicant_name,
                ial="2",
                id_token="x",
            )
        )
        client = Client()
        client.force_login(lan)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
        for path in ("/ho-so-cua-toi/", f"/ho-so-cua-toi/{d.code}/", "/kho-du-lieu/", "/ki-ot/"):
            page.goto(base + path)
            found += audit(page, path)
    finally:
        context.close()
    assert found == []
