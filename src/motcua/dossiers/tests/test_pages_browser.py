"""The dossier pages in real Chromium (Debian's) against the live server: a desk officer
receives and accepts a dossier and opens its receipt, the specialist advances it, an applicant
tracks it on the public page; and the dossier page works with JavaScript off, on a phone.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.printing.pdf import text_of_pdf

from .factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "MotCua@2026"
PHONE = 390


@pytest.fixture(autouse=True)
def territory(db):
    # Transactional tests empty the database after each test, the territory included.
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()


@pytest.fixture
def browser_context(browser):
    contexts = []

    def make(**options):
        options.setdefault("locale", "vi-VN")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, live_server, user, next_url: str) -> None:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.goto(f"{live_server.url}/dang-nhap/?next={next_url}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def receive(world, *, accept: bool) -> Dossier:
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=accept,
    )


def test_desk_officer_receives_accepts_and_prints_then_the_specialist_advances(
    live_server, browser_context, world
):
    page = browser_context()
    log_in(page, live_server, world["commune_officer"], "/ho-so/")
    page.click("a.button-link[href='/ho-so/tiep-nhan/']")
    page.fill("#id_q", "dang ky khai sinh")
    page.click(".search-row button[type=submit]")
    page.click("ol.result-list a[href='/ho-so/tiep-nhan/?thu_tuc=1.001193']")

    page.fill("#id_applicant_name", "Huỳnh Văn Bé")
    page.fill("#id_applicant_id_number", "087190007777")
    page.fill("#id_applicant_phone", "0918000111")
    page.select_option("#id_applicant_commune", str(world.tree["commune"].commune_id))
    page.uncheck("#id_accept")  # register first, accept after checking it
    page.click("form.receive-form > p > button[name=save]")
    page.wait_for_url(re.compile(r"/ho-so/\d+/$"))
    d = Dossier.objects.get(applicant_name="Huỳnh Văn Bé")
    assert d.status == Status.SUBMITTED
    assert d.components.count() == 2  # the two required components, ticked by default

    page.click("#thao-tac-tiep-nhan button[type=submit]")
    page.wait_for_load_state()
    message = page.locator("p.msg-success")
    assert d.code in message.inner_text()
    receipt = message.locator("a")
    href = receipt.get_attribute("href")
    assert href == f"/api/v1/dossiers/{d.pk}/forms/receipt.pdf"
    pdf = page.request.get(live_server.url + href)  # the page's session cookie goes along
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text_of_pdf(pdf.body())
    assert "Huỳnh Văn Bé" in text_of_pdf(pdf.body())
    d.refresh_from_db()
    assert d.status == Status.ACCEPTED and d.step_key == "tham-dinh"

    specialist = browser_context()
    log_in(specialist, live_server, world["commune_specialist"], "/ho-so/?cua_toi=1")
    specialist.click(f"table.dossier-list a:text-is('{d.code}')")
    specialist.wait_for_url(f"{live_server.url}/ho-so/{d.pk}/")
    highlighted = specialist.locator("figure.dossier-diagram svg")
    assert highlighted.is_visible()
    specialist.fill("#act-forward-note", "Hồ sơ đầy đủ, hợp lệ")
    specialist.click("#thao-tac-act-forward button[type=submit]")
    specialist.wait_for_load_state()
    assert "Ký giấy khai sinh" in specialist.locator("dl.dossier-facts").inner_text()
    assert "Hồ sơ đầy đủ, hợp lệ" in specialist.locator("table.history").inner_text()
    d.refresh_from_db()
    assert d.step_key == "ky" and d.status == Status.PROCESSING


def test_dossier_page_works_without_javascript_on_a_phone(live_server, browser_context, world):
    d = receive(world, accept=False)
    page = browser_context(java_script_enabled=False, viewport={"width": PHONE, "height": 844})
    log_in(page, live_server, world["commune_officer"], f"/ho-so/{d.pk}/")
    # <details> opens natively; the form is a plain POST.
    page.click("#thao-tac-yeu-cau-bo-sung summary")
    page.fill("#yeu-cau-bo-sung-items", "Bản chính giấy chứng sinh")
    page.fill("#yeu-cau-bo-sung-reason", "Giấy chứng sinh là bản chụp")
    page.click("#thao-tac-yeu-cau-bo-sung button[type=submit]")
    page.wait_for_url(f"{live_server.url}/ho-so/{d.pk}/")
    assert page.locator("p.msg-success").count() == 1
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT
    assert page.locator("a.form-supplement").count() == 1
    # On a phone nothing makes the page scroll sideways (tables become cards).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_public_tracking_by_code_and_phone(live_server, browser_context, world):
    cache.clear()  # the tracking rate limit counts per address
    d = receive(world, accept=True)
    page = browser_context(java_script_enabled=False, viewport={"width": PHONE, "height": 844})
    page.goto(f"{live_server.url}/tra-cuu-ho-so/?ma={d.code}")
    assert page.locator("#ma").input_value() == d.code
    page.fill("#xac_thuc", "0900000000")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "Không có hồ sơ nào khớp" in page.locator("p.error").inner_text()
    assert page.locator("#result-h").count() == 0

    page.fill("#ma", d.code)
    page.fill("#xac_thuc", "0912345678")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert d.code in page.locator("#result-h").inner_text()
    assert "Được tiếp nhận" in page.locator("dl.facts").inner_text()
    assert "Nguyễn Thị Lan" not in page.content()  # no personal data
    cache.clear()
