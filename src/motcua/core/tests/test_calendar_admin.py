"""The calendar in the administration site: every save and delete goes through the services."""

from __future__ import annotations

from datetime import date, time

import pytest

from motcua.core.models import AuditEntry, CalendarOverride, OfficeHours
from motcua.core.services import calendar_override_set

pytestmark = pytest.mark.django_db

OVERRIDES = "/admin/core/calendaroverride/"
HOURS = "/admin/core/officehours/"


def test_lists_render_for_the_province_admin(client, padmin, tree):
    calendar_override_set(
        actor=padmin, date=date(2026, 3, 7), kind="working_day", agency=tree["osu"], reason="Làm bù"
    )
    client.force_login(padmin)
    for url in (OVERRIDES, f"{OVERRIDES}?date__year=2026", f"{OVERRIDES}add/", HOURS):
        assert client.get(url).status_code == 200, url


def test_adding_an_override_in_the_admin_is_audited(client, padmin, tree):
    client.force_login(padmin)
    response = client.post(
        f"{OVERRIDES}add/",
        {
            "date": "2026-01-02",
            "kind": "day_off",
            "agency": tree["commune"].pk,
            "reason": "Nghỉ bù",
            "legal_basis": "Thông báo 1/TB-UBND",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    override = CalendarOverride.objects.get()
    assert (override.date, override.agency) == (date(2026, 1, 2), tree["commune"])
    assert AuditEntry.objects.filter(action="calendar.override.create").count() == 1


def test_the_admin_form_shows_the_service_refusal(client, padmin, tree):
    client.force_login(padmin)
    response = client.post(
        f"{OVERRIDES}add/",
        {"date": "2026-03-08", "kind": "day_off", "agency": "", "reason": "Nghỉ"},
    )
    assert response.status_code == 200
    assert "08/03/2026" in response.context["adminform"].form.errors["kind"][0]
    assert not CalendarOverride.objects.exists()


def test_deleting_in_the_admin_goes_through_the_service(client, padmin, tree):
    override = calendar_override_set(
        actor=padmin, date=date(2026, 3, 7), kind="working_day", agency=tree["osu"], reason="Làm bù"
    )
    client.force_login(padmin)
    response = client.post(f"{OVERRIDES}{override.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.override.delete").count() == 1


def test_office_hours_in_the_admin(client, padmin, tree):
    client.force_login(padmin)
    response = client.post(
        f"{HOURS}add/",
        {
            "agency": tree["dept"].pk,
            "morning_start": "07:00",
            "morning_end": "11:00",
            "afternoon_start": "13:00",
            "afternoon_end": "16:30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert OfficeHours.objects.get(agency=tree["dept"]).afternoon_end == time(16, 30)
    assert AuditEntry.objects.filter(action="calendar.office_hours.set").count() == 1


def test_a_commune_admin_cannot_edit_the_province_wide_row(client, commune_admin, superuser):
    override = calendar_override_set(
        actor=superuser, date=date(2026, 1, 2), kind="day_off", reason="Nghỉ"
    )
    client.force_login(commune_admin)
    assert client.get(OVERRIDES).status_code == 200
    response = client.post(
        f"{OVERRIDES}{override.pk}/change/", {"kind": "day_off", "reason": "Đổi"}
    )
    assert response.status_code == 403
    assert client.post(f"{OVERRIDES}{override.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CalendarOverride.objects.get().reason == "Nghỉ"
