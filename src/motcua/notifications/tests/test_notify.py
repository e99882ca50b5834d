"""Each status change of a dossier reaches the applicant by SMS and e-mail through the outbox
and the gateways' simulators (real HTTP): once, in order, with the Vietnamese text of the
change; never for a test (sandbox) dossier, never SMS without a phone."""

from __future__ import annotations

import pytest

from motcua.dossiers.services import dossier_refuse, dossier_request_supplement, dossier_return
from motcua.dossiers.tests.factories import DossierFactory, citizen, draft_result
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.people.tests.conftest import faults
from motcua.simulators.messaging.models import SimMessage

pytestmark = pytest.mark.django_db(transaction=True)


def dossier(world, **kw):
    return DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], **kw
    )


def deliver() -> None:
    outbox_dispatch(destinations=["sms", "email"])


def test_accepted_then_supplement_then_refused_each_told_once(reloaded, world, registers):
    d = dossier(world, applicant=citizen(world.tree["osu"].commune_id, email="lan@example.vn"))
    d = dossier_request_supplement(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        items=["Giấy chứng sinh bản chính"],
        reason="Thiếu giấy chứng sinh",
    )
    dossier_refuse(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        reasons=["Không bổ sung đúng hạn"],
    )

    deliver()
    deliver()  # nothing left: nothing sent twice

    sms = list(SimMessage.objects.filter(channel="sms"))
    assert [m.to for m in sms] == ["84912345678"] * 2
    assert f"Hồ sơ {d.code} cần bổ sung: Giấy chứng sinh bản chính." in sms[0].text
    assert f"/tra-cuu-ho-so/?ma={d.code}" in sms[0].text
    assert sms[1].text.startswith(
        f"Hồ sơ {d.code} không được tiếp nhận. Lý do: Không bổ sung đúng hạn."
    )
    assert {m.times_received for m in sms} == {1}
    assert {m.brandname for m in sms} == {"MOTCUA"}
    mails = list(SimMessage.objects.filter(channel="email"))
    assert [m.subject for m in mails] == [
        f"Hồ sơ {d.code} cần bổ sung, hoàn thiện",
        f"Hồ sơ {d.code} không được tiếp nhận",
    ]
    assert "- Giấy chứng sinh bản chính" in mails[0].text
    assert "Kính gửi Nguyễn Thị Lan" in mails[0].text
    assert (
        not OutboxEvent.objects.filter(destination__in=["sms", "email"])
        .exclude(status=OutboxStatus.DELIVERED)
        .exists()
    )


def test_accepted_at_the_desk_tells_the_appointment(reloaded, world, registers):
    d = dossier(world, accept=True)
    deliver()
    (sms,) = SimMessage.objects.filter(channel="sms")
    assert sms.text.startswith(f"Hồ sơ {d.code} (Thủ tục đăng ký khai sinh) đã được tiếp nhận")
    assert "hẹn trả kết quả" in sms.text
    assert not SimMessage.objects.filter(channel="email").exists()  # no e-mail on the dossier


def test_returned_dossier_invites_a_rating(reloaded, world, registers):
    from motcua.dossiers.services import dossier_act

    d = dossier(world, accept=True)
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    for who in ("commune_specialist", "commune_chair"):
        d = dossier_act(actor=world[who], dossier=d, expected_version=d.version, action="forward")
    dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    deliver()
    texts = [m.text for m in SimMessage.objects.filter(channel="sms")]
    assert texts[0].startswith(f"Hồ sơ {d.code} (Thủ tục đăng ký khai sinh) đã được tiếp nhận")
    assert texts[-2].startswith(f"Hồ sơ {d.code} đã có kết quả.")
    assert texts[-1].startswith(f"Hồ sơ {d.code} đã trả kết quả.")
    # One message per status change the applicant must hear of; the move into processing and
    # the steps inside it say nothing.
    statuses = list(
        OutboxEvent.objects.filter(destination="sms").values_list("payload__status", flat=True)
    )
    assert statuses == ["accepted", "done", "returned"]
    assert len(texts) == 3


def test_a_repeated_delivery_is_sent_once(reloaded, world, registers):
    dossier(world, accept=True)
    deliver()
    # As if the acknowledgement had been lost: the dispatcher delivers the same event again.
    OutboxEvent.objects.filter(destination="sms").update(status=OutboxStatus.PENDING)
    deliver()
    (sms,) = SimMessage.objects.filter(channel="sms")
    assert sms.times_received == 2


def test_gateway_down_keeps_the_message_for_later(reloaded, world, registers):
    faults(registers + "/tin-nhan", outage_seconds=60)
    d = dossier(world, accept=True)  # the desk is not held back
    assert d.status == "accepted"
    deliver()
    assert not SimMessage.objects.exists()
    event = OutboxEvent.objects.get(destination="sms")
    assert event.status == OutboxStatus.PENDING and event.attempts == 1
    assert "503" in event.last_error
    faults(registers + "/tin-nhan")
    OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.created_at)
    from motcua.outbox import circuit

    circuit.circuit_success("sms")
    deliver()
    assert SimMessage.objects.filter(channel="sms").count() == 1


def test_sandbox_dossiers_never_notify(reloaded, world, registers):
    dossier(world, accept=True, is_sandbox=True)
    assert not OutboxEvent.objects.filter(destination__in=["sms", "email"]).exists()


def test_no_phone_no_sms(reloaded, world, registers):
    dossier(world, accept=True, applicant=citizen(world.tree["osu"].commune_id, phone=""))
    assert not OutboxEvent.objects.filter(destination__in=["sms", "email"]).exists()
    dossier(
        world,
        accept=True,
        applicant=citizen(world.tree["osu"].commune_id, phone="", email="a@example.vn"),
    )
    assert list(
        OutboxEvent.objects.values_list("destination", flat=True).filter(
            destination__in=["sms", "email"]
        )
    ) == ["email"]


def test_phone_is_sent_normalized(reloaded, world, registers):
    commune = world.tree["osu"].commune_id
    dossier(world, accept=True, applicant=citizen(commune, phone="+84 903.111.222"))
    deliver()
    assert SimMessage.objects.get().to == "84903111222"
