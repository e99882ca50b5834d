"""Daily reconciliation (đối soát) against the simulated platform's list over real HTTP: the
differences are found and stored; the command and the API give the same report."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.core.errors import NotAllowed
from motcua.payments.models import Payment, ReconciliationDifference
from motcua.payments.reconciliation import payments_reconcile
from motcua.payments.services import payment_start_public
from motcua.simulators.payment_platform.models import SimTransaction

from .conftest import LAN, awaiting, faults, pay_on_platform

pytestmark = pytest.mark.django_db(transaction=True)


def paid(world):
    p = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)
    pay_on_platform(p.pay_url)
    p.refresh_from_db()
    return p


def test_matching_day_has_no_difference(reloaded, world, platform):
    p = paid(world)

    run = payments_reconcile(day=timezone.localdate())

    assert (run.state, run.ours, run.theirs, run.matching, run.differing) == ("done", 1, 1, 1, 0)
    assert p.status == "paid"


def test_differences_are_found_and_stored(reloaded, world, platform, superuser):
    matching = paid(world)
    amount = paid(world)
    lost_here = paid(world)
    lost_there = paid(world)
    faults(platform, drop_ipn=True)
    pending = payment_start_public(code=awaiting(world).dossier.code, factor=LAN)
    pay_on_platform(pending.pay_url)  # paid on the platform; the IPN never came
    # A record changed behind the services' back, and a transaction the platform lost.
    Payment.objects.filter(pk=amount.pk).update(amount_vnd=15_000)
    SimTransaction.objects.filter(reference=lost_there.reference).delete()
    # A refund made on the platform only.
    SimTransaction.objects.filter(reference=lost_here.reference).update(refunded_vnd=1_000)

    run = payments_reconcile(day=timezone.localdate(), actor=superuser)

    found = {(d.reference, d.kind) for d in ReconciliationDifference.objects.filter(run=run)}
    assert found == {
        (amount.reference, "amount"),
        (lost_there.reference, "missing_platform"),
        (lost_here.reference, "status"),
        (pending.reference, "missing_here"),
    }
    assert (run.ours, run.theirs, run.differing, run.matching) == (4, 4, 4, 1)
    assert matching.reference not in {ref for ref, _ in found}


def test_platform_down_gives_a_failed_run(reloaded, world, platform, settings):
    settings.PAYMENT_PLATFORM_URL = platform + "/khong-co"

    run = payments_reconcile(day=timezone.localdate())

    assert run.state == "failed" and run.error


def test_command_prints_the_report(reloaded, world, platform, capsys):
    p = paid(world)
    SimTransaction.objects.filter(reference=p.reference).delete()

    call_command("payments_reconcile", "--day", timezone.localdate().isoformat())

    out = capsys.readouterr().out
    assert "1 ours, 0 on the platform, 0 matching, 1 differences" in out
    assert f"{p.reference}: missing_platform" in out


def test_api_and_page_need_system_operate(reloaded, world, platform, superuser):
    paid(world)
    specialist = Client()
    specialist.force_login(world["commune_specialist"])
    operator = Client()
    operator.force_login(superuser)
    day = timezone.localdate().isoformat()

    refused = specialist.post(
        "/api/v1/payments/reconciliations", {"day": day}, content_type="application/json"
    )
    page = specialist.get("/thanh-toan/doi-soat/")
    made = operator.post(
        "/api/v1/payments/reconciliations", {"day": day}, content_type="application/json"
    )
    listed = operator.get("/thanh-toan/doi-soat/")

    assert (refused.status_code, page.status_code) == (403, 403)
    assert made.status_code == 201 and made.json()["differing"] == 0
    assert listed.status_code == 200 and "Đối soát thanh toán" in listed.content.decode()
    with pytest.raises(NotAllowed):
        payments_reconcile(day=timezone.localdate(), actor=world["commune_specialist"])
