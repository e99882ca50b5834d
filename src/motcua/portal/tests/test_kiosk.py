"""Kiosk mode (/ki-ot/): the service center's self-service screen — no login, large touch
targets, back to the start after a while, whoever used it before logged out."""

from __future__ import annotations

import pytest
from django.test import Client

from .dom import Page

pytestmark = pytest.mark.django_db


def test_the_kiosk_logs_out_whoever_was_there_and_shows_no_login(client, catalog, catalog_admin):
    client.force_login(catalog_admin)
    response = client.get("/ki-ot/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session and client.session["kiosk"] is True
    page = Page(response)
    assert page.select("body.kiosk")
    links = [a.attrs.get("href") for a in page.select("header a")]
    assert "/dang-nhap/" not in links and "/admin/" not in links
    assert "/tra-cuu-ho-so/" in links and "/thu-tuc/" in links
    # Search and tracking on the start page, every control labelled.
    assert [f.attrs["action"] for f in page.select("main form")] == ["/thu-tuc/", "/tra-cuu-ho-so/"]
    page.assert_controls_labelled()
    # The start page itself does not refresh (a citizen may be typing).
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_kiosk_pages_go_back_to_the_start_and_carry_no_login(client, catalog, settings):
    settings.KIOSK_IDLE_SECONDS = 90
    client.get("/ki-ot/")
    for path in ("/thu-tuc/", "/thu-tuc/1.009994/", "/tra-cuu-ho-so/"):
        body = client.get(path).content.decode()
        assert '<meta http-equiv="refresh" content="90;url=/ki-ot/">' in body, path
        assert 'href="/dang-nhap/"' not in body, path
        assert 'class="kiosk"' in body, path


def test_leaving_kiosk_mode_and_other_browsers_are_not_kiosks(client, catalog):
    client.get("/ki-ot/")
    assert client.post("/ki-ot/thoat/").status_code == 302
    body = client.get("/thu-tuc/").content.decode()
    assert 'class="kiosk"' not in body and 'href="/dang-nhap/"' in body
    other = Client().get("/thu-tuc/").content.decode()
    assert 'class="kiosk"' not in other and "http-equiv" not in other
    assert client.get("/ki-ot/thoat/").status_code == 405
