"""The whole walk of issue 14 in real Chromium (Debian's), as people really work: a dossier is
registered at the commune's desk for Nguyễn Thị Lan; the officer logs in, lands on the desk
and accepts it; the chair assigns it from the list; the specialist asks for a supplement, and
Lan logs in through the simulated VNeID, finds the dossier in "Hồ sơ của tôi" and answers with
an upload; the specialist checks it; the chair signs; the officer returns the result — the
desk's tab counts following the dossier — and Lan downloads the signed result and rates it.

With MOTCUA_SCREENSHOTS=<dir> each stage is also saved there as a PNG (docs/screenshots/ is
made this way: `MOTCUA_SCREENSHOTS=docs/screenshots make test PYTEST_ARGS=-k walk`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import DossierFactory, draft_pdf
from motcua.feedback.models import Rating

from .conftest import LAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "MotCua@2026"
SHOTS = os.environ.get("MOTCUA_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def log_in(context, base: str, user):
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/ho-so/")  # every official lands on the desk
    return page


def tab(page, slug: str) -> int:
    return int(page.locator(f"#tab-{slug} .tab-count").inner_text().strip())


def act(page, base: str, d: Dossier, panel: str) -> None:
    page.goto(f"{base}/ho-so/{d.pk}/")
    panel_box = page.locator(f"#thao-tac-{panel}")
    if panel_box.get_attribute("open") is None:
        page.click(f"#thao-tac-{panel} summary")
    page.click(f"#thao-tac-{panel} button[type=submit]")
    page.wait_for_load_state()


def test_a_dossier_from_the_desk_to_the_citizens_rating(reloaded, world, provider, browser):
    base = provider
    d = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"]
    )
    assert d.applicant_id_number == LAN and d.status == Status.SUBMITTED
    contexts = []

    def context(width: int = 1366):
        c = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
        contexts.append(c)
        return c

    try:
        # The officer: the desk, the dossier waiting; accept it.
        officer = log_in(context(), base, world["commune_officer"])
        assert tab(officer, "cho-tiep-nhan") == 1
        shot(officer, "01-ban-lam-viec-tiep-nhan")
        act(officer, base, d, "tiep-nhan")
        shot(officer, "02-ho-so-da-tiep-nhan")
        officer.goto(f"{base}/ho-so/")
        assert tab(officer, "cho-tiep-nhan") == 0

        # The chair assigns it from the list.
        chair = log_in(context(), base, world["commune_chair"])
        assert tab(chair, "cho-phan-cong") == 1
        chair.click("#tab-cho-phan-cong")
        chair.check(f"#chon-{d.pk}")
        chair.select_option("#id_can_bo", str(world["commune_specialist"].pk))
        shot(chair, "03-phan-cong-tu-danh-sach")
        chair.click("#bulk-assign fieldset button[type=submit]")
        chair.wait_for_load_state()
        assert tab(chair, "cho-phan-cong") == 0

        # The specialist finds a paper unreadable and asks Lan for it: the clock stops.
        specialist = log_in(context(), base, world["commune_specialist"])
        assert tab(specialist, "cua-toi") == 1
        specialist.goto(f"{base}/ho-so/{d.pk}/")
        specialist.click("#thao-tac-yeu-cau-bo-sung summary")
        specialist.fill("#yeu-cau-bo-sung-items", "Bản chụp giấy chứng sinh rõ nét")
        specialist.fill("#yeu-cau-bo-sung-reason", "Giấy chứng sinh đã nộp bị mờ")
        specialist.click("#thao-tac-yeu-cau-bo-sung button[type=submit]")
        specialist.wait_for_load_state()
        assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT

        # Lan: VNeID, Hồ sơ của tôi, what is asked of her, answered by an upload.
        lan = context(width=390).new_page()
        lan.goto(f"{base}/")
        shot(lan, "06-trang-chu-nguoi-dan")
        lan.click("header.site a[href='/dang-nhap/vneid/']")
        lan.wait_for_url(f"{base}/sim/vneid/authorize?*")
        lan.check(f"input[name=tai_khoan][value='{LAN}']")
        lan.click("button[name=dong_y]")
        lan.wait_for_url(f"{base}/ho-so-cua-toi/")
        assert d.code in lan.locator("main").inner_text()
        shot(lan, "07-ho-so-cua-toi")
        lan.click(f"a[href='/ho-so-cua-toi/{d.code}/']")
        assert "Giấy chứng sinh đã nộp bị mờ" in lan.locator("main").inner_text()
        lan.set_input_files(
            "#muc-1",
            {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": draft_pdf()},
        )
        shot(lan, "07b-nop-bo-sung")
        lan.click(f"form[action='/ho-so-cua-toi/{d.code}/bo-sung/'] button[type=submit]")
        lan.wait_for_url(f"{base}/ho-so-cua-toi/{d.code}/")
        assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING

        # The specialist sees the paper and forwards the dossier to be signed.
        specialist.goto(f"{base}/ho-so/{d.pk}/")
        assert "giay-chung-sinh.pdf" in specialist.locator("main").inner_text()
        act(specialist, base, d, "act-forward")
        shot(specialist, "04-chuyen-ky")
        assert Dossier.objects.get(pk=d.pk).step_key == "ky"
        # … and uploads the draft result the chair signs (R28).
        specialist.goto(f"{base}/ho-so/{d.pk}/")
        specialist.set_input_files(
            "#du-thao-ket-qua",
            {"name": "du-thao.pdf", "mimeType": "application/pdf", "buffer": draft_pdf()},
        )
        specialist.click("form.draft-upload button[type=submit]")
        specialist.wait_for_load_state()
        assert "du-thao.pdf" in specialist.locator("#ket-qua").inner_text()

        # The chair signs; the signed result is ready at the desk.
        act(chair, base, d, "act-forward")
        assert Dossier.objects.get(pk=d.pk).status == Status.DONE
        assert f"ket-qua-{d.code}.pdf" in chair.locator("#ket-qua").inner_text()
        officer.goto(f"{base}/ho-so/")
        assert tab(officer, "cho-tra-ket-qua") == 1
        act(officer, base, d, "tra-ket-qua")
        shot(officer, "05-da-tra-ket-qua")
        assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED
        officer.goto(f"{base}/ho-so/")
        assert tab(officer, "cho-tra-ket-qua") == 0

        # Lan, later: the signed result downloaded, then her rating.
        lan.goto(f"{base}/ho-so-cua-toi/{d.code}/")
        link = lan.locator("a.result-download")
        assert link.count() == 1
        result = lan.request.get(base + link.get_attribute("href"))  # her session's cookies
        assert result.ok and result.headers["content-type"] == "application/pdf"
        assert result.body().startswith(b"%PDF-") and b"/ByteRange" in result.body()
        lan.click(f"a[href='/ho-so-cua-toi/{d.code}/danh-gia/']")
        lan.check("input[name=muc_do][value=very_satisfied]")
        shot(lan, "08-danh-gia")
        lan.click("main form button[type=submit]")
        lan.wait_for_url(f"{base}/ho-so-cua-toi/{d.code}/")
        assert Rating.objects.get(dossier=d).level == "very_satisfied"
        assert lan.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        for c in contexts:
            c.close()
