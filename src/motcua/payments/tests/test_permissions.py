"""Who may do what with payments, at the page, the API and the service: another agency's
official sees nothing, a viewer may not ask for fees nor refund, a stranger gets no receipt."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.core.errors import NotAllowed, NotFound
from motcua.dossiers.constants import Status
from motcua.payments.models import Payment, Refund
from motcua.payments.services import fees_for, payment_request, payment_start_public

from .conftest import LAN, accepted, add_fees, awaiting, confirmation

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(world, make_official):
    root = world.tree["root"]
    return make_official("thanh.tra", root, [("inspector", root, True)])


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def post_json(c: Client, url: str, body: dict):
    return c.post(url, json.dumps(body), content_type="application/json")


def paid(world, quiet) -> Payment:
    p = awaiting(world)
    Client().post("/api/v1/payments/ipn", json.dumps(confirmation(p)), "application/json")
    p.refresh_from_db()
    assert p.status == "paid"
    return p


def test_fees_page_for_the_step_official_and_not_another_communes(world):
    d = accepted(world)
    add_fees(d.procedure_version)
    url = f"/thanh-toan/ho-so/{d.pk}/"

    mine = client_for(world["commune_specialist"]).get(url)
    other = client_for(world["commune2_officer"]).get(url)
    anonymous = client_for(None).get(url)

    assert mine.status_code == 200
    page = mine.content.decode()
    assert "Phí, lệ phí và thanh toán" in page and "16.000" in page
    assert "Yêu cầu người nộp thanh toán trực tuyến" in page
    assert other.status_code == 404
    assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]


def test_page_request_by_the_step_official_puts_the_dossier_in_status_6(world, quiet):
    d = accepted(world)
    add_fees(d.procedure_version)

    answer = client_for(world["commune_specialist"]).post(
        f"/thanh-toan/ho-so/{d.pk}/", {"action": "request", "version": d.version}
    )

    assert answer.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.AWAITING_PAYMENT
    assert Payment.objects.get(dossier=d).amount_vnd == 16_000


def test_viewer_may_compute_but_not_request(world, inspector, quiet):
    d = accepted(world)
    add_fees(d.procedure_version)
    api = client_for(inspector)

    computed = post_json(api, f"/api/v1/payments/dossiers/{d.pk}/fees", {})
    refused = post_json(api, f"/api/v1/payments/dossiers/{d.pk}/request", {"version": d.version})
    page = api.post(f"/thanh-toan/ho-so/{d.pk}/", {"action": "request", "version": d.version})

    assert computed.status_code == 200 and computed.json()["total_vnd"] == 16_000
    assert refused.status_code == 403
    assert page.status_code == 403
    with pytest.raises(NotAllowed):
        payment_request(actor=inspector, dossier=d, expected_version=d.version)
    d.refresh_from_db()
    assert d.status == Status.ACCEPTED and not Payment.objects.exists()


def test_another_communes_official_gets_not_found_everywhere(world):
    d = accepted(world)
    add_fees(d.procedure_version)
    api = client_for(world["commune2_officer"])

    assert post_json(api, f"/api/v1/payments/dossiers/{d.pk}/fees", {}).status_code == 404
    assert api.get(f"/api/v1/payments/dossiers/{d.pk}").status_code == 404
    with pytest.raises(NotFound):
        fees_for(actor=world["commune2_officer"], dossier=d)


def test_api_request_by_the_step_official(world, quiet):
    d = accepted(world)
    add_fees(d.procedure_version)

    made = post_json(
        client_for(world["commune_specialist"]),
        f"/api/v1/payments/dossiers/{d.pk}/request",
        {"version": d.version, "note": "Nộp lệ phí"},
    )

    assert made.status_code == 201, made.content
    assert (made.json()["amount_vnd"], made.json()["status"]) == (16_000, "created")


def test_refund_refused_to_the_specialist_at_page_and_api(world, quiet):
    p = paid(world, quiet)
    specialist = client_for(world["commune_specialist"])

    api = post_json(
        specialist, f"/api/v1/payments/{p.pk}/refunds", {"amount_vnd": 1000, "reason": "x"}
    )
    page = specialist.post(f"/thanh-toan/{p.pk}/hoan-tien/", {"amount_vnd": "1000", "reason": "x"})

    assert api.status_code == 403 and page.status_code == 403
    assert not Refund.objects.exists()


def test_receipt_for_officials_who_see_the_dossier_only(world, quiet):
    p = paid(world, quiet)

    mine = client_for(world["commune_specialist"]).get(f"/thanh-toan/{p.pk}/bien-lai.pdf")
    api = client_for(world["commune_specialist"]).get(f"/api/v1/payments/{p.pk}/receipt.pdf")
    other = client_for(world["commune2_officer"]).get(f"/thanh-toan/{p.pk}/bien-lai.pdf")
    other_api = client_for(world["commune2_officer"]).get(f"/api/v1/payments/{p.pk}/receipt.pdf")
    anonymous = client_for(None).get(f"/thanh-toan/{p.pk}/bien-lai.pdf")

    assert mine.status_code == 200 and mine.content.startswith(b"%PDF-")
    assert api.status_code == 200 and api["Content-Type"] == "application/pdf"
    assert (other.status_code, other_api.status_code, anonymous.status_code) == (404, 404, 404)


def test_public_start_needs_the_right_identity_number(world, quiet):
    p = awaiting(world)

    with pytest.raises(NotFound):
        payment_start_public(code=p.dossier.code, factor="087190009999")
    wrong = post_json(
        Client(), "/api/v1/payments/tracking/start", {"code": p.dossier.code, "factor": "1" * 12}
    )
    page = Client().post("/thanh-toan/bat-dau/", {"ma": p.dossier.code, "xac_thuc": "1" * 12})

    assert wrong.status_code == 404 and page.status_code == 404
    p.refresh_from_db()
    assert p.status == "created"
    assert LAN  # the right one is used by the live tests


def test_tracking_page_offers_online_payment_in_status_6(world, quiet):
    p = awaiting(world)

    page = Client().post("/tra-cuu-ho-so/", {"ma": p.dossier.code, "xac_thuc": LAN})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Thanh toán trực tuyến" in text and 'action="/thanh-toan/bat-dau/"' in text


def test_the_services_called_without_an_actor_refuse_and_change_nothing(world, quiet):
    """Every entry point refuses when nobody acts: the service itself, not only the page."""
    from motcua.payments.services import payment_refund, payment_start

    d = accepted(world)
    add_fees(d.procedure_version)
    with pytest.raises((NotAllowed, NotFound)):
        fees_for(actor=None, dossier=d)
    with pytest.raises((NotAllowed, NotFound)):
        payment_request(actor=None, dossier=d, expected_version=d.version)
    d.refresh_from_db()
    assert d.status != Status.AWAITING_PAYMENT and not Payment.objects.exists()

    waiting = awaiting(world)
    with pytest.raises((NotAllowed, NotFound)):
        payment_start(actor=None, dossier=waiting.dossier)
    waiting.refresh_from_db()
    assert waiting.status == "created" and not waiting.messages.exists()

    p = paid(world, quiet)
    with pytest.raises((NotAllowed, NotFound)):
        payment_refund(actor=None, payment=p, amount_vnd=1_000, reason="x")
    assert not Refund.objects.exists()


@pytest.mark.parametrize("amount", [True, "1000", 1000.0])
def test_a_refund_amount_that_is_not_a_whole_number_is_refused(world, quiet, amount):
    p = paid(world, quiet)
    response = post_json(
        client_for(world["commune_chair"]),
        f"/api/v1/payments/{p.pk}/refunds",
        {"amount_vnd": amount, "reason": "Thu thừa"},
    )
    assert response.status_code == 422 and "amount_vnd" in response.json()["errors"]
    assert not Refund.objects.exists()
