"""The applicant logged in with VNeID pays from "Hồ sơ của tôi" over real HTTP, and downloads
the receipt; another citizen can do neither."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.adapters.vneid import VneidIdentity
from motcua.citizens.services import citizen_login
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.payments.services import payment_start_public

from .conftest import LAN, awaiting, pay_on_platform

pytestmark = pytest.mark.django_db(transaction=True)


def login(number: str, name: str) -> Client:
    user = citizen_login(
        identity=VneidIdentity(
            subject=f"sub-{number}", kind="citizen", number=number, name=name, ial="2", id_token="x"
        )
    )
    c = Client()
    c.force_login(user)
    return c


def test_applicant_pays_from_my_dossiers_and_gets_the_receipt(reloaded, world, platform):
    p = awaiting(world)
    lan = login(LAN, "Nguyễn Thị Lan")
    page = lan.get(f"/ho-so-cua-toi/{p.dossier.code}/").content.decode()
    assert f'action="/thanh-toan/cua-toi/{p.dossier.code}/"' in page

    started = lan.post(f"/thanh-toan/cua-toi/{p.dossier.code}/")

    assert started.status_code == 302
    assert started["Location"].startswith(platform + "/sim/thanh-toan/thanh-toan/")
    pay_on_platform(started["Location"])
    p.refresh_from_db()
    assert p.status == "paid"
    assert Dossier.objects.get(pk=p.dossier_id).status == Status.PROCESSING
    receipt = lan.get(f"/thanh-toan/{p.pk}/bien-lai.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")
    # "Hồ sơ của tôi" lists it among the papers from the agency (page and API).
    page = lan.get(f"/ho-so-cua-toi/{p.dossier.code}/").content.decode()
    assert f"/thanh-toan/{p.pk}/bien-lai.pdf" in page
    receipts = lan.get(f"/api/v1/me/dossiers/{p.dossier.code}").json()["receipts"]
    assert [(r["payment_id"], r["amount_vnd"]) for r in receipts] == [(p.pk, p.amount_vnd)]


def test_another_citizen_cannot_start_nor_read_the_receipt(reloaded, world, platform):
    p = awaiting(world)
    hung = login("087085004321", "Trần Văn Hùng")

    page = hung.post(f"/thanh-toan/cua-toi/{p.dossier.code}/")
    api = hung.post(
        f"/api/v1/payments/mine/{p.dossier.code}/start", json.dumps({}), "application/json"
    )

    assert (page.status_code, api.status_code) == (404, 404)
    p.refresh_from_db()
    assert p.status == "created"
    paid = payment_start_public(code=p.dossier.code, factor=LAN)
    pay_on_platform(paid.pay_url)
    assert hung.get(f"/thanh-toan/{paid.pk}/bien-lai.pdf").status_code == 404
    assert hung.get(f"/api/v1/payments/{paid.pk}/receipt.pdf").status_code == 404
