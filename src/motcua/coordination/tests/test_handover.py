"""A dossier entering an external step is handed over to the ministry's system through the
outbox: once, even when the system fails first; and its result, by callback or by pull,
completes the step through the desk's own service so the dossier goes on."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.coordination.models import ExternalReport, Handover, HandoverResult
from motcua.dossiers.constants import EventKind, Outcome, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_act
from motcua.dossiers.tests.factories import draft_result
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.simulators.ministry.models import SimHandover

from .conftest import control, deliver, faults, handed_over, system_config

pytestmark = pytest.mark.django_db(transaction=True)


def test_entering_the_external_step_writes_the_handover_with_the_change(ministry, world):
    d = handed_over(world)

    assert (d.step_key, d.status) == ("bo", Status.PROCESSING)
    h = Handover.objects.get(dossier=d)
    entered = DossierEvent.objects.get(dossier=d, to_step="bo")
    assert entered.kind == EventKind.EXTERNAL_HANDOVER
    assert (h.system, h.accept_key, h.closed_at) == ("btxh", f"{d.code}:{entered.seq}", None)
    (event,) = OutboxEvent.objects.filter(destination="ministry:btxh")
    assert event.kind == "dossier.handover"
    assert event.idempotency_key == f"ministry:btxh:handover:{d.code}:{entered.seq}"
    record = event.payload["dossier"]
    assert record["AcceptKey"] == h.accept_key
    assert record["MaHoSo"] == d.code
    assert record["MaTTHC"] == world.birth.code
    assert record["HoVaTen"] == "Nguyễn Thị Lan"
    assert record["SoDinhDanh"] == "087190001234"
    assert record["BuocXuLy"] == "Bộ giải quyết trên hệ thống chuyên ngành"
    assert len(record["NgayTiepNhan"]) == 14
    assert record["TaiLieuNop"][0]["TenTaiLieu"] == "Tờ khai đăng ký khai sinh"


def test_handover_delivered_once_though_the_system_fails_first(ministry, world, live_server):
    d = handed_over(world)
    faults(live_server.url, error="503", error_count=2)

    (event,) = deliver()

    assert event.status == OutboxStatus.DELIVERED
    assert event.attempts >= 2  # two 503s, then delivered
    (stored,) = SimHandover.objects.all()
    assert stored.accept_key == Handover.objects.get(dossier=d).accept_key
    assert stored.times_received == 1
    assert stored.record["IdempotencyKey"] == event.idempotency_key
    deliver()  # nothing left to send: nothing sent twice
    assert SimHandover.objects.get().times_received == 1


def test_callback_result_completes_the_step_and_the_dossier_goes_on(ministry, world):
    d = handed_over(world)
    deliver()
    h = Handover.objects.get(dossier=d)

    answer = control(ministry, "_settle", AcceptKey=h.accept_key, granted=True)

    assert answer.status_code == 200, answer.text
    assert [c["status"] for c in answer.json()["callbacks"]] == [200, 200]
    assert [c["answer"]["result"]["data"][0]["outcome"] for c in answer.json()["callbacks"]] == [
        "applied",
        "applied",
    ]
    d = Dossier.objects.get(pk=d.pk)
    assert (d.step_key, d.status, d.outcome) == ("ky", Status.PROCESSING, "")
    rows = list(DossierEvent.objects.filter(dossier=d, seq__gt=4).order_by("seq"))
    assert [r.kind for r in rows] == [
        EventKind.EXTERNAL_REPORT,
        EventKind.EXTERNAL_REPORT,
        EventKind.STEP,
    ]
    assert {r.actor_label for r in rows} == {"he-thong-btxh"}
    assert rows[0].note == "Trần Văn Bình (Chuyên viên), Cục Bảo trợ xã hội: Đang thẩm định hồ sơ"
    assert "QĐ-BTXH" in rows[1].note and rows[1].data["report"]["StatusId"] == "3"
    assert (rows[2].from_step, rows[2].to_step, rows[2].action) == ("bo", "ky", "forward")
    h.refresh_from_db()
    assert h.result == HandoverResult.GRANTED and h.closed_at is not None
    # The commune chair signs as after any other step: the workflow goes on to the end.
    draft_result(world["commune_specialist"], d)  # the draft result they sign (R28)
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    assert (d.status, d.outcome) == (Status.DONE, Outcome.GRANTED)


def test_refused_result_takes_the_refusal_path(ministry, world):
    d = handed_over(world)
    deliver()
    h = Handover.objects.get(dossier=d)

    answer = control(
        ministry,
        "_settle",
        AcceptKey=h.accept_key,
        granted=False,
        progress=False,
        reason="Thu nhập vượt chuẩn",
    )

    assert answer.status_code == 200, answer.text
    d = Dossier.objects.get(pk=d.pk)
    assert (d.step_key, d.outcome) == ("ky", Outcome.DENIED)
    last = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert last.action == "refuse"
    assert "Thu nhập vượt chuẩn" in last.note
    assert Handover.objects.get(pk=h.pk).result == HandoverResult.REFUSED


def test_pull_applies_the_reports_and_a_second_pull_changes_nothing(ministry, world, settings):
    settings.EXTERNAL_SYSTEMS = {"btxh": system_config(ministry, mode="pull")}
    d = handed_over(world)
    deliver()
    h = Handover.objects.get(dossier=d)
    answer = control(ministry, "_settle", AcceptKey=h.accept_key, granted=True)
    assert answer.json()["callbacks"] == []  # pull mode: the system waits to be asked
    assert Dossier.objects.get(pk=d.pk).step_key == "bo"

    call_command("coordination_pull")

    d = Dossier.objects.get(pk=d.pk)
    assert (d.step_key, d.status) == ("ky", Status.PROCESSING)
    assert list(ExternalReport.objects.values_list("via", "outcome")) == [
        ("pull", "applied"),
        ("pull", "applied"),
    ]
    version = d.version
    call_command("coordination_pull")  # the hand-over is closed: nothing is asked again
    assert Dossier.objects.get(pk=d.pk).version == version
    assert ExternalReport.objects.count() == 2


def test_pull_from_a_system_that_is_down_fails_and_changes_nothing(
    ministry, world, settings, live_server
):
    settings.EXTERNAL_SYSTEMS = {"btxh": system_config(ministry, mode="pull")}
    d = handed_over(world)
    deliver()
    control(ministry, "_settle", AcceptKey=Handover.objects.get(dossier=d).accept_key)
    faults(live_server.url, outage_seconds=30)

    with pytest.raises(Exception, match="HTTP 503"):
        call_command("coordination_pull")

    assert Dossier.objects.get(pk=d.pk).step_key == "bo"
    assert not ExternalReport.objects.exists()
