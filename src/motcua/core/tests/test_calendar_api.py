"""GET /api/v1/calendar/due and /days: public, JSON, 422 on bad input."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.services import calendar_override_set

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"
DAYS = "/api/v1/calendar/days"


def test_due_in_working_days_without_login(client):
    response = client.get(DUE, {"start": "2026-02-13T10:00", "working_days": "5"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-02-13T10:00:00+07:00",
        "counted_from": "2026-02-13T10:00:00+07:00",
        "due": "2026-02-27T10:00:00+07:00",
        "amount": 5,
        "unit": "working_days",
        "agency": None,
        "timezone": "Asia/Ho_Chi_Minh",
    }


def test_due_counts_from_the_next_working_period(client):
    body = client.get(DUE, {"start": "2026-03-07T20:15", "working_hours": "1.5"}).json()
    assert body["counted_from"] == "2026-03-09T07:30:00+07:00"
    assert body["due"] == "2026-03-09T09:00:00+07:00"
    assert body["amount"] == 1.5
    assert body["unit"] == "working_hours"


def test_due_with_a_cutoff_and_in_calendar_days(client):
    body = client.get(
        DUE, {"start": "2026-03-09T15:30", "working_days": "0", "cutoff": "15:00"}
    ).json()
    assert body["counted_from"] == "2026-03-10T07:30:00+07:00"
    assert body["due"] == "2026-03-10T17:00:00+07:00"
    body = client.get(DUE, {"start": "2026-03-11T10:00+07:00", "days": "4"}).json()
    assert body["due"] == "2026-03-16T07:30:00+07:00"


def test_due_uses_the_agency_calendar(client, superuser, tree):
    calendar_override_set(
        actor=superuser,
        date=date(2026, 3, 9),
        kind="day_off",
        agency=tree["commune"],
        reason="Lễ hội",
    )
    params = {"start": "2026-03-06T10:00", "working_days": "1"}
    assert client.get(DUE, params).json()["due"] == "2026-03-09T10:00:00+07:00"
    body = client.get(DUE, {**params, "agency": "000.01.31.H20"}).json()
    assert body["due"] == "2026-03-10T10:00:00+07:00"
    assert body["agency"] == "000.01.31.H20"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-02-13T10:00"}, "amount"),
        ({"start": "2026-02-13T10:00", "working_days": "1", "days": "2"}, "amount"),
        ({"start": "13/02/2026", "working_days": "1"}, "start"),
        ({"working_days": "1"}, "start"),
        ({"start": "2026-02-13T10:00", "working_days": "x"}, "working_days"),
        ({"start": "2026-02-13T10:00", "working_days": "-2"}, "working_days"),
        ({"start": "2026-02-13T10:00", "working_hours": "1,5"}, "working_hours"),
        ({"start": "2026-02-13T10:00", "working_days": "1", "cutoff": "25:00"}, "cutoff"),
    ],
)
def test_bad_input_is_422_with_the_field(client, params, field):
    response = client.get(DUE, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


def test_unknown_agency_is_404(client):
    response = client.get(
        DUE, {"start": "2026-02-13T10:00", "days": "1", "agency": "000.00.99.H99"}
    )
    assert response.status_code == 404


def test_days_of_2026_lists_national_days_off_and_make_up_days(client):
    response = client.get(DAYS, {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["agency"] is None
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-17"]["kind"] == "day_off"
    assert days["2026-02-17"]["source"] == "national"
    assert days["2026-02-17"]["name"] == "Tết Nguyên Đán"
    make_up = days["2026-08-22"]
    # The name is our msgid "Make-up working day for %(date)s", translated by the locale files.
    assert "31/08/2026" in make_up.pop("name")
    assert make_up == {
        "date": "2026-08-22",
        "weekday": 6,
        "kind": "working_day",
        "source": "national",
        "legal_basis": "",
        "agency": None,
    }
    assert days["2026-08-31"]["kind"] == "day_off"
    assert days["2026-11-24"]["kind"] == "day_off"
    # Weekend holidays (Hùng Kings' day on Sunday 26/4) are not weekdays lost.
    assert "2026-04-26" not in days
    assert "2026-04-27" in days
    assert len(body["days"]) == 14


def test_days_show_the_agency_overrides_with_their_basis(client, superuser, tree):
    calendar_override_set(
        actor=superuser,
        date=date(2026, 8, 22),
        kind="day_off",
        agency=tree["commune"],
        reason="Không làm bù",
        legal_basis="Công văn 5/UBND",
    )
    calendar_override_set(
        actor=superuser,
        date=date(2026, 3, 9),
        kind="day_off",
        reason="Nghỉ toàn tỉnh",
    )
    body = client.get(DAYS, {"year": 2026, "agency": "000.01.31.H20"}).json()
    days = {d["date"]: d for d in body["days"]}
    assert "2026-08-22" not in days  # no longer a make-up day, and a Saturday
    assert days["2026-03-09"]["source"] == "override"
    assert days["2026-03-09"]["agency"] is None
    assert days["2026-03-09"]["name"] == "Nghỉ toàn tỉnh"
    national = {d["date"] for d in client.get(DAYS, {"year": 2026}).json()["days"]}
    assert "2026-08-22" in national


def test_days_refuse_a_silly_year(client):
    assert client.get(DAYS, {"year": 99999}).status_code == 422
    assert client.get(DAYS, {"year": "abc"}).status_code == 422
