"""Overrides and office hours in the database: inheritance, caching, authorization, audit."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import (
    AuditEntry,
    CalendarOverride,
    CalendarOverrideKind,
    CalendarRevision,
    OfficeHours,
)
from motcua.core.selectors import calendar_for, due
from motcua.core.services import (
    calendar_override_delete,
    calendar_override_set,
    office_hours_set,
)
from motcua.core.workcalendar import DEFAULT_PERIODS, TZ

pytestmark = pytest.mark.django_db

OFF, WORK = CalendarOverrideKind.DAY_OFF, CalendarOverrideKind.WORKING_DAY
FRI_2_JAN = date(2026, 1, 2)
THU_5_MAR = date(2026, 3, 5)
FRI_6_MAR = date(2026, 3, 6)
SAT_7_MAR = date(2026, 3, 7)
SUN_8_MAR = date(2026, 3, 8)
WED_11_MAR = date(2026, 3, 11)


def hours(*pairs: tuple[int, int]) -> dict:
    names = ["morning_start", "morning_end", "afternoon_start", "afternoon_end"]
    return {name: time(*pair) for name, pair in zip(names, pairs, strict=True)}


def test_a_fresh_database_has_the_national_swap_without_any_row():
    assert not CalendarOverride.objects.exists()
    calendar = calendar_for()
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert not calendar.is_working_day(date(2026, 2, 17))
    assert calendar.periods == DEFAULT_PERIODS


def test_installation_wide_day_off_applies_to_every_agency(superuser, tree):
    override = calendar_override_set(
        actor=superuser,
        date=FRI_2_JAN,
        kind=OFF,
        reason="Nghỉ bù Tết Dương lịch",
        legal_basis="Thông báo 1234/TB-BNV",
    )
    for agency in (None, tree["root"], tree["osu"], tree["desk"]):
        assert not calendar_for(agency).is_working_day(FRI_2_JAN), agency
    entry = AuditEntry.objects.get(action="calendar.override.create")
    assert entry.object_id == str(override.pk)
    assert entry.after["legal_basis"] == "Thông báo 1234/TB-BNV"
    assert override.created_by == superuser


def test_agency_override_is_inherited_down_its_path_only(padmin, tree):
    calendar_override_set(
        actor=padmin, date=THU_5_MAR, kind=OFF, agency=tree["commune"], reason="Lễ hội"
    )
    assert not calendar_for(tree["commune"]).is_working_day(THU_5_MAR)
    assert not calendar_for(tree["osu"]).is_working_day(THU_5_MAR)
    assert calendar_for(tree["commune2"]).is_working_day(THU_5_MAR)
    assert calendar_for(tree["root"]).is_working_day(THU_5_MAR)
    assert calendar_for().is_working_day(THU_5_MAR)


def test_the_nearest_agency_wins_on_the_same_date(superuser, padmin, tree):
    calendar_override_set(actor=superuser, date=FRI_6_MAR, kind=OFF, reason="Cả tỉnh nghỉ")
    calendar_override_set(
        actor=padmin, date=FRI_6_MAR, kind=WORK, agency=tree["commune"], reason="Xã vẫn làm"
    )
    calendar_override_set(
        actor=padmin, date=FRI_6_MAR, kind=OFF, agency=tree["osu"], reason="Bộ phận nghỉ"
    )
    assert not calendar_for().is_working_day(FRI_6_MAR)
    assert not calendar_for(tree["commune2"]).is_working_day(FRI_6_MAR)
    assert calendar_for(tree["commune"]).is_working_day(FRI_6_MAR)
    assert not calendar_for(tree["osu"]).is_working_day(FRI_6_MAR)


def test_an_agency_may_skip_the_national_make_up_saturday(padmin, tree):
    calendar_override_set(
        actor=padmin, date=date(2026, 8, 22), kind=OFF, agency=tree["dept"], reason="Không làm bù"
    )
    assert not calendar_for(tree["dept_unit"]).is_working_day(date(2026, 8, 22))
    assert calendar_for(tree["dept2"]).is_working_day(date(2026, 8, 22))


def test_a_make_up_saturday_moves_deadlines(padmin, tree):
    start = datetime(2026, 3, 6, 10, tzinfo=TZ)
    assert due(start=start, amount=1, unit="working_days", agency=tree["osu"]) == datetime(
        2026, 3, 9, 10, tzinfo=TZ
    )
    calendar_override_set(
        actor=padmin, date=SAT_7_MAR, kind=WORK, agency=tree["commune"], reason="Làm bù"
    )
    assert due(start=start, amount=1, unit="working_days", agency=tree["osu"]) == datetime(
        2026, 3, 7, 10, tzinfo=TZ
    )


def test_setting_a_date_again_replaces_it_and_deleting_restores_the_national_day(padmin, tree):
    first = calendar_override_set(
        actor=padmin, date=SAT_7_MAR, kind=WORK, agency=tree["commune"], reason="Làm bù"
    )
    second = calendar_override_set(
        actor=padmin,
        date=SAT_7_MAR,
        kind=WORK,
        agency=tree["commune"],
        reason="Làm bù cho ngày 2/1",
        legal_basis="Công văn 12/UBND",
    )
    assert first.pk == second.pk
    assert CalendarOverride.objects.count() == 1
    update = AuditEntry.objects.get(action="calendar.override.update")
    assert update.before["reason"] == "Làm bù"
    assert update.after["reason"] == "Làm bù cho ngày 2/1"
    assert calendar_for(tree["commune"]).is_working_day(SAT_7_MAR)

    calendar_override_delete(actor=padmin, override=second)
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.override.delete").count() == 1
    assert not calendar_for(tree["commune"]).is_working_day(SAT_7_MAR)


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (SUN_8_MAR, OFF, "08/03/2026"),  # a Sunday is already off
        (date(2026, 9, 1), OFF, "01/09/2026"),  # a national holiday is already off
        (WED_11_MAR, WORK, "11/03/2026"),  # an ordinary Wednesday is already worked
        (date(2026, 8, 22), WORK, "22/08/2026"),  # already the national make-up day
    ],
)
def test_overrides_that_change_nothing_are_refused(superuser, day, kind, message):
    with pytest.raises(InvalidInput) as refused:
        calendar_override_set(actor=superuser, date=day, kind=kind, reason="x")
    assert message in refused.value.errors["kind"][0]
    assert not CalendarOverride.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_an_agency_may_undo_its_parents_override(superuser, padmin, tree):
    calendar_override_set(actor=superuser, date=FRI_6_MAR, kind=OFF, reason="Cả tỉnh nghỉ")
    # Refused for the installation (already off there) but meaningful for the commune.
    calendar_override_set(
        actor=padmin, date=FRI_6_MAR, kind=WORK, agency=tree["commune"], reason="Xã vẫn làm"
    )
    with pytest.raises(InvalidInput):
        calendar_override_set(
            actor=padmin, date=FRI_6_MAR, kind=OFF, agency=tree["commune2"], reason="Nghỉ"
        )


def test_a_reason_is_required(superuser):
    with pytest.raises(InvalidInput) as refused:
        calendar_override_set(actor=superuser, date=FRI_2_JAN, kind=OFF, reason="  ")
    assert "reason" in refused.value.errors


def test_office_hours_come_from_the_nearest_agency_then_the_default(padmin, superuser, tree):
    assert calendar_for(tree["dept_unit"]).periods == DEFAULT_PERIODS
    office_hours_set(actor=superuser, **hours((8, 0), (12, 0), (13, 0), (17, 0)))
    office_hours_set(
        actor=padmin, agency=tree["dept"], **hours((7, 0), (11, 0), (13, 30), (16, 30))
    )
    dept_periods = ((time(7), time(11)), (time(13, 30), time(16, 30)))
    default_periods = ((time(8), time(12)), (time(13), time(17)))
    assert calendar_for(tree["dept"]).periods == dept_periods
    assert calendar_for(tree["dept_unit"]).periods == dept_periods
    assert calendar_for(tree["commune"]).periods == default_periods
    assert calendar_for().periods == default_periods
    start = datetime(2026, 3, 9, 16, 45, tzinfo=TZ)  # after the department's closing time
    assert due(start=start, amount=0, unit="working_days", agency=tree["dept_unit"]) == datetime(
        2026, 3, 10, 16, 30, tzinfo=TZ
    )
    entries = AuditEntry.objects.filter(action="calendar.office_hours.set")
    assert entries.count() == 2
    assert entries.get(agency=tree["dept"]).after["afternoon_end"] == "16:30"


def test_office_hours_set_again_updates_the_row(padmin, tree):
    office_hours_set(
        actor=padmin, agency=tree["dept"], **hours((7, 0), (11, 0), (13, 30), (16, 30))
    )
    office_hours_set(
        actor=padmin, agency=tree["dept"], **hours((7, 0), (11, 30), (13, 0), (16, 30))
    )
    assert OfficeHours.objects.filter(agency=tree["dept"]).count() == 1
    latest = AuditEntry.objects.filter(action="calendar.office_hours.set").first()
    assert latest.before["morning_end"] == "11:00"
    assert calendar_for(tree["dept"]).periods[0] == (time(7), time(11, 30))


def test_unordered_office_hours_are_refused(superuser):
    with pytest.raises(InvalidInput) as refused:
        office_hours_set(actor=superuser, **hours((8, 0), (7, 0), (13, 0), (17, 0)))
    assert "morning_end" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        office_hours_set(actor=superuser, **hours((7, 0), (12, 0), (11, 0), (17, 0)))
    assert "afternoon_start" in refused.value.errors
    assert not OfficeHours.objects.exists()


def test_the_database_refuses_unordered_hours_and_a_second_default_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHours.objects.create(**hours((12, 0), (8, 0), (13, 0), (17, 0)))
    OfficeHours.objects.create(**hours((8, 0), (12, 0), (13, 0), (17, 0)))
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeHours.objects.create(**hours((7, 0), (11, 0), (13, 0), (17, 0)))


def test_the_database_refuses_a_second_installation_wide_override_on_a_date():
    CalendarOverride.objects.create(date=FRI_2_JAN, kind=OFF, reason="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(date=FRI_2_JAN, kind=OFF, reason="b")


# Caching ---------------------------------------------------------------------------------------


def test_a_cached_calendar_costs_no_query(django_assert_num_queries, tree):
    calendar_for(tree["osu"])
    with django_assert_num_queries(0):
        calendar_for(tree["osu"])


def test_a_service_call_invalidates_the_cache_at_once(superuser, tree):
    assert calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
    calendar_override_set(actor=superuser, date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
    assert not calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
    office_hours_set(actor=superuser, **hours((8, 0), (12, 0), (13, 0), (17, 0)))
    assert calendar_for(tree["osu"]).periods[0] == (time(8), time(12))


def test_another_process_change_is_seen_once_the_cache_time_is_over(settings, tree):
    """Another process's service commits a row and bumps the revision; this process only
    learns of it from the revision."""
    assert calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
    CalendarOverride.objects.create(date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
    CalendarRevision.objects.create(pk=1, number=1)
    # Within the cache time the calendar is trusted without asking the database...
    assert calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
    # ...after it, one read of the revision shows the change.
    settings.MOTCUA_CALENDAR_CACHE_SECONDS = 0
    assert not calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
    CalendarRevision.objects.filter(pk=1).update(number=F("number") + 1)
    CalendarOverride.objects.all().delete()
    assert calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)


def test_the_revision_is_bumped_by_every_write(superuser):
    calendar_override_set(actor=superuser, date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
    office_hours_set(actor=superuser, **hours((8, 0), (12, 0), (13, 0), (17, 0)))
    calendar_override_delete(actor=superuser, override=CalendarOverride.objects.get())
    assert CalendarRevision.objects.get(pk=1).number == 3


def test_a_calendar_read_in_an_uncommitted_transaction_is_not_cached(superuser, tree):
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_override_set(actor=superuser, date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
        assert not calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)
        raise RuntimeError("roll back")
    assert not CalendarOverride.objects.exists()
    assert calendar_for(tree["osu"]).is_working_day(FRI_2_JAN)


# Authorization ---------------------------------------------------------------------------------


def test_province_admin_may_set_installation_wide_days_and_hours(padmin):
    calendar_override_set(actor=padmin, date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
    office_hours_set(actor=padmin, **hours((8, 0), (12, 0), (13, 0), (17, 0)))
    assert CalendarOverride.objects.filter(agency__isnull=True).exists()


def test_commune_admin_manages_only_its_own_subtree(commune_admin, tree):
    calendar_override_set(
        actor=commune_admin, date=SAT_7_MAR, kind=WORK, agency=tree["osu"], reason="Làm bù"
    )
    with pytest.raises(NotAllowed):
        calendar_override_set(
            actor=commune_admin, date=SAT_7_MAR, kind=WORK, agency=tree["commune2"], reason="x"
        )
    with pytest.raises(NotAllowed):
        calendar_override_set(actor=commune_admin, date=FRI_2_JAN, kind=OFF, reason="x")
    with pytest.raises(NotAllowed):
        office_hours_set(actor=commune_admin, **hours((8, 0), (12, 0), (13, 0), (17, 0)))
    with pytest.raises(NotAllowed):
        office_hours_set(
            actor=commune_admin, agency=tree["dept"], **hours((8, 0), (12, 0), (13, 0), (17, 0))
        )
    assert CalendarOverride.objects.count() == 1


def test_an_official_without_agency_management_may_not_change_the_calendar(make_official, tree):
    officer = make_official("tiepnhan", tree["osu"], [("receiving_officer", tree["commune"], True)])
    with pytest.raises(NotAllowed):
        calendar_override_set(
            actor=officer, date=SAT_7_MAR, kind=WORK, agency=tree["osu"], reason="x"
        )
    override = calendar_override_set(
        actor=make_official("xa", tree["commune"], [("province_admin", tree["commune"], True)]),
        date=SAT_7_MAR,
        kind=WORK,
        agency=tree["osu"],
        reason="Làm bù",
    )
    with pytest.raises(NotAllowed):
        calendar_override_delete(actor=officer, override=override)
    assert CalendarOverride.objects.filter(pk=override.pk).exists()


def test_one_province_admin_may_not_change_a_shared_installation(padmin, other_tree):
    with pytest.raises(NotAllowed):
        calendar_override_set(actor=padmin, date=FRI_2_JAN, kind=OFF, reason="Nghỉ")
