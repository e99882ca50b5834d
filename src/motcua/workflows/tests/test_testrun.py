"""Kiểm thử (R3): the sandbox run shows who gets each step, its deadline, and every problem."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Grant
from motcua.core.workcalendar import TZ
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organizations.models import Agency
from motcua.outbox.models import OutboxEvent
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
    # The real engine ran on a test dossier: it was written, then rolled back with its history;
    # no outbox row was ever written (nothing to sync), no counter number was taken.
    sql = [q["sql"] for q in queries.captured_queries]
    assert any(q.startswith('INSERT INTO "dossiers_dossier"') for q in sql)
    assert any(q.startswith('INSERT INTO "dossiers_dossierevent"') for q in sql)
    assert not [q for q in sql if "outbox" in q.split(" WHERE ")[0] and q.startswith("INSERT")]
    assert not [q for q in sql if "dossiers_codecounter" in q]
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    assert not OutboxEvent.objects.exists()
    assert report["engine"] is True
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
    # Each step was really done, by its first eligible official, at its deadline.
    assert [(s["acted_by"]["username"], s["acted_at"]) for s in steps] == [
        ("tiepnhan", at(2026, 11, 27, 16, 0)),
        ("hotich", at(2026, 11, 30, 9, 30)),
        ("chutich", at(2026, 11, 30, 11, 30)),
        ("tiepnhan", at(2026, 11, 30, 14, 30)),
    ]
    # The test dossier's history: registered, accepted and sent on to processing, signed,
    # finished (the result goes to the desk), handed over.
    assert [e["kind"] for e in report["events"]] == [
        "register",
        "accept",
        "step",
        "step",
        "finish",
        "return_result",
    ]
    assert report["end"] == at(2026, 11, 30, 14, 30)
    # Published: 1 working day with a 15:00 cut-off. The desk takes its hour and accepts at
    # 16:00, after the cut-off: the appointment counts from Monday, so it is Tuesday 07:30.
    assert report["due"] == at(2026, 12, 1, 7, 30)
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
    # Accepted at 16:00 on Friday 28/8, after the cut-off: counted from Thursday 3/9.
    assert report["due"] == at(2026, 9, 4, 7, 30)
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


def test_a_run_past_the_appointment_is_an_overrun_with_both_times(
    catalog_admin, tree, birth, staff
):
    # Received Monday 23/11 08:00, accepted 09:00: the appointment is 09:00 on Wednesday (24/11
    # is Vietnamese Culture Day, a day off from 2026). Processing 3 h to 14:00, signing 4 h to
    # 08:30 Wednesday, handing over 1 h to 09:30: half an hour late.
    definition = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Quá hạn",
        document=birth_document(sign={"limit_amount": 4}),
    )
    report = sandbox_run(definition, start=MONDAY)
    assert report["end"] == at(2026, 11, 25, 9, 30)
    assert report["due"] == at(2026, 11, 25, 9, 0)
    assert report["within_time"] is False
    overrun = [p for p in report["problems"] if p["code"] == "overrun"]
    assert len(overrun) == 1 and overrun[0]["step_key"] is None
    assert "09:30 25/11/2026" in overrun[0]["message"]
    assert "09:00 25/11/2026" in overrun[0]["message"]
    # Validation saw it coming: 1 + 3 + 4 + 1 hours exceed the 7.5-hour working day.
    assert "over_time" in {p["code"] for p in report["problems"]}


def test_the_engine_refusing_a_step_stops_the_run_and_says_why(
    catalog_admin, tree, birth, staff, make_official
):
    # The signing unit is closed after the definition was written: the engine cannot hand the
    # dossier to it, and the run reports the engine's own message at the step that tried.
    make_official("gd", tree["dept"], [("agency_leader", tree["dept"], True)])
    unit = {"ref": "agency", "agency_code": tree["dept"].code}
    definition = definition_create(
        actor=catalog_admin,
        procedure=birth,
        province=tree.province,
        name="Ký ở Sở",
        document=birth_document(sign={"unit": unit}),
    )
    Agency.objects.filter(pk=tree["dept"].pk).update(is_active=False)
    report = sandbox_run(definition, start=MONDAY)
    assert [s["key"] for s in report["steps"]] == ["receive", "process"]
    process = report["steps"][1]
    assert process["acted_by"] is None
    assert [p["code"] for p in process["problems"]] == ["engine_refused"]
    assert "Ký giấy khai sinh" in process["problems"][0]["message"]
    assert report["end"] is None and report["within_time"] is False
    assert report["passed"] is False
    assert not Dossier.objects.exists()


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
