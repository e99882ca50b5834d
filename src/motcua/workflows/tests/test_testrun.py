"""Kiểm thử (R3): the sandbox run shows who gets each step, its deadline, and every problem."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Grant
from motcua.core.workcalendar import TZ
from motcua.workflows.services import definition_create
from motcua.workflows.testrun import test_run as sandbox_run

from .conftest import MONDAY
from .documents import birth_document, step

pytestmark = pytest.mark.django_db


def at(*args) -> str:
    return dt.datetime(*args, tzinfo=TZ).isoformat()


def test_report_lists_officials_and_chains_deadlines_over_a_weekend(draft, tree, staff):
    friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=TZ)
    with CaptureQueriesContext(connection) as queries:
        report = sandbox_run(draft, start=friday)
    # A sandbox: it reads, never writes (no dossier, nothing to sync or count).
    assert not [
        q for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert report["passed"] is True and report["problems"] == []
    assert report["sandbox"] is True
    assert report["commune"]["code"] == tree["commune"].commune_id
    assert report["competent_agency"]["name"] == tree["commune"].name
    assert report["receiving_desk"]["name"] == tree["osu"].name
    steps = report["steps"]
    assert [s["key"] for s in steps] == ["receive", "process", "sign", "deliver"]
    assert [s["officials"] for s in steps] == [
        [{"name": "Tiepnhan", "username": "tiepnhan"}],
        [{"name": "Hotich", "username": "hotich"}],
        [{"name": "Chutich", "username": "chutich"}],
        [{"name": "Tiepnhan", "username": "tiepnhan"}],
    ]
    assert steps[1]["unit"] == {
        "id": tree["commune"].pk,
        "name": tree["commune"].name,
        "code": tree["commune"].code,
    }
    # 1 h to 16:00 Friday; 3 h: 16:00–17:00, then Monday 07:30–09:30; 2 h to 11:30; 1 h to 14:30.
    assert [(s["started_at"], s["deadline"]) for s in steps] == [
        (at(2026, 11, 27, 15, 0), at(2026, 11, 27, 16, 0)),
        (at(2026, 11, 27, 16, 0), at(2026, 11, 30, 9, 30)),
        (at(2026, 11, 30, 9, 30), at(2026, 11, 30, 11, 30)),
        (at(2026, 11, 30, 11, 30), at(2026, 11, 30, 14, 30)),
    ]
    assert report["end"] == at(2026, 11, 30, 14, 30)
    # Published: 1 working day with a 15:00 cut-off; received at 15:00 → Monday 15:00.
    assert report["due"] == at(2026, 11, 30, 15, 0)
    assert report["published_time"] == {"amount": 1, "unit": "working_days", "cutoff": "15:00"}
    assert report["within_time"] is True


def test_deadlines_skip_the_national_day_holidays(draft):
    # 31/8/2026 (the day off for 2/9), 1/9 and 2/9 are not worked.
    report = sandbox_run(draft, start=dt.datetime(2026, 8, 28, 15, 0, tzinfo=TZ))
    assert [s["deadline"] for s in report["steps"]] == [
        at(2026, 8, 28, 16, 0),
        at(2026, 9, 3, 9, 30),
        at(2026, 9, 3, 11, 30),
        at(2026, 9, 3, 14, 30),
    ]
    assert report["due"] == at(2026, 9, 3, 15, 0)
    assert report["passed"] is True


def test_after_the_cutoff_the_due_time_moves_a_working_day(draft):
    report = sandbox_run(draft, start=dt.datetime(2026, 8, 28, 15, 30, tzinfo=TZ))
    assert report["due"] == at(2026, 9, 4, 7, 30)
    assert report["end"] == at(2026, 9, 3, 15, 0)


def test_a_step_without_officials_is_a_problem_of_that_step(draft, staff, superuser):
    from motcua.accounts.services import grant_revoke

    grant_revoke(actor=superuser, grant=Grant.objects.get(user=staff["chairman"]))
    report = sandbox_run(draft, start=MONDAY)
    sign = report["steps"][2]
    assert sign["officials"] == []
    assert [p["code"] for p in sign["problems"]] == ["no_official"]
    assert '"Ký giấy khai sinh"' in sign["problems"][0]["message"]
    assert report["passed"] is False
    assert sign["problems"][0] in report["problems"]


def test_the_given_commune_decides_desk_and_agency(draft, tree):
    report = sandbox_run(draft, commune_id=tree["commune2"].commune_id, start=MONDAY)
    assert report["competent_agency"]["id"] == tree["commune2"].pk
    # The second commune has no desk: its residents submit at the provincial centre.
    assert report["receiving_desk"]["id"] == tree["desk"].pk
    assert report["steps"][0]["officials"] == [{"name": "Tiepnhan.Tt", "username": "tiepnhan.tt"}]
    assert report["steps"][1]["officials"] == [{"name": "Hotich2", "username": "hotich2"}]


def test_consult_steps_show_the_units_asked_and_their_officials(
    catalog_admin, tree, birth, staff, make_official
):
    make_official("cv.stp", tree["dept_unit"], [("specialist", tree["dept_unit"])])
    consult = step(
        "consult",
        name="Lấy ý kiến Sở Tư pháp",
        kind="consult",
        consult_units=[{"ref": "agency", "agency_code": tree["dept_unit"].code}],
        transitions=[{"action": "forward", "next": "sign"}],
    )
    document = birth_document(
        process={"transitions": [{"action": "consult", "next": "consult"}], "limit_amount": 1}
    )
    document["steps"].insert(2, consult)
    definition = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Có lấy ý kiến",
        document=document,
    )
    report = sandbox_run(definition, start=MONDAY)
    consulted = report["steps"][2]
    assert consulted["key"] == "consult" and consulted["action"] == "forward"
    assert consulted["consulted"] == [
        {
            "unit": {
                "id": tree["dept_unit"].pk,
                "name": tree["dept_unit"].name,
                "code": tree["dept_unit"].code,
            },
            "officials": [{"name": "Cv.Stp", "username": "cv.stp"}],
        }
    ]
    assert report["passed"] is True, report["problems"]


def test_eight_hours_fit_the_rule_but_not_a_seven_and_a_half_hour_office_day(
    catalog_admin, tree, birth, staff
):
    # Validation counts a working day as 8 hours; the real calendar's office day is 7.5 hours,
    # so 8 hours from Monday 23/11 08:00 end at 08:30 on the next working day (Wednesday: 24/11
    # is Vietnamese Culture Day, a day off from 2026), after the due time 08:00.
    definition = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Sát hạn",
        document=birth_document(sign={"limit_amount": 3}),
    )
    report = sandbox_run(definition, start=MONDAY)
    assert report["end"] == at(2026, 11, 25, 8, 30)
    assert report["due"] == at(2026, 11, 25, 8, 0)
    assert report["within_time"] is False
    (overrun,) = report["problems"]
    assert overrun["code"] == "overrun" and overrun["step_key"] is None
    assert "08:30 25/11/2026" in overrun["message"] and "08:00 25/11/2026" in overrun["message"]


def test_a_step_that_can_only_send_back_stops_the_run(catalog_admin, tree, birth, staff):
    document = birth_document(sign={"transitions": [{"action": "return", "next": "process"}]})
    definition = definition_create(
        actor=catalog_admin, procedure=birth, province=tree.province, name="Kẹt", document=document
    )
    report = sandbox_run(definition, start=MONDAY)
    assert [s["key"] for s in report["steps"]] == ["receive", "process", "sign"]
    assert ("sign", "path_stuck") in {(p["step_key"], p["code"]) for p in report["problems"]}
    assert report["passed"] is False


def test_default_start_is_the_next_working_morning(draft):
    report = sandbox_run(draft)
    start = dt.datetime.fromisoformat(report["start"]).astimezone(TZ)
    assert (start.hour, start.minute) == (7, 30)
    assert start.date() > dt.date.today() - dt.timedelta(days=1)
