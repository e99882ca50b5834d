"""The whole flow over real HTTP with the simulated platform on live_server: INIT, the
platform's page, its confirmation (IPN), the browser's return, receipts; a duplicated and a
lost confirmation; a cancelled attempt; refunds."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.dossiers.constants import NATIONAL_CODE, EventKind, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.payments.models import Payment, PaymentMessage, Refund
from motcua.payments.receipts import receipt_pdf
from motcua.payments.services import (
    PlatformError,
    payment_check,
    payment_platform_receipt,
    payment_refund,
    payment_start_public,
    payments_check_pending,
)
from motcua.printing.pdf import text_of_pdf
from motcua.simulators.payment_platform.models import SimTransaction

from .conftest import LAN, awaiting, faults, pay_on_platform

pytestmark = pytest.mark.django_db(transaction=True)


def outcomes(p: Payment, kind: str) -> list[str]:
    return list(
        PaymentMessage.objects.filter(payment=p, kind=kind).values_list("outcome", flat=True)
    )


def test_happy_path_init_pay_confirm_return_and_receipts(reloaded, world, platform):
    p = awaiting(world)
    d = p.dossier

    p = payment_start_public(code=d.code, factor=LAN, ip="203.0.113.9")

    assert p.status == "pending" and p.pay_url.startswith(platform + "/sim/thanh-toan/")
    sim = SimTransaction.objects.get(reference=p.reference)
    assert sim.amount_vnd == 16_000 and sim.init["ThongTinBienLai"]["MaHoSo"] == d.code
    assert [x["SoTien"] for x in sim.init["ThongTinBienLai"]["PhiLePhi"]] == ["8000", "8000"]

    back = pay_on_platform(p.pay_url)

    assert back.status_code == 200
    assert "Đã xác nhận" in back.text or "đã được xác nhận" in back.text
    p.refresh_from_db()
    d.refresh_from_db()
    sim.refresh_from_db()
    assert (p.status, p.transaction_id, p.bank) == ("paid", sim.transaction_id, "970436")
    assert (d.status, d.national_status) == (Status.PROCESSING, NATIONAL_CODE[Status.PROCESSING])
    assert d.national_status != 6
    assert DossierEvent.objects.filter(dossier=d, kind=EventKind.PAYMENT_RECEIVED).count() == 1
    assert outcomes(p, "init") == ["sent"]
    assert outcomes(p, "confirm") == ["applied"]
    assert outcomes(p, "return") == ["info"]
    assert SimTransaction.objects.get(pk=sim.pk).ipn_answers[0]["body"]["MaLoi"] == "00"

    text = text_of_pdf(receipt_pdf(actor=world["commune_specialist"], payment=p))
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert p.receipt_number in text and p.transaction_id in text
    assert "Nguyễn Thị Lan" in text and "Mười sáu nghìn đồng" in text
    platform_pdf = payment_platform_receipt(actor=world["commune_specialist"], payment=p)
    assert platform_pdf.startswith(b"%PDF-") and p.reference in text_of_pdf(platform_pdf)


def test_starting_again_while_pending_gives_the_same_page(reloaded, world, platform):
    p = awaiting(world)
    first = payment_start_public(code=p.dossier.code, factor=LAN)

    again = payment_start_public(code=p.dossier.code, factor="0912345678")

    assert (again.pk, again.pay_url) == (first.pk, first.pay_url)
    assert SimTransaction.objects.count() == 1


def test_duplicated_confirmation_is_replayed_and_changes_nothing(reloaded, world, platform):
    faults(platform, duplicate_ipn=True)
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)

    pay_on_platform(p.pay_url)

    p.refresh_from_db()
    assert p.status == "paid"
    assert outcomes(p, "confirm") == ["applied", "replayed"]
    assert (
        DossierEvent.objects.filter(dossier=p.dossier, kind=EventKind.PAYMENT_RECEIVED).count() == 1
    )
    sim = SimTransaction.objects.get(reference=p.reference)
    assert [a["body"]["MaLoi"] for a in sim.ipn_answers] == ["00", "00"]


def test_lost_confirmation_is_recovered_by_the_status_check(reloaded, world, platform):
    faults(platform, drop_ipn=True)
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)

    back = pay_on_platform(p.pay_url)

    # Paid on the platform; the browser's return is not a confirmation.
    assert back.status_code == 200 and "chờ" in back.text
    p.refresh_from_db()
    assert p.status == "pending"
    assert Dossier.objects.get(pk=p.dossier_id).status == Status.AWAITING_PAYMENT
    assert payments_check_pending(older_than_minutes=60) == {"checked": 0, "paid": 0, "errors": 0}

    counts = payments_check_pending(older_than_minutes=0)

    assert counts == {"checked": 1, "paid": 1, "errors": 0}
    p.refresh_from_db()
    assert p.status == "paid" and p.transaction_id
    assert Dossier.objects.get(pk=p.dossier_id).status == Status.PROCESSING
    assert outcomes(p, "check") == ["applied"]
    # Checking again (the official's "Kiểm tra lại") finds it already recorded.
    payment_check(actor=world["commune_specialist"], payment=p)
    assert outcomes(p, "check") == ["applied", "replayed"]


def test_check_command_recovers_a_lost_confirmation(reloaded, world, platform, capsys):
    faults(platform, drop_ipn=True)
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)
    pay_on_platform(p.pay_url)

    call_command("payments_check", "--minutes", "0")

    assert "1 checked, 1 found paid" in capsys.readouterr().out
    p.refresh_from_db()
    assert p.status == "paid"


def test_cancelled_attempt_then_a_new_reference_is_paid(reloaded, world, platform):
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)

    back = pay_on_platform(p.pay_url, action="cancel")

    p.refresh_from_db()
    assert (
        p.status == "cancelled" and "không thành công" in back.text.lower()
    ) or "chưa" in back.text
    second = payment_start_public(code=p.dossier.code, factor=LAN)
    assert second.pk != p.pk and second.reference != p.reference
    assert (second.obligation_seq, second.amount_vnd) == (p.obligation_seq, p.amount_vnd)
    pay_on_platform(second.pay_url)
    second.refresh_from_db()
    assert second.status == "paid"
    assert Dossier.objects.get(pk=p.dossier_id).status == Status.PROCESSING


def test_platform_down_answers_platform_unavailable_and_logs(reloaded, world, platform, settings):
    p = awaiting(world)
    settings.PAYMENT_PLATFORM_URL = platform + "/khong-co"

    with pytest.raises(PlatformError):
        payment_start_public(code=p.dossier.code, factor=LAN)

    p.refresh_from_db()
    assert p.status == "created" and p.last_error
    assert outcomes(p, "init") == ["error"]


def test_wrong_secret_on_our_side_is_refused_by_the_platform(reloaded, world, platform, settings):
    p = awaiting(world)
    settings.PAYMENT_SECRET = "not-the-shared-secret"

    with pytest.raises(PlatformError) as refused:
        payment_start_public(code=p.dossier.code, factor=LAN)

    assert refused.value.code == "platform_refused"
    assert not SimTransaction.objects.exists()


def paid(world):
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)
    pay_on_platform(p.pay_url)
    p.refresh_from_db()
    return p


def test_refund_by_the_agency_leader_partly_then_fully(reloaded, world, platform):
    p = paid(world)
    chair = world["commune_chair"]

    first = payment_refund(actor=chair, payment=p, amount_vnd=6_000, reason="Thu thừa")
    p.refresh_from_db()
    assert (first.status, p.refunded_vnd, p.status) == ("done", 6_000, "paid")
    second = payment_refund(actor=chair, payment=p, amount_vnd=10_000, reason="Hồ sơ dừng")

    p.refresh_from_db()
    assert (second.status, p.refunded_vnd, p.status) == ("done", 16_000, "refunded")
    sim = SimTransaction.objects.get(reference=p.reference)
    assert (sim.refunded_vnd, sim.state) == (16_000, "refunded")
    assert outcomes(p, "refund") == ["applied", "applied"]


def test_refund_refusals_change_nothing(reloaded, world, platform):
    p = paid(world)

    with pytest.raises(NotAllowed):
        payment_refund(actor=world["commune_specialist"], payment=p, amount_vnd=1_000, reason="x")
    with pytest.raises(InvalidInput) as too_much:
        payment_refund(actor=world["commune_chair"], payment=p, amount_vnd=16_001, reason="x")
    with pytest.raises(InvalidInput) as no_reason:
        payment_refund(actor=world["commune_chair"], payment=p, amount_vnd=1_000, reason="  ")

    assert "amount_vnd" in too_much.value.errors and "reason" in no_reason.value.errors
    assert not Refund.objects.exists()
    assert SimTransaction.objects.get(reference=p.reference).refunded_vnd == 0
