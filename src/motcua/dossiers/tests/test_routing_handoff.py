"""Reception regardless of boundaries (R7) and inter-agency hand-off (liên thông, R6)."""

from __future__ import annotations

import pytest

from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.services import (
    dossier_act,
    dossier_assign,
    dossier_payment_received,
    dossier_request_payment,
    dossier_return,
    dossier_submit,
)
from motcua.outbox.models import OutboxEvent

from .factories import THREE, citizen, draft_result, local

pytestmark = pytest.mark.django_db


def test_commune_procedure_received_at_another_communes_desk(world):
    """A resident of commune 1 hands in at the provincial centre: routed to commune 1."""
    t = world.tree
    d = dossier_submit(
        actor=world["desk_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["desk"],
        accept=True,
        now=local(2026, 3, 2, 9),
    )
    assert d.receiving_agency == t["desk"] and d.competent_agency == t["commune"]
    assert d.boundary_free is True and d.return_agency == t["desk"]
    # The desk has no identifier of its own: the centre's code and daily sequence (decision 3).
    assert d.code == f"{t['center'].code}-260302-0001"
    assert d.step_agency == t["commune"]
    # The commune's officials, not the desk's, take the next step.
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 2, 10),
    )
    assert d.step_key == "ky"


def test_online_submission_routes_by_the_applicants_commune(world, intake):
    t = world.tree
    d = dossier_submit(
        actor=intake,
        procedure=world.birth,
        applicant=citizen(t["commune2"].commune_id),
        components=THREE,
        channel="online",
        # Saturday evening: the provisional appointment counts from Monday 07:30.
        now=local(2026, 3, 7, 20, 0),
    )
    assert d.status == Status.SUBMITTED and d.national_status == 1
    assert d.competent_agency == t["commune2"] and d.boundary_free is False
    assert d.due_at == local(2026, 3, 12, 7, 30)


def test_unrouteable_procedure_is_refused_with_nothing_saved(world, fields_and_procedures, intake):
    from motcua.dossiers.models import Dossier

    with pytest.raises(Conflict):
        dossier_submit(
            actor=intake,
            procedure=fields_and_procedures["marriage"],
            applicant=citizen(world.tree["commune"].commune_id),
            components=THREE,
        )
    with pytest.raises(InvalidInput) as bad:
        dossier_submit(
            actor=intake,
            procedure=world.birth,
            applicant=citizen(world.tree["commune"].commune_id, id_number="123"),
            components=[],
        )
    assert set(bad.value.errors) == {"applicant.id_number", "components"}
    assert Dossier.objects.count() == 0


@pytest.mark.usefixtures("lien_thong")
def test_two_agency_handoff_assignment_and_return(world):
    t = world.tree
    d = dossier_submit(
        actor=world["commune_officer"],
        procedure=world.justice,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        accept=True,
        now=local(2026, 3, 2, 8),
    )
    # Received at a commune desk, settled by the department: boundary-free, routed there.
    assert d.competent_agency == t["dept"] and d.step_agency == t["dept_unit"]
    assert d.step_key == "phan-cong"
    with pytest.raises(NotAllowed):
        dossier_assign(
            actor=world["dept_specialist"],
            dossier=d,
            expected_version=d.version,
            assignee=world["dept_specialist"],
        )
    with pytest.raises(InvalidInput):
        dossier_act(
            actor=world["dept_leader_unit"],
            dossier=d,
            expected_version=d.version,
            action="forward",
            next_assignee=world["dept2_specialist"],
        )
    d = dossier_act(
        actor=world["dept_leader_unit"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        next_assignee=world["dept_specialist"],
        now=local(2026, 3, 2, 9),
    )
    assert d.step_key == "xu-ly" and d.assignee == world["dept_specialist"]
    # Assigned to one specialist: a colleague in the same unit may not act.
    with pytest.raises(NotAllowed):
        dossier_act(
            actor=world["dept_specialist2"], dossier=d, expected_version=d.version, action="forward"
        )
    d = dossier_act(
        actor=world["dept_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 3, 9),
    )
    assert d.step_key == "lien-thong" and d.step_agency == t["dept2"]
    # The other agency's time is counted against its own step.
    handoff = d.events.get(kind=EventKind.HANDOFF)
    assert handoff.from_agency == t["dept_unit"] and handoff.to_agency == t["dept2"]
    # The second agency waits for a financial obligation: the clock stops, then resumes.
    due_before = d.due_at
    d = dossier_request_payment(
        actor=world["dept2_specialist"],
        dossier=d,
        expected_version=d.version,
        amount_vnd=200_000,
        authority="Thuế cơ sở 1 tỉnh Thái Nguyên",
        notice_number="TB-0003",
        note="Tiền sử dụng đất",
        now=local(2026, 3, 4, 9),
    )
    assert d.status == Status.AWAITING_PAYMENT and d.national_status == 6
    d = dossier_payment_received(
        actor=world["dept2_specialist"],
        dossier=d,
        expected_version=d.version,
        now=local(2026, 3, 5, 9),
    )
    assert d.status == Status.PROCESSING and d.due_at > due_before
    d = dossier_act(
        actor=world["dept2_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        note="Đã xác minh",
        now=local(2026, 3, 6, 9),
    )
    assert d.step_key == "duyet" and d.step_agency == t["dept_unit"]
    back = d.events.order_by("seq").last()
    assert back.from_agency == t["dept2"] and back.to_agency == t["dept_unit"]
    # Sent back once, then approved and signed.
    d = dossier_act(
        actor=world["dept_leader_unit"],
        dossier=d,
        expected_version=d.version,
        action="return",
        note="Bổ sung ý kiến",
        now=local(2026, 3, 6, 10),
    )
    assert d.step_key == "xu-ly"
    # The specialist uploads the draft result the director will sign (R28).
    draft_result(world["dept_specialist"], d, now=local(2026, 3, 6, 13))
    d = dossier_act(
        actor=world["dept_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 6, 14),
    )
    d = dossier_act(
        actor=world["dept2_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 9, 9),
    )
    d = dossier_act(
        actor=world["dept_leader_unit"],
        dossier=d,
        expected_version=d.version,
        action="approve",
        now=local(2026, 3, 9, 10),
    )
    d = dossier_act(
        actor=world["dept_director"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 9, 15),
    )
    assert d.status == Status.DONE and d.step_agency == t["osu"]
    with pytest.raises(NotAllowed):
        dossier_return(actor=world["desk_officer"], dossier=d, expected_version=d.version)
    d = dossier_return(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        method="post",
        now=local(2026, 3, 10, 9),
    )
    assert d.status == Status.RETURNED and d.return_method == "post"
    # Every event reached the national portal's outbox in order (the applicant's SMS and
    # e-mail are other destinations), each with the national code of its moment.
    seqs = list(
        OutboxEvent.objects.filter(destination="dvcqg", aggregate_id=d.code)
        .order_by("id")
        .values_list("aggregate_seq", flat=True)
    )
    assert seqs == list(range(1, d.event_seq + 1))


def test_desks_without_an_identifier_number_in_their_centres_daily_sequence(world, superuser):
    """DOMAIN.md decision 3: a desk without an electronic identifier never makes one up; its
    dossiers take the code and the daily sequence of the nearest unit above it that has one."""
    from motcua.organizations.models import AgencyKind
    from motcua.organizations.services import agency_create

    t = world.tree
    desk2 = agency_create(
        actor=superuser,
        kind=AgencyKind.DESK,
        name="Quầy số 02",
        parent=t["center"],
        province=t.province,
    )
    codes = []
    for desk in (t["desk"], desk2, t["desk"]):
        d = dossier_submit(
            actor=world["desk_officer"],
            procedure=world.birth,
            applicant=citizen(t["commune"].commune_id),
            components=THREE,
            channel="direct",
            desk=desk,
            now=local(2026, 3, 2, 9),
        )
        codes.append(d.code)
    centre = t["center"].code
    assert codes == [f"{centre}-260302-0001", f"{centre}-260302-0002", f"{centre}-260302-0003"]
    assert not any("X00" in code for code in codes)


@pytest.mark.usefixtures("lien_thong")
def test_online_dossier_goes_to_the_electronic_unit_not_the_first_desk(world, intake, superuser):
    """Issue 13: an online dossier of a department's procedure went to the service center's
    first desk (whatever it served). It goes to the center's desk for the procedure's field,
    else for the department, else to the center itself; a commune's to its one-stop unit."""
    from motcua.catalog.tests.factories import FieldFactory
    from motcua.organizations.models import AgencyKind
    from motcua.organizations.services import agency_create

    t = world.tree

    def online(procedure, commune):
        return dossier_submit(
            actor=intake,
            procedure=procedure,
            applicant=citizen(commune),
            components=THREE,
            channel="online",
            now=local(2026, 3, 2, 9),
        )

    def desk(name, **serves):
        return agency_create(
            actor=superuser,
            kind=AgencyKind.DESK,
            name=name,
            parent=t["center"],
            province=t.province,
            **serves,
        )

    commune = t["commune"].commune_id
    # No desk serves the justice department: the center itself, not "Quầy số 01".
    d = online(world.justice, commune)
    assert d.receiving_agency == t["center"] and d.boundary_free is False
    land = desk("Quầy số 09 — Lĩnh vực Đất đai", serves_field=FieldFactory(code="G13-TN02"))
    justice_desk = desk("Quầy số 02 — Sở Tư pháp", serves_agency=t["dept"])
    d = online(world.justice, commune)
    assert d.receiving_agency == justice_desk != land
    assert d.competent_agency == t["dept"] and d.boundary_free is False
    assert d.code.startswith(f"{t['center'].code}-260302-")
    # A desk for the procedure's own field is more precise than the department's.
    record_desk = desk("Quầy số 11 — Lý lịch tư pháp", serves_field=world.justice.field)
    assert online(world.justice, commune).receiving_agency == record_desk
    # A commune's procedure: the commune's one-stop unit, its code from the unit's identifier.
    d = online(world.birth, commune)
    assert d.receiving_agency == t["osu"] and d.code.startswith(f"{t['osu'].code}-")


def test_only_a_service_center_desk_serves_a_department(world, superuser):
    from motcua.organizations.services import agency_update

    with pytest.raises(InvalidInput) as bad:
        agency_update(actor=superuser, agency=world.tree["osu"], serves_agency=world.tree["dept"])
    assert "serves_agency" in bad.value.errors


@pytest.mark.usefixtures("lien_thong")
def test_a_hand_off_inside_one_agency_is_not_lien_thong(world):
    """A hand-off step whose unit belongs to the same agency (the department's division hands
    the file to the department's own office) is a transfer, not liên thông (issue 14)."""
    from motcua.workflows.models import ProcessDefinition
    from motcua.workflows.spec import spec_hash

    from .factories import justice_steps

    t = world.tree
    document = justice_steps(t["dept_unit"], t["dept"])
    ProcessDefinition.objects.filter(pk=world.justice_definition.pk).update(
        document=document, content_hash=spec_hash(document)
    )
    d = dossier_submit(
        actor=world["commune_officer"],
        procedure=world.justice,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        accept=True,
        now=local(2026, 3, 2, 8),
    )
    d = dossier_act(
        actor=world["dept_leader_unit"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        next_assignee=world["dept_specialist"],
        now=local(2026, 3, 2, 9),
    )
    d = dossier_act(
        actor=world["dept_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 3, 9),
    )
    assert d.step_key == "lien-thong" and d.step_agency == t["dept"]
    entered = d.events.get(to_step="lien-thong")
    assert entered.kind == EventKind.STEP
    assert not d.events.filter(kind=EventKind.HANDOFF).exists()
