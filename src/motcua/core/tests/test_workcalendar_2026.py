"""The 2026 calendar as the `holidays` package (0.109) and the one-stop rules give it."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from motcua.core.workcalendar import TZ, WorkCalendar, national_calendar

DAYS_OFF, WORKDAYS = national_calendar([2025, 2026, 2027])
CAL = WorkCalendar(DAYS_OFF, WORKDAYS)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def test_tet_2026_is_off_from_14_to_22_february():
    for day in range(14, 23):
        assert not CAL.is_working_day(date(2026, 2, day)), day
    assert CAL.is_working_day(date(2026, 2, 13))
    assert CAL.is_working_day(date(2026, 2, 23))


def test_five_working_days_from_friday_before_tet_end_on_27_february():
    assert CAL.add_working_days(at(2026, 2, 13, 10), 5) == at(2026, 2, 27, 10)
    assert CAL.add(at(2026, 2, 13, 10), 5, "working_days") == at(2026, 2, 27, 10)


def test_hung_kings_day_falls_on_sunday_and_is_observed_on_monday_27_april():
    assert date(2026, 4, 26) in DAYS_OFF
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert CAL.add_working_days(at(2026, 4, 24, 9), 1) == at(2026, 4, 28, 9)


def test_30_april_and_1_may_are_off():
    assert not CAL.is_working_day(date(2026, 4, 30))
    assert not CAL.is_working_day(date(2026, 5, 1))
    assert CAL.add_working_days(at(2026, 4, 29, 14), 1) == at(2026, 5, 4, 14)


def test_national_day_swap_works_saturday_22_august_and_rests_monday_31_august():
    assert CAL.is_working_day(date(2026, 8, 22))
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not CAL.is_working_day(day), day
    assert CAL.add_working_days(at(2026, 8, 21, 10), 1) == at(2026, 8, 22, 10)
    assert CAL.add_working_days(at(2026, 8, 28, 10), 1) == at(2026, 9, 3, 10)


def test_24_november_2026_is_vietnam_cultural_day_in_the_package():
    import holidays

    assert holidays.country_holidays("VN", years=2026, language="en_US")[date(2026, 11, 24)] == (
        "Vietnam Cultural Day"
    )
    assert not CAL.is_working_day(date(2026, 11, 24))
    assert CAL.add_working_days(at(2026, 11, 23, 10), 1) == at(2026, 11, 25, 10)


def test_2025_swap_works_saturday_26_april_and_rests_friday_2_may():
    assert CAL.is_working_day(date(2025, 4, 26))
    assert not CAL.is_working_day(date(2025, 5, 2))


def test_national_calendar_keeps_only_the_years_asked():
    _, workdays = national_calendar([2026])
    assert workdays == {date(2026, 8, 22)}


def test_online_submission_on_saturday_evening_counts_from_monday_0730():
    saturday_evening = at(2026, 3, 7, 20, 15)
    assert CAL.next_working_moment(saturday_evening) == at(2026, 3, 9, 7, 30)
    assert CAL.add_working_days(saturday_evening, 3) == at(2026, 3, 12, 7, 30)


def test_lunch_break_submission_counts_from_1330():
    assert CAL.next_working_moment(at(2026, 3, 9, 12, 5)) == at(2026, 3, 9, 13, 30)
    assert CAL.next_working_moment(at(2026, 3, 9, 11, 30)) == at(2026, 3, 9, 13, 30)
    assert CAL.next_working_moment(at(2026, 3, 9, 7, 30)) == at(2026, 3, 9, 7, 30)
    assert CAL.next_working_moment(at(2026, 3, 9, 17, 0)) == at(2026, 3, 10, 7, 30)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 3, 9, 14, 59), at(2026, 3, 9, 17)),
        (at(2026, 3, 9, 15, 0), at(2026, 3, 9, 17)),
        (at(2026, 3, 9, 15, 1), at(2026, 3, 10, 17)),
        (at(2026, 3, 13, 16, 30), at(2026, 3, 16, 17)),  # Friday afternoon → Monday
        (at(2026, 3, 9, 18, 0), at(2026, 3, 10, 17)),  # after hours → next working day
        (at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17)),  # before Tết → after Tết
    ],
)
def test_same_day_procedure_with_a_1500_cutoff(received, due):
    assert CAL.add(received, 0, "working_days", cutoff=time(15)) == due


def test_same_day_procedure_without_cutoff_ends_at_the_close_of_that_day():
    assert CAL.add(at(2026, 3, 9, 16, 45), 0, "working_days") == at(2026, 3, 9, 17)


def test_a_start_after_the_cutoff_counts_working_days_from_the_next_morning():
    assert CAL.add(at(2026, 3, 9, 15, 30), 2, "working_days", cutoff=time(15)) == at(
        2026, 3, 12, 7, 30
    )
    assert CAL.add(at(2026, 3, 9, 10), 2, "working_days", cutoff=time(15)) == at(2026, 3, 11, 10)


def test_calendar_days_landing_on_sunday_move_to_monday_morning():
    # Wednesday 11/3 + 4 days = Sunday 15/3 (Civil Code 2015 art. 148(5)).
    assert CAL.add(at(2026, 3, 11, 10), 4, "days") == at(2026, 3, 16, 7, 30)
    assert CAL.add(at(2026, 3, 11, 10), 5, "days") == at(2026, 3, 16, 10)
    # Landing on the observed Hùng Kings' day moves to Tuesday.
    assert CAL.add(at(2026, 4, 20, 9), 7, "days") == at(2026, 4, 28, 7, 30)


def test_months_clamp_to_the_end_of_a_short_month():
    # 30/1 + 1 month = 28/2/2026 (no 30/2), a Saturday → Monday 2/3.
    assert CAL.add(at(2026, 1, 30, 9), 1, "months") == at(2026, 3, 2, 7, 30)
    assert CAL.add(at(2026, 3, 31, 9), 2, "months") == at(2026, 6, 1, 7, 30)  # 31/5 is Sunday
    assert CAL.add(at(2026, 3, 10, 9), 1, "months") == at(2026, 4, 10, 9)


def test_working_hours_count_office_time_across_lunch_and_weekends():
    assert CAL.add_working_hours(at(2026, 3, 9, 7, 30), 4) == at(2026, 3, 9, 11, 30)
    assert CAL.add_working_hours(at(2026, 3, 9, 10, 0), 2) == at(2026, 3, 9, 14, 0)
    assert CAL.add_working_hours(at(2026, 3, 13, 16, 0), 4) == at(2026, 3, 16, 10, 30)
    assert CAL.add_working_hours(at(2026, 3, 9, 7, 30), "1.5") == at(2026, 3, 9, 9, 0)
    assert CAL.add(at(2026, 3, 9, 7, 30), 8, "working_hours") == at(2026, 3, 10, 8, 0)


def test_a_result_at_the_end_of_the_day_stays_there():
    assert CAL.add_working_hours(at(2026, 3, 9, 7, 30), 7.5) == at(2026, 3, 9, 17, 0)


def test_working_minutes_between():
    assert CAL.working_minutes_between(at(2026, 3, 13, 16), at(2026, 3, 16, 8)) == 90
    assert CAL.working_minutes_between(at(2026, 3, 16, 8), at(2026, 3, 13, 16)) == 0
    assert CAL.working_minutes_between(at(2026, 2, 13, 7, 30), at(2026, 2, 23, 7, 30)) == 450


def test_one_working_day_before_a_deadline():
    assert CAL.subtract_working_days(at(2026, 2, 27, 10), 1) == at(2026, 2, 26, 10)
    assert CAL.subtract_working_days(at(2026, 2, 23, 10), 1) == at(2026, 2, 13, 10)
    # A deadline at the close of the day: the close of the working day before.
    assert CAL.subtract_working_days(at(2026, 2, 23, 17), 1) == at(2026, 2, 13, 17)
    # A deadline on a holiday counts back from the last working moment before it.
    assert CAL.subtract_working_days(at(2026, 9, 1, 10), 1) == at(2026, 8, 27, 17)


def test_end_of_working_day():
    assert CAL.end_of_working_day(date(2026, 3, 9)) == at(2026, 3, 9, 17)
    custom = WorkCalendar(periods=((time(8), time(12)), (time(13), time(16, 30))))
    assert custom.end_of_working_day(date(2026, 3, 9)) == at(2026, 3, 9, 16, 30)
