"""Fee computation (fees.py): the catalog's amounts by channel, online reductions, exemptions,
quantities, and fees without an amount."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Fee
from motcua.core.errors import InvalidInput
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.payments.fees import fees_compute
from motcua.payments.models import ExemptionCategory, Payment
from motcua.payments.services import payment_request

from .conftest import accepted, add_fees

pytestmark = pytest.mark.django_db


def online(d: Dossier) -> Dossier:
    # Only the channel matters to the computation; an online dossier comes from the intake.
    Dossier.objects.filter(pk=d.pk).update(channel="online")
    d.refresh_from_db()
    return d


def test_desk_dossier_pays_the_catalog_amounts(world):
    d = accepted(world)
    add_fees(d.procedure_version)

    c = fees_compute(dossier=d)

    assert [(line.name, line.amount_vnd) for line in c.lines] == [
        ("Lệ phí đăng ký khai sinh", 8_000),
        ("Phí cấp bản sao trích lục", 8_000),
    ]
    assert c.total_vnd == 16_000 and c.complete
    assert all(line.reduction_basis == "" for line in c.lines)


def test_online_dossier_pays_the_online_amount_with_its_basis(world):
    d = online(accepted(world))
    add_fees(d.procedure_version)

    c = fees_compute(dossier=d)

    charge, fee = c.lines
    assert (charge.list_amount_vnd, charge.unit_amount_vnd, charge.amount_vnd) == (
        8_000,
        4_000,
        4_000,
    )
    assert "giảm 50%" in charge.reduction_basis
    assert (fee.amount_vnd, fee.reduction_basis) == (8_000, "")  # no online rate: the list one
    assert c.total_vnd == 12_000


def test_a_fee_of_another_channel_does_not_apply(world):
    d = accepted(world)
    Fee.objects.create(
        version=d.procedure_version,
        kind="fee",
        name="Phí gửi qua bưu chính",
        amount_vnd=20_000,
        channel="post",
    )
    Fee.objects.create(
        version=d.procedure_version,
        kind="charge",
        name="Lệ phí",
        amount_vnd=5_000,
        channel="direct",
    )

    c = fees_compute(dossier=d)

    assert [line.name for line in c.lines] == ["Lệ phí"]
    assert c.total_vnd == 5_000


def test_exemption_waives_only_the_kinds_it_covers_and_names_its_basis(world):
    d = accepted(world)
    add_fees(d.procedure_version)
    ExemptionCategory.objects.create(
        key="ho-ngheo-thu", name="Hộ nghèo", basis="Luật Hộ tịch 2014, Điều 11", kinds=["charge"]
    )

    c = fees_compute(dossier=d, exemptions=["ho-ngheo-thu"])

    charge, fee = c.lines
    assert (charge.exemption, charge.waived_vnd, charge.amount_vnd) == ("ho-ngheo-thu", 8_000, 0)
    assert charge.exemption_basis == "Luật Hộ tịch 2014, Điều 11"
    assert (fee.exemption, fee.amount_vnd) == ("", 8_000)
    assert c.total_vnd == 8_000 and c.exemptions == ["ho-ngheo-thu"]


def test_partial_waiver_rounds_what_is_due_down_to_whole_dong(world):
    d = accepted(world)
    Fee.objects.create(version=d.procedure_version, kind="fee", name="Phí", amount_vnd=10_001)
    ExemptionCategory.objects.create(key="giam-mot-nua", name="Giảm 50%", basis="(thử)", percent=50)

    (line,) = fees_compute(dossier=d, exemptions=["giam-mot-nua"]).lines

    assert (line.waived_vnd, line.amount_vnd) == (5_001, 5_000)
    assert isinstance(line.amount_vnd, int)


def test_quantity_multiplies_the_fee(world):
    d = accepted(world)
    _charge, fee = add_fees(d.procedure_version)

    c = fees_compute(dossier=d, quantities={fee.pk: 3})

    assert [line.amount_vnd for line in c.lines] == [8_000, 24_000]


def test_unknown_exemption_or_quantity_is_refused(world):
    d = accepted(world)
    add_fees(d.procedure_version)

    with pytest.raises(InvalidInput) as bad_key:
        fees_compute(dossier=d, exemptions=["khong-co"])
    with pytest.raises(InvalidInput) as bad_fee:
        fees_compute(dossier=d, quantities={999_999: 2})

    assert "exemptions" in bad_key.value.errors
    assert "quantities" in bad_fee.value.errors


def test_fee_without_an_amount_is_listed_unpriced_and_cannot_be_requested(world):
    d = accepted(world)
    Fee.objects.create(
        version=d.procedure_version, kind="charge", name="Lệ phí (HĐND chưa quy định)"
    )
    Fee.objects.create(version=d.procedure_version, kind="fee", name="Phí", amount_vnd=3_000)

    c = fees_compute(dossier=d)

    assert c.unpriced == ["Lệ phí (HĐND chưa quy định)"] and not c.complete
    assert c.total_vnd == 3_000
    with pytest.raises(InvalidInput) as refused:
        payment_request(actor=world["commune_specialist"], dossier=d, expected_version=d.version)
    assert "fees" in refused.value.errors
    d.refresh_from_db()
    assert d.status == Status.ACCEPTED and not Payment.objects.exists()


def test_request_with_every_fee_waived_is_refused(world):
    d = accepted(world)
    Fee.objects.create(version=d.procedure_version, kind="charge", name="Lệ phí", amount_vnd=8_000)
    ExemptionCategory.objects.create(key="mien", name="Miễn", basis="(thử)")

    with pytest.raises(InvalidInput):
        payment_request(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version,
            exemptions=["mien"],
        )
    assert not Payment.objects.exists()


def test_request_puts_the_dossier_in_status_6_with_the_computed_items(world):
    d = accepted(world)
    add_fees(d.procedure_version)

    p = payment_request(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, note="Nộp phí"
    )

    d.refresh_from_db()
    assert (d.status, d.national_status) == (Status.AWAITING_PAYMENT, 6)
    assert d.clock_paused_at is not None
    assert (p.amount_vnd, p.status, p.created_by) == (
        16_000,
        "created",
        world["commune_specialist"],
    )
    assert [line["amount_vnd"] for line in p.lines] == [8_000, 8_000]
    assert len(p.reference) <= 20 and p.reference.startswith("MC")
