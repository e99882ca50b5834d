"""Every lifecycle path of a dossier, through the services, with history and outbox checked."""

from __future__ import annotations

import pytest

from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.constants import EventKind, Outcome, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    dossier_accept,
    dossier_act,
    dossier_refuse,
    dossier_request_supplement,
    dossier_return,
    dossier_stop,
    dossier_supplement_received,
    dossier_withdraw,
)
from motcua.outbox.models import OutboxEvent

from .factories import DossierFactory, draft_result, local

pytestmark = pytest.mark.django_db

MON = local(2026, 3, 2, 9, 0)  # Monday 2/3/2026, 09:00


def at(day, hour=9, minute=0):
    return local(2026, 3, day, hour, minute)


def receive(world, *, now=MON, accept=True, **kw):
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=accept,
        now=now,
        **kw,
    )


def kinds(d):
    return list(d.events.order_by("seq").values_list("kind", flat=True))


def outbox_codes(d):
    rows = OutboxEvent.objects.filter(destination="dvcqg", aggregate_id=d.code).order_by("id")
    return [(e.aggregate_seq, e.payload["progress"]["TrangThai"]) for e in rows]


def test_desk_reception_accepts_with_code_appointment_and_first_step(world):
    d = receive(world)
    d.refresh_from_db()
    assert d.code == "000.01.31.H20-260302-0001"
    assert d.status == Status.ACCEPTED and d.national_status == 2
    assert d.competent_agency == world.tree["commune"]
    # 3 working days from Monday 09:00 → Thursday 09:00.
    assert d.due_at == at(5, 9) and d.original_due_at == d.due_at
    assert d.step_key == "tham-dinh" and d.step_agency == world.tree["commune"]
    # 8 office hours (07:30–11:30, 13:30–17:00) from 09:00 Monday → 09:30 Tuesday.
    assert d.step_due_at == at(3, 9, 30)
    assert kinds(d) == [EventKind.REGISTER, EventKind.ACCEPT, EventKind.STEP]
    assert [c for _, c in outbox_codes(d)] == ["1", "2", "2"]
    assert [s for s, _ in outbox_codes(d)] == [1, 2, 3]
    second = receive(world)
    assert second.code.endswith("-260302-0002")


def test_full_path_to_return_with_timings(world):
    d = receive(world)
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        note="Hồ sơ hợp lệ",
        now=at(2, 15),
    )
    assert d.status == Status.PROCESSING and d.step_key == "ky"
    draft_result(world["commune_specialist"], d, now=at(2, 16))  # the chair signs it (R28)
    d = dossier_act(
        actor=world["commune_chair"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=at(3, 8),
    )
    assert d.status == Status.DONE and d.national_status == 9 and d.outcome == Outcome.GRANTED
    d = dossier_return(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, now=at(3, 10)
    )
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.national_status == 10
    step_event = d.events.get(kind=EventKind.STEP, from_step="tham-dinh")
    # 09:00 → 15:00 Monday with a lunch break of 2 h: 4 office hours used of 8.
    assert step_event.minutes_used == 240 and step_event.step_limit_minutes == 480
    assert step_event.timeliness == "early"
    codes = [c for _, c in outbox_codes(d)]
    assert codes == ["1", "2", "2", "4", "9", "10"]


def test_refused_at_reception_ends_the_dossier(world):
    d = receive(world, accept=False)
    with pytest.raises(InvalidInput):
        dossier_refuse(actor=world["commune_officer"], dossier=d, expected_version=1, reasons=[])
    d = dossier_refuse(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=1,
        reasons=["Không thuộc thẩm quyền"],
        now=MON,
    )
    assert d.status == Status.REFUSED and d.national_status == 3
    with pytest.raises(Conflict):
        dossier_accept(actor=world["commune_officer"], dossier=d, expected_version=d.version)


def test_repeated_supplement_requests_at_reception(world):
    d = receive(world, accept=False)
    for round_no in (1, 2):
        d = dossier_request_supplement(
            actor=world["commune_officer"],
            dossier=d,
            expected_version=d.version,
            items=["Giấy chứng sinh bản chính"],
            reason="Thiếu giấy tờ",
            now=MON,
        )
        assert d.status == Status.SUPPLEMENT and d.supplements_at_reception == round_no
        with pytest.raises(Conflict):
            dossier_accept(actor=world["commune_officer"], dossier=d, expected_version=d.version)
        d = dossier_supplement_received(
            actor=world["commune_officer"], dossier=d, expected_version=d.version, now=MON
        )
        assert d.status == Status.SUBMITTED
    d = dossier_accept(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, now=at(3, 9)
    )
    assert d.status == Status.ACCEPTED and d.due_at == at(6, 9)
    assert [c for _, c in outbox_codes(d)] == ["1", "5", "1", "5", "1", "2", "2"]


def test_supplement_during_processing_restarts_then_second_is_refused(world):
    d = receive(world)
    d = dossier_request_supplement(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        items=["Bản sao giấy kết hôn"],
        reason="Cần xác định quan hệ cha mẹ",
        now=at(3, 9),
    )
    assert d.status == Status.SUPPLEMENT and d.clock_restart_on_resume is True
    d = dossier_supplement_received(
        actor=world["commune_officer"], dossier=d, expected_version=d.version, now=at(9, 14)
    )
    # Within 3 working days of reception: the full 3 working days count again from Monday 9/3.
    assert d.status == Status.PROCESSING and d.due_at == at(12, 14)
    with pytest.raises(Conflict) as err:
        dossier_request_supplement(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version,
            items=["x"],
            reason="y",
            now=at(9, 15),
        )
    assert err.value.code == "supplement_limit"


def test_withdrawal_and_stop(world):
    d = receive(world)
    d = dossier_withdraw(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        reason="Người dân xin rút",
        now=at(2, 10),
    )
    assert d.status == Status.WITHDRAWN and d.national_status == 7
    with pytest.raises(Conflict):
        dossier_withdraw(
            actor=world["commune_officer"], dossier=d, expected_version=d.version, reason="x"
        )
    d2 = receive(world)
    with pytest.raises(NotAllowed):
        dossier_stop(
            actor=world["commune_officer"], dossier=d2, expected_version=d2.version, reason="x"
        )
    d2 = dossier_stop(
        actor=world["commune_chair"],
        dossier=d2,
        expected_version=d2.version,
        reason="Người yêu cầu đề nghị dừng",
        requested_by="applicant",
        now=at(2, 11),
    )
    assert d2.status == Status.STOPPED and d2.national_status == 8
    assert d2.events.last().data["requested_by"] == "applicant"


def test_invalid_transition_changes_nothing(world):
    d = receive(world)
    before = Dossier.objects.values().get(pk=d.pk)
    events = d.events.count()
    outbox = OutboxEvent.objects.count()
    with pytest.raises(NotAllowed):
        dossier_act(
            actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
        )
    with pytest.raises(Conflict):
        dossier_act(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version,
            action="approve",
        )
    with pytest.raises(Conflict):
        dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    with pytest.raises(Conflict) as stale:
        dossier_act(
            actor=world["commune_specialist"],
            dossier=d,
            expected_version=d.version - 1,
            action="forward",
        )
    assert stale.value.code == "stale"
    assert Dossier.objects.values().get(pk=d.pk) == before
    assert d.events.count() == events and OutboxEvent.objects.count() == outbox
