"""The platform's confirmation (IPN) at POST /api/v1/payments/ipn: verified (checksum, amount,
currency, reference, dossier) and idempotent; whatever is refused changes nothing and is
logged with why."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.core.models import AuditEntry
from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.payments.models import Payment, PaymentMessage

from .conftest import awaiting, confirmation, platform_signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/ipn"


@pytest.fixture
def post(quiet):
    client = Client(enforce_csrf_checks=True)  # the platform has no session nor CSRF token

    def send(body) -> dict:
        raw = body if isinstance(body, bytes) else json.dumps(body)
        response = client.post(URL, raw, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()

    return send


def unchanged(p: Payment) -> None:
    p.refresh_from_db()
    d = Dossier.objects.get(pk=p.dossier_id)
    assert (p.status, p.paid_at, p.transaction_id) == ("created", None, "")
    assert (d.status, d.national_status) == (Status.AWAITING_PAYMENT, 6)
    assert not DossierEvent.objects.filter(dossier=d, kind=EventKind.PAYMENT_RECEIVED).exists()


def test_valid_confirmation_pays_and_the_dossier_leaves_status_6(world, post):
    p = awaiting(world)

    answer = post(confirmation(p))

    assert answer["MaLoi"] == "00" and answer["MaThamChieu"] == p.reference
    assert len(answer["MaXacThuc"]) == 64  # our answer is signed too
    p.refresh_from_db()
    assert (p.status, p.transaction_id, p.bank) == ("paid", "GD0000TEST0001", "970436")
    assert p.receipt_number.startswith("BL2026-")
    d = Dossier.objects.get(pk=p.dossier_id)
    assert (d.status, d.clock_paused_at) == (Status.PROCESSING, None)
    event = DossierEvent.objects.get(dossier=d, kind=EventKind.PAYMENT_RECEIVED)
    assert event.actor.username == "nen-tang-thanh-toan" and event.actor.kind == "system"
    (message,) = PaymentMessage.objects.filter(kind="confirm")
    assert (message.checksum_valid, message.outcome, message.payment) == (True, "applied", p)
    assert AuditEntry.objects.filter(action="payment.paid", object_id=str(p.pk)).exists()


def test_replayed_confirmation_changes_nothing_and_is_logged(world, post):
    p = awaiting(world)
    post(confirmation(p))
    p.refresh_from_db()
    d = Dossier.objects.get(pk=p.dossier_id)
    before = (p.status, p.paid_at, p.receipt_number, d.version, d.event_seq)

    answer = post(confirmation(p))

    assert answer["MaLoi"] == "00"
    p.refresh_from_db()
    d.refresh_from_db()
    assert (p.status, p.paid_at, p.receipt_number, d.version, d.event_seq) == before
    assert list(
        PaymentMessage.objects.filter(kind="confirm").values_list("outcome", flat=True)
    ) == ["applied", "replayed"]


def test_confirmation_with_a_bad_checksum_is_forged_and_ignored(world, post):
    p = awaiting(world)
    body = confirmation(p)
    body["MaXacThuc"] = "0" * 64

    answer = post(body)

    assert answer["MaLoi"] == "99"
    unchanged(p)
    (message,) = PaymentMessage.objects.filter(kind="confirm")
    assert (message.checksum_valid, message.outcome) == (False, "forged")


def test_confirmation_signed_with_another_secret_is_forged(world, post):
    p = awaiting(world)
    body = confirmation(p)
    body = platform_signed({k: v for k, v in body.items() if k != "MaXacThuc"}, secret="guess")

    assert post(body)["MaLoi"] == "99"
    unchanged(p)
    assert PaymentMessage.objects.get(kind="confirm").outcome == "forged"


def test_changing_a_signed_field_after_signing_is_forged(world, post):
    p = awaiting(world)
    body = confirmation(p)
    body["SoTien"] = "1"  # the amount is in the checksum

    assert post(body)["MaLoi"] == "99"
    unchanged(p)
    assert PaymentMessage.objects.get(kind="confirm").outcome == "forged"


def test_correctly_signed_wrong_amount_or_currency_is_ignored(world, post):
    p = awaiting(world)

    assert post(confirmation(p, SoTien="1000"))["MaLoi"] == "99"
    assert post(confirmation(p, MaTienTe="USD"))["MaLoi"] == "99"

    unchanged(p)
    assert list(
        PaymentMessage.objects.filter(kind="confirm").values_list("outcome", flat=True)
    ) == ["amount_mismatch", "amount_mismatch"]


def test_unknown_reference_and_another_dossiers_reference_are_ignored(world, post):
    p = awaiting(world)

    assert post(confirmation(p, MaThamChieu="MC000000UNKNOWN1"))["MaLoi"] == "99"
    assert post(confirmation(p, MaHoSo="000.00.00.H20-260101-9999"))["MaLoi"] == "99"

    unchanged(p)
    assert list(
        PaymentMessage.objects.filter(kind="confirm").values_list("outcome", flat=True)
    ) == ["unknown_reference", "order_mismatch"]


def test_unreadable_body_is_logged_and_answered_99(world, post):
    assert post(b"not json")["MaLoi"] == "99"
    assert post([1, 2])["MaLoi"] == "99"
    assert list(PaymentMessage.objects.values_list("outcome", flat=True)) == [
        "unreadable",
        "unreadable",
    ]


def test_a_second_transaction_for_a_paid_reference_is_a_conflict(world, post):
    p = awaiting(world)
    post(confirmation(p))

    answer = post(confirmation(p, MaGiaoDich="GD0000OTHER0002"))

    assert answer["MaLoi"] == "99"
    p.refresh_from_db()
    assert p.transaction_id == "GD0000TEST0001"
    assert PaymentMessage.objects.filter(kind="confirm").last().outcome == "conflict"


def test_failed_payment_confirmation_marks_the_attempt_cancelled(world, post):
    p = awaiting(world)

    assert post(confirmation(p, MaLoi="01", MaGiaoDich=""))["MaLoi"] == "00"

    p.refresh_from_db()
    assert p.status == "cancelled" and p.paid_at is None
    assert Dossier.objects.get(pk=p.dossier_id).status == Status.AWAITING_PAYMENT
