"""`manage.py deadline`: the due date-time in ISO 8601 with its offset."""

from __future__ import annotations

from datetime import date, time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.core.services import calendar_override_set, office_hours_set

pytestmark = pytest.mark.django_db


def deadline(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_five_working_days_over_tet():
    assert deadline("--start", "2026-02-13T10:00", "--working-days", "5") == (
        "2026-02-27T10:00:00+07:00\n"
    )


def test_a_start_with_an_offset_is_converted():
    # 03:00 UTC is 10:00 in Hà Nội.
    assert deadline("--start", "2026-02-13T03:00:00+00:00", "--working-days", "5") == (
        "2026-02-27T10:00:00+07:00\n"
    )


def test_decimal_working_hours():
    assert deadline("--start", "2026-03-13T16:00", "--working-hours", "4.5") == (
        "2026-03-16T11:00:00+07:00\n"
    )


def test_calendar_days_landing_on_sunday():
    assert deadline("--start", "2026-03-11T10:00", "--days", "4") == "2026-03-16T07:30:00+07:00\n"


def test_same_day_with_cutoff():
    assert deadline("--start", "2026-03-09T15:30", "--working-days", "0", "--cutoff", "15:00") == (
        "2026-03-10T17:00:00+07:00\n"
    )


def test_agency_overrides_and_office_hours(superuser, tree):
    args = ("--start", "2026-03-06T10:00", "--working-days", "1", "--agency", "000.00.31.H20")
    assert deadline(*args) == "2026-03-09T10:00:00+07:00\n"
    calendar_override_set(
        actor=superuser,
        date=date(2026, 3, 7),
        kind="working_day",
        agency=tree["commune"],
        reason="Làm bù",
    )
    assert deadline(*args) == "2026-03-07T10:00:00+07:00\n"
    # Another commune keeps the national calendar.
    assert deadline(*args[:-1], "000.00.32.H20") == "2026-03-09T10:00:00+07:00\n"
    office_hours_set(
        actor=superuser,
        agency=tree["commune"],
        morning_start=time(7),
        morning_end=time(11),
        afternoon_start=time(13),
        afternoon_end=time(16),
    )
    assert (
        deadline("--start", "2026-03-09T16:30", "--working-days", "0", "--agency", "000.01.31.H20")
        == "2026-03-10T16:00:00+07:00\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "13/02/2026", "--working-days", "5"), "ISO 8601"),
        (("--start", "2026-02-13T10:00", "--working-days", "-1"), "zero or more"),
        (("--start", "2026-02-13T10:00", "--working-days", "1.5"), "whole number"),
        (("--start", "2026-02-13T10:00", "--working-hours", "abc"), "hours"),
        (("--start", "2026-02-13T10:00", "--working-days", "1", "--days", "2"), "not allowed"),
        (
            (
                "--start",
                "2026-02-13T10:00",
            ),
            "one of the arguments",
        ),
        (("--start", "2026-02-13T10:00", "--days", "1", "--cutoff", "3pm"), "--cutoff"),
        (
            ("--start", "2026-02-13T10:00", "--days", "1", "--agency", "000.00.99.H99"),
            "000.00.99.H99",
        ),
    ],
)
def test_bad_input_is_a_clear_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        deadline(*args)
