"""A catalog administrator reviews a demo workflow in real Chromium: diagram, test-run report,
and the same page on a 390 px phone.

Set MOTCUA_SCREENSHOTS=1 to refresh docs/screenshots/workflow-definition.png, workflow-editor.png
and their -phone variants.
"""

import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[4] / "docs" / "screenshots"
PASSWORD = "MotCua@2026"


@pytest.fixture
def demo(db):
    # Transactional tests start from an emptied database: rebuild what the demo needs.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.demo.services import demo_setup

    builtin_roles_ensure()
    demo_setup()


@pytest.fixture
def definition(demo):
    """A demo workflow; made here through the service if the demo has none."""
    from motcua.accounts.models import User
    from motcua.catalog.models import Procedure
    from motcua.organizations.models import Agency, AgencyKind
    from motcua.workflows.forms import empty_template
    from motcua.workflows.models import ProcessDefinition
    from motcua.workflows.services import definition_create

    # The inter-agency birth + health-insurance workflow shows the most (a hand-off).
    for code in ("2.001023", "1.001193"):
        found = ProcessDefinition.objects.filter(procedure__code=code).order_by("pk").first()
        if found is not None:
            return found
    birth = Procedure.objects.get(code="1.001193")
    root = Agency.objects.get(parent__isnull=True, kind=AgencyKind.PROVINCE_PC, code__isnull=False)
    return definition_create(
        actor=User.objects.get(username="qt.danhmuc"),
        procedure=birth,
        province=root.province,
        name="Quy trình đăng ký khai sinh",
        document=empty_template(),
    )


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def test_catalog_admin_sees_the_diagram_and_the_test_run_report(live_server, context, definition):
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "qt.danhmuc")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(live_server.url + "/admin/workflows/processdefinition/")
    page.click(f"a[href='/admin/workflows/processdefinition/{definition.pk}/change/']")
    diagram = page.locator("svg.wf-diagram")
    assert diagram.is_visible()
    assert diagram.locator("g.wf-step").count() == len(definition.spec.steps)
    assert diagram.get_attribute("role") == "img"
    assert page.locator("#wf-steps tbody tr").count() == len(definition.spec.steps)

    page.click("input[name=test_run]")  # a plain POST form: no JavaScript involved
    page.wait_for_selector("#wf-report-steps")
    report = page.locator("#wf-report-steps tbody tr")
    assert report.count() >= 1
    assert definition.spec.first.name in report.first.inner_text()
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "workflow-definition.png"), full_page=True)

    # The same page on a 390 px phone: the diagram shrinks into its box, nothing else
    # makes the page scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    box = page.locator(".wf-diagram-box").bounding_box()
    assert box is not None and box["width"] <= 390
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390 + 1
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / "workflow-definition-phone.png"), full_page=True)

    # A new version opens in the step editor: one fieldset per step, no JavaScript needed.
    page.click("input[name=new_version]")
    page.wait_for_selector("fieldset#step-0")
    assert page.locator("fieldset.wf-step-set[id^=step-]").count() == len(definition.spec.steps)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    if os.environ.get("MOTCUA_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / "workflow-editor-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / "workflow-editor.png"), full_page=True)
