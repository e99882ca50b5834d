"""Every kind of page works under the Content-Security-Policy (issue 11 §5), in real Chromium:
no script, style or image is refused, and the pages' scripts still run (the admin's autocomplete,
Swagger UI). Visits citizens' pages, the officials' dossier pages and the administration."""

from __future__ import annotations

import pytest

from motcua.dossiers.services import dossier_submit

from .conftest import THREE, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "MotCua@2026"
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""


@pytest.fixture(autouse=True)
def territory(db):
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_init_script(COLLECT)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda m: page.console_errors.append(m.text) if m.type == "error" else None,
    )
    yield page
    context.close()


def visit(page, url: str, ready: str = "body") -> None:
    response = page.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp")
    refused = [m for m in page.console_errors if "Content Security Policy" in m]
    assert violations == [] and refused == [], (url, violations, refused)


def test_pages_run_under_the_policy(live_server, page, world, superuser):
    t = world.tree
    dossier = dossier_submit(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        accept=True,
    )
    base = live_server.url
    for url in ["/", "/thu-tuc/", "/thu-tuc/1.001193/", "/thu-tuc/toan-trinh/", "/tra-cuu-ho-so/"]:
        visit(page, base + url)

    superuser.set_password(PASSWORD)
    superuser.save(update_fields=["password"])
    visit(page, base + "/dang-nhap/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(base + "/ho-so/")  # officials land on their work desk

    visit(page, f"{base}/ho-so/")
    visit(page, f"{base}/ho-so/{dossier.pk}/", ready="figure.dossier-diagram svg.wf-diagram")
    svg = page.locator("figure.dossier-diagram svg.wf-diagram")
    assert svg.bounding_box()["width"] > 300  # the diagram is drawn at a readable size

    visit(page, f"{base}/admin/")
    visit(page, f"{base}/admin/accounts/role/")  # a list without actions (Django's inline style)
    visit(page, f"{base}/admin/accounts/grant/")  # with actions
    # The autocomplete widgets are built by the admin's scripts.
    visit(page, f"{base}/admin/accounts/grant/add/", ready=".select2-container")
    visit(page, f"{base}/admin/accounts/user/")
    visit(page, f"{base}/admin/core/auditentry/")
    visit(page, f"{base}/admin/catalog/health/", ready="#health-table")
    width = page.evaluate("document.querySelector('#health-table').getBoundingClientRect().width")
    assert width > 900  # the wide table, from the stylesheet
    visit(page, f"{base}/admin/catalog/import/")
    definition = world.birth_definition
    visit(
        page,
        f"{base}/admin/workflows/processdefinition/{definition.pk}/change/",
        ready="svg.wf-diagram",
    )
    visit(page, f"{base}/admin/workflows/processdefinition/{definition.pk}/steps/")
    # Swagger UI, self-hosted, renders the schema.
    visit(page, f"{base}/api/v1/docs", ready=".swagger-ui .info")
