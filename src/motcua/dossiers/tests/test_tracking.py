"""Public tracking (`dossier_track`): one query, the history as the citizen sees it, and nothing
for a wrong second factor, a sandbox dossier or an unknown code."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import NotFound
from motcua.dossiers.constants import NATIONAL_STATUS_NAMES
from motcua.dossiers.selectors import dossier_track
from motcua.dossiers.services import dossier_act

from .factories import DossierFactory, citizen, local

pytestmark = pytest.mark.django_db

MON = local(2026, 3, 2, 9, 0)


def receive(world, *, is_sandbox=False):
    t = world.tree
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id, phone="0912345678"),
        desk=t["osu"],
        accepted=True,
        is_sandbox=is_sandbox,
        now=MON,
    )


def expected_steps(d):
    """The timeline the way the citizen reads it: consecutive repeats of status and place
    collapsed."""
    steps = []
    for e in d.events.select_related("to_agency").order_by("seq"):
        item = (e.at, NATIONAL_STATUS_NAMES[e.national_status], e.to_agency.name or "")
        if steps and steps[-1][1:] == item[1:]:
            continue
        steps.append(item)
    return steps


def test_tracking_answers_with_status_places_and_history_in_one_query(
    world, django_assert_num_queries
):
    d = receive(world)
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=local(2026, 3, 2, 15, 0),
    )
    d.refresh_from_db()
    with django_assert_num_queries(1):
        found = dossier_track(f"  {d.code} ", "0912345678")
    assert found.code == d.code
    assert found.procedure == d.procedure_version.name
    assert found.status_code == d.national_status
    assert found.status_name == NATIONAL_STATUS_NAMES[d.national_status]
    assert found.held_by == d.step_agency.name
    assert found.return_place == d.return_agency.name
    assert (found.received_at, found.due_at) == (d.received_at, d.due_at)
    assert found.received_at.utcoffset() == dt.timedelta(0)
    assert found.finished_at is None and found.returned_at is None
    assert [(s.at, s.status_name, s.agency) for s in found.steps] == expected_steps(d)
    assert all(s.at.tzinfo is not None for s in found.steps)


@pytest.mark.parametrize(
    "factor", ["0912345678", "+84 912 345 678", "0912.345.678", "087190001234"]
)
def test_the_phone_in_any_usual_spelling_or_the_identity_number_is_accepted(world, factor):
    d = receive(world)
    assert dossier_track(d.code, factor).code == d.code


@pytest.mark.parametrize("factor", ["", "   ", "0900000000", "087190001235", "091234567"])
def test_a_wrong_or_empty_factor_is_not_found_in_one_query(
    world, factor, django_assert_max_num_queries
):
    d = receive(world)
    with django_assert_max_num_queries(1), pytest.raises(NotFound) as wrong:
        dossier_track(d.code, factor)
    with pytest.raises(NotFound) as unknown:
        dossier_track("000.01.31.H20-260302-9999", "0912345678")
    assert wrong.value.as_dict() == unknown.value.as_dict()


def test_sandbox_dossiers_cannot_be_tracked(world):
    d = receive(world, is_sandbox=True)
    with pytest.raises(NotFound):
        dossier_track(d.code, "0912345678")


def test_no_appointment_before_acceptance_and_what_is_missing_while_a_supplement_is_asked(world):
    from motcua.dossiers.services import dossier_request_supplement

    t = world.tree
    d = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id, phone="0912345678"),
        desk=t["osu"],
        now=MON,
    )
    found = dossier_track(d.code, "0912345678")
    assert found.received_at is None and found.due_at is None
    assert found.missing == [] and found.missing_reason == ""

    d = dossier_request_supplement(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        items=["Bản sao Giấy chứng sinh", "Tờ khai có chữ ký của người đi khai"],
        reason="Thiếu giấy chứng sinh",
        now=local(2026, 3, 2, 10, 0),
    )
    found = dossier_track(d.code, "0912345678")
    assert found.missing == ["Bản sao Giấy chứng sinh", "Tờ khai có chữ ký của người đi khai"]
    assert found.missing_reason == "Thiếu giấy chứng sinh"
    assert found.due_at is None
    from django.test import Client

    page = Client().post("/tra-cuu-ho-so/", {"ma": d.code, "xac_thuc": "0912345678"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Hồ sơ còn thiếu" in body and "Bản sao Giấy chứng sinh" in body
    assert "Ngày hẹn trả" not in body
