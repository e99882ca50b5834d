"""The two kinds of financial obligation (national status 6) stay apart: the procedure's fees
are computed from the catalog and paid online (payments app), never typed in; an amount set by
another authority's notice (tax, land levy) is recorded with that notice, and the applicant is
told to pay it there — no "Pay online" that could only fail."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.adapters.vneid import VneidIdentity
from motcua.citizens.services import citizen_login
from motcua.core.errors import InvalidInput
from motcua.dossiers.constants import EventKind, PaymentBasis, Status
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import dossier_request_payment

from .conftest import LAN, accepted, awaiting

pytestmark = pytest.mark.django_db


def lan() -> Client:
    user = citizen_login(
        identity=VneidIdentity(
            subject=f"sub-{LAN}",
            kind="citizen",
            number=LAN,
            name="Nguyễn Thị Lan",
            ial="2",
            id_token="x",
        )
    )
    c = Client()
    c.force_login(user)
    return c


def official(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_notice_obligation_needs_its_authority_and_number_and_changes_nothing(world):
    d = accepted(world)
    version, events = d.version, d.events.count()
    for authority, number in (("", "TB-1"), ("Thuế cơ sở 1", " "), ("", "")):
        with pytest.raises(InvalidInput) as refused:
            dossier_request_payment(
                actor=world["commune_specialist"],
                dossier=d,
                expected_version=version,
                amount_vnd=1_500_000,
                authority=authority,
                notice_number=number,
            )
        assert set(refused.value.errors) <= {"authority", "notice_number"}
    api = official(world["commune_specialist"]).post(
        f"/api/v1/dossiers/{d.pk}/payment-request",
        json.dumps({"version": version, "amount_vnd": 1_500_000}),
        "application/json",
    )
    assert api.status_code == 422
    assert api.json()["code"] == "invalid"
    assert {"authority", "notice_number"} <= set(api.json()["errors"])
    d.refresh_from_db()
    assert (d.version, d.status, d.events.count()) == (version, Status.ACCEPTED, events)


def test_a_notice_obligation_tells_the_applicant_where_to_pay_and_offers_no_online_payment(
    world,
):
    d = accepted(world)
    d = dossier_request_payment(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        amount_vnd=1_500_000,
        authority="Thuế cơ sở 1 tỉnh Thái Nguyên",
        notice_number="TB-2026-0042",
        note="Tiền sử dụng đất",
    )
    assert d.status == Status.AWAITING_PAYMENT
    event = DossierEvent.objects.get(dossier=d, kind=EventKind.PAYMENT_REQUEST)
    assert event.data == {
        "basis": PaymentBasis.NOTICE,
        "amount_vnd": 1_500_000,
        "authority": "Thuế cơ sở 1 tỉnh Thái Nguyên",
        "notice_number": "TB-2026-0042",
    }
    citizen = lan()
    page = citizen.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "TB-2026-0042" in page and "Thuế cơ sở 1 tỉnh Thái Nguyên" in page
    assert "1.500.000" in page
    assert "/thanh-toan/cua-toi/" not in page  # no button that could only fail
    asked = citizen.get(f"/api/v1/me/dossiers/{d.code}").json()["request"]
    assert asked["basis"] == "notice" and asked["payable_online"] is False
    assert asked["notice_number"] == "TB-2026-0042"


def test_catalog_fees_are_payable_online_and_carry_their_reference(world):
    p = awaiting(world)
    event = DossierEvent.objects.get(dossier_id=p.dossier_id, kind=EventKind.PAYMENT_REQUEST)
    assert event.data == {
        "basis": PaymentBasis.FEES,
        "amount_vnd": p.amount_vnd,
        "reference": p.reference,
    }
    citizen = lan()
    page = citizen.get(f"/ho-so-cua-toi/{p.dossier.code}/").content.decode()
    assert f'action="/thanh-toan/cua-toi/{p.dossier.code}/"' in page
    asked = citizen.get(f"/api/v1/me/dossiers/{p.dossier.code}").json()["request"]
    assert (asked["basis"], asked["payable_online"], asked["amount_vnd"]) == (
        "fees",
        True,
        p.amount_vnd,
    )


def test_the_dossier_page_asks_for_the_notice_and_points_to_the_fees_page(world):
    d = accepted(world)
    page = official(world["commune_specialist"]).get(f"/ho-so/{d.pk}/").content.decode()
    assert 'name="notice_number"' in page and 'name="authority"' in page
    assert f"/thanh-toan/ho-so/{d.pk}/" in page


@pytest.mark.parametrize("amount", [True, "1500000", 1500000.0])
def test_an_amount_that_is_not_a_whole_number_is_refused_by_the_api(world, amount):
    """JSON `true`, a string or a float is not an amount of đồng (no coercion to 1)."""
    d = accepted(world)
    version = d.version
    api = official(world["commune_specialist"]).post(
        f"/api/v1/dossiers/{d.pk}/payment-request",
        json.dumps(
            {
                "version": version,
                "amount_vnd": amount,
                "authority": "Thuế cơ sở 1",
                "notice_number": "TB-1",
            }
        ),
        "application/json",
    )
    assert api.status_code == 422 and "amount_vnd" in api.json()["errors"]
    d.refresh_from_db()
    assert (d.version, d.status) == (version, Status.ACCEPTED)
