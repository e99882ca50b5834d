"""The officials' work desk (issue 14, R14): tabs with live counts over every post, the
worklist's filters, deadlines in words by one rule, one "Phân công" control with loads, bulk
assignment, the menu's links, and the .xlsx export of the list."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core.errors import InvalidInput
from motcua.dossiers import deadlines, selectors
from motcua.dossiers.constants import Status, WarningKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import (
    dossier_accept,
    dossier_act,
    dossiers_assign_many,
    due_warnings_scan,
)
from motcua.portal.tests.dom import Page

from .factories import THREE, citizen, draft_result, local
from .test_pages import client_for, fresh, receive, text

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)  # 08:00 in Asia/Ho_Chi_Minh, a Monday


def counts(user, now=None) -> dict[str, int]:
    return {t.key: t.count for t in selectors.desk_tabs(user=user, now=now)}


# The rule ------------------------------------------------------------------------------------


def test_near_is_the_last_fifth_of_the_deadlines_own_length_not_a_fixed_day():
    start = T0
    one_day = start + dt.timedelta(hours=8)
    month = start + dt.timedelta(days=30)
    # A step of 8 hours is near in its last 1 h 36 min; one of 30 days in its last 6 days.
    assert deadlines.near_from(start, one_day) == one_day - dt.timedelta(minutes=96)
    assert deadlines.near_from(start, month) == month - dt.timedelta(days=6)
    # A minute after it started, a short step is not "near" (the old 24 h threshold said so).
    assert (
        deadlines.step_state(
            deadlines.near_from(start, one_day), one_day, start + dt.timedelta(minutes=1)
        )
        == ""
    )
    assert (
        deadlines.step_state(
            deadlines.near_from(start, one_day), one_day, one_day - dt.timedelta(minutes=30)
        )
        == deadlines.NEAR
    )
    assert deadlines.step_state(None, one_day, one_day + dt.timedelta(seconds=1)) == deadlines.LATE
    # The percentage is a setting; the apology letter's deadline makes an appointment near
    # earlier when it comes first.
    assert deadlines.near_from(start, month, percent=50) == start + dt.timedelta(days=15)
    apology = month - dt.timedelta(days=10)
    assert deadlines.near_from(start, month, apology_by=apology) == apology - dt.timedelta(days=1)
    assert deadlines.appointment_state(None, month, month + dt.timedelta(days=3)) == "missed"


def test_a_warning_written_when_the_appointment_was_near_says_missed_once_it_passed():
    due = T0
    before = deadlines.warning_words(WarningKind.DUE_SOON, due, due - dt.timedelta(hours=1))
    after = deadlines.warning_words(WarningKind.DUE_SOON, due, due + dt.timedelta(days=3))
    assert before == str(WarningKind.DUE_SOON.label)
    assert after == _("Appointment missed: issue the apology letter with a new appointment")


def test_settings_bound_the_near_percentage(settings):
    settings.DEADLINE_NEAR_PERCENT = 50
    assert deadlines.near_from(T0, T0 + dt.timedelta(hours=10)) == T0 + dt.timedelta(hours=5)


# The tabs ------------------------------------------------------------------------------------


def test_tab_counts_follow_the_dossier_from_reception_to_return(world):
    officer, specialist, chair = (
        world["commune_officer"],
        world["commune_specialist"],
        world["commune_chair"],
    )
    d = receive(world, accept=False, now=T0)
    assert counts(officer, T0)["to_receive"] == 1
    assert "to_receive" not in counts(specialist, T0)  # no desk: no such tab

    d = dossier_accept(actor=officer, dossier=d, expected_version=d.version, now=T0)
    d = fresh(d)
    # Accepted: at the specialists' step, unassigned: their work, and the chair's to assign.
    assert d.step_key == "tham-dinh" and d.step_near_at is not None
    assert counts(officer, T0)["to_receive"] == 0
    assert counts(specialist, T0)["mine"] == 1
    assert counts(chair, T0)["to_assign"] == 1
    # An 8-working-hour step: not near at once, near in its last fifth, then late.
    assert counts(specialist, T0)["near"] == 0
    assert counts(specialist, d.step_due_at - dt.timedelta(minutes=30))["near"] == 1
    late_now = d.step_due_at + dt.timedelta(minutes=1)
    assert counts(specialist, late_now)["late"] == 1 and counts(specialist, late_now)["near"] == 0
    assert [x.code for x in selectors.dossiers_list(user=specialist, tab="late", now=late_now)] == [
        d.code
    ]

    d = dossier_act(
        actor=specialist, dossier=d, expected_version=d.version, action="forward", now=T0
    )
    draft_result(specialist, d)  # the chair signs it (R28)
    d = dossier_act(actor=chair, dossier=d, expected_version=d.version, action="forward", now=T0)
    assert fresh(d).status == Status.DONE
    assert counts(officer, T0)["to_return"] == 1
    assert counts(specialist, T0)["mine"] == 0


def test_who_works_at_every_agency_sees_every_near_and_late_dossier(world, superuser):
    """The deadline tabs' scope is every unit for an official whose work covers them all (a
    province-wide grant, a superuser), not only the dossiers assigned to them."""
    d = fresh(receive(world, now=T0))
    assert d.assignee_id is None and d.step_due_at is not None
    near_now = d.step_due_at - dt.timedelta(minutes=30)
    late_now = d.step_due_at + dt.timedelta(minutes=1)
    assert counts(superuser, near_now)["near"] == 1
    assert counts(superuser, late_now)["late"] == 1
    assert [x.code for x in selectors.dossiers_list(user=superuser, tab="late", now=late_now)] == [
        d.code
    ]


def test_the_desk_page_defaults_to_my_work_with_counts_in_a_constant_number_of_queries(world):
    for _i in range(2):
        receive(world)
    specialist = client_for(world["commune_specialist"])
    specialist.get("/ho-so/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        page = Page(specialist.get("/ho-so/"))
    current = page.select('.desk-tabs a[aria-current="page"]')
    assert len(current) == 1 and current[0].attrs["id"] == "tab-cua-toi"
    assert page.select("#tab-cua-toi .tab-count")[0].text.strip() == "2"
    for _i in range(5):
        receive(world)
    with CaptureQueriesContext(connection) as more:
        page = Page(specialist.get("/ho-so/"))
    assert page.select("#tab-cua-toi .tab-count")[0].text.strip() == "7"
    assert len(more.captured_queries) <= len(few.captured_queries)
    page.assert_controls_labelled()
    page.assert_headings_in_order()


def test_counts_are_capped(world):
    for _i in range(3):
        receive(world)
    tabs = {t.key: t for t in selectors.desk_tabs(user=world["commune_specialist"], cap=2)}
    assert tabs["mine"].count == 2 and tabs["mine"].capped


def test_concurrent_posts_make_one_desk(world, superuser):
    """An official holding a desk's reception and a commune's processing sees both kinds of
    work in one desk."""
    from .conftest import officials

    t = world.tree
    both = officials(
        superuser,
        {
            "both": (
                "kiemnhiem",
                t["commune"],
                [("receiving_officer", t["osu"]), ("specialist", t["commune"])],
            )
        },
    )["both"]
    waiting = receive(world, accept=False)
    accepted = receive(world)
    tabs = counts(both)
    assert tabs["to_receive"] == 1 and tabs["mine"] >= 1
    mine = set(selectors.dossiers_list(user=both, tab="mine").values_list("code", flat=True))
    assert accepted.code in mine and waiting.code in mine


def test_api_desk_and_list_by_tab(world):
    receive(world)
    client = client_for(world["commune_specialist"])
    tabs = client.get("/api/v1/dossiers/desk").json()
    assert [t["key"] for t in tabs] == ["mine", "near", "late"]
    assert tabs[0]["count"] == 1 and tabs[0]["label"] == _("My work")
    listed = client.get("/api/v1/dossiers", {"tab": "mine"}).json()
    assert len(listed["items"]) == 1 and listed["items"][0]["step_deadline_state"] == ""
    assert client.get("/api/v1/dossiers", {"tab": "nothing"}).status_code == 422


# Filters -------------------------------------------------------------------------------------


def test_worklist_filters_by_procedure_field_channel_dates_and_overdue(world):
    officer = world["commune_officer"]
    today = timezone.localdate()
    old = receive(world, now=timezone.now() - dt.timedelta(days=20), name="Cũ Quá Hạn")
    new = receive(world, name="Mới Đúng Hạn")

    def codes(**kw) -> set[str]:
        f = selectors.Filters(**kw)
        return set(selectors.dossiers_list(user=officer, filters=f).values_list("code", flat=True))

    assert codes(overdue=True) == {old.code}
    assert codes(procedure_id=world.birth.pk) == {old.code, new.code}
    assert codes(field_id=world.birth.field_id) == {old.code, new.code}
    # A field without the dossiers' procedure matches none, alone or with the procedure.
    other_field = world.birth.field_id + 10**6
    assert codes(field_id=other_field) == set()
    assert codes(procedure_id=world.birth.pk, field_id=other_field) == set()
    assert codes(procedure_id=world.birth.pk, field_id=world.birth.field_id) == {old.code, new.code}
    assert codes(channel="online") == set()
    assert codes(channel="direct") == {old.code, new.code}
    assert codes(received_from=today) == {new.code}
    assert codes(received_to=today - dt.timedelta(days=10)) == {old.code}
    due = timezone.localtime(fresh(new).due_at).date()
    assert codes(due_from=due, due_to=due) == {new.code}
    with pytest.raises(InvalidInput):
        selectors.Filters(received_from=today, received_to=today - dt.timedelta(days=1))

    page = client_for(officer).get(
        "/ho-so/", {"thu_tuc": world.birth.code, "qua_han": "1", "kenh": "direct"}
    )
    body = text(page)
    assert old.code in body and new.code not in body
    rows = Page(page).select("table.dossier-list tbody tr")
    assert rows and all("row-late" in r.attrs.get("class", "") for r in rows)
    unknown = text(client_for(officer).get("/ho-so/", {"thu_tuc": "9.999999"}))
    assert "9.999999" in unknown


def test_a_filter_matching_nothing_is_counted_once_and_not_paged(world):
    """The capped count comes first: when nothing matches, the page's keys are not read (the
    planner, expecting matches, walks the whole order to find none: 0.4 s at a million
    dossiers for a procedure the officer's desk never receives, where the count took 90 ms)."""
    receive(world)
    officer = client_for(world["commune_officer"])
    with CaptureQueriesContext(connection) as queries:
        page = officer.get("/ho-so/", {"kenh": "post"})
    assert page.status_code == 200
    filtered = [q["sql"] for q in queries.captured_queries if "'post'" in q["sql"]]
    assert len(filtered) == 1 and "COUNT(" in filtered[0], filtered
    with CaptureQueriesContext(connection) as queries:
        page = officer.get("/ho-so/", {"kenh": "direct"})
    assert len(page.context["rows"]) == 1
    assert len([q for q in queries.captured_queries if "'direct'" in q["sql"]]) >= 2


# Deadlines in words on the pages --------------------------------------------------------------


def test_a_missed_appointment_and_an_overdue_step_are_marked_in_words(world):
    missed = receive(world, now=timezone.now() - dt.timedelta(days=20), name="Trễ Hẹn")
    fresh_one = receive(world, name="Vừa Nhận")
    page = Page(client_for(world["commune_specialist"]).get("/ho-so/"))
    rows = {r.text: r for r in page.select("table.dossier-list tbody tr")}
    late_row = next(t for t in rows if missed.code in t)
    fresh_row = next(t for t in rows if fresh_one.code in t)
    assert _("Appointment missed") in late_row and _("Step overdue") in late_row
    # Received a moment ago: neither near nor late.
    assert _("Step due soon") not in fresh_row and _("Appointment near") not in fresh_row
    assert _("Overdue") not in fresh_row
    detail = text(client_for(world["commune_specialist"]).get(f"/ho-so/{missed.pk}/"))
    assert _("Appointment missed") in detail


def test_the_scan_and_the_page_use_the_same_near_rule(world):
    d = receive(world, now=T0)
    d = fresh(d)
    near = deadlines.near_from(d.received_at, d.due_at, apology_by=selectors_apology(d))
    assert due_warnings_scan(now=near - dt.timedelta(minutes=1)) == 0
    assert selectors.deadlines_of(d, near - dt.timedelta(minutes=1)).appointment == ""
    assert due_warnings_scan(now=near) >= 1
    assert selectors.deadlines_of(d, near).appointment == deadlines.NEAR


def selectors_apology(d):
    from motcua.dossiers.process import apology_deadline

    return apology_deadline(d)


# Assignment ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("lien_thong")
def test_one_assign_control_lists_the_units_specialists_with_their_load(world):
    t = world.tree
    from motcua.dossiers.services import dossier_submit

    def justice():
        return dossier_submit(
            actor=world["commune_officer"],
            procedure=world.justice,
            applicant=citizen(t["commune"].commune_id),
            components=THREE,
            channel="direct",
            desk=t["osu"],
            accept=True,
            now=local(2026, 3, 2, 8),
        )

    busy = justice()
    dossier_act(
        actor=world["dept_leader_unit"],
        dossier=busy,
        expected_version=busy.version,
        action="forward",
        next_assignee=world["dept_specialist"],
    )
    d = justice()
    leader = world["dept_leader_unit"]
    actions = selectors.dossier_actions(user=leader, dossier=fresh(d))
    assert actions.assign is None  # no second control offering the leader herself
    (move,) = actions.moves
    assert move.label == _("Assign")
    names = {u.username for u in move.candidates}
    assert {"cv.hctp", "cv.hctp2"} <= names and "tp.hctp" not in names
    assert actions.load[world["dept_specialist"].pk] == 1
    assert actions.load[world["dept_specialist2"].pk] == 0
    page = text(client_for(leader).get(f"/ho-so/{d.pk}/"))
    holds_one = ngettext("holds %(n)s open dossier", "holds %(n)s open dossiers", 1) % {"n": 1}
    assert _("Assign") in page and holds_one in page


def test_step_buttons_are_named_for_the_step(world):
    d = receive(world)
    specialist_moves = selectors.dossier_actions(
        user=world["commune_specialist"], dossier=fresh(d)
    ).moves
    labels = {m.action: m.label for m in specialist_moves}
    assert labels["forward"] == _("Submit for signature")
    d = dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    chair_moves = selectors.dossier_actions(user=world["commune_chair"], dossier=fresh(d)).moves
    assert {m.action: m.label for m in chair_moves}["forward"] == _("Sign off")


def test_bulk_assignment_assigns_each_dossier_in_its_own_transaction(world):
    chair, specialist = world["commune_chair"], world["commune_specialist"]
    a, b = receive(world), receive(world)
    taken = receive(world)
    # A colleague changes one meanwhile: it is closed (withdrawn at the desk) before the bulk.
    Dossier.objects.filter(pk=taken.pk).update(status=Status.WITHDRAWN)
    outcomes = dossiers_assign_many(
        actor=chair, dossier_ids=[a.pk, b.pk, taken.pk, 999999], assignee=specialist
    )
    by_id = {o.dossier_id: o for o in outcomes}
    assert by_id[a.pk].assigned and by_id[b.pk].assigned
    assert not by_id[taken.pk].assigned and by_id[taken.pk].message
    assert not by_id[999999].assigned
    assert fresh(a).assignee == specialist and fresh(b).assignee == specialist
    assert DossierEvent.objects.filter(dossier=a, kind="assign", to_user=specialist).exists()
    # Someone without the assignment grant assigns nothing.
    c = receive(world)
    refused = dossiers_assign_many(
        actor=world["commune_officer"], dossier_ids=[c.pk], assignee=specialist
    )
    assert not refused[0].assigned and fresh(c).assignee is None


def test_bulk_assignment_from_the_list(world):
    chair, specialist = world["commune_chair"], world["commune_specialist"]
    a = receive(world)
    client = client_for(chair)
    page = Page(client.get("/ho-so/", {"the": "cho-phan-cong"}))
    options = [o.text for o in page.select("#id_can_bo option")]
    assert any("cv.tuphap" in o or specialist.full_name in o for o in options if o)
    response = client.post(
        "/ho-so/phan-cong/",
        {"ho_so": [a.pk], "can_bo": specialist.pk, "next": "/ho-so/?the=cho-phan-cong"},
        follow=True,
    )
    assert response.status_code == 200 and fresh(a).assignee == specialist


# The menu and the landing page ----------------------------------------------------------------


def test_officials_land_on_their_desk_and_see_only_links_they_may_follow(world, catalog_admin):
    from django.test import Client

    chair = world["commune_chair"]
    chair.set_password("mat-khau-dai-12345")
    chair.save(update_fields=["password"])
    client = Client()
    response = client.post(
        "/dang-nhap/", {"username": chair.username, "password": "mat-khau-dai-12345"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/ho-so/"
    page = Page(response)
    links = {a.attrs.get("href") for a in page.select("header.site nav a")}
    assert "/admin/" not in links  # a leader has no administration page to go to
    assert "/ho-so/" in links
    # Every link of the menu opens.
    for href in links:
        assert client.get(href).status_code == 200, href
    home = text(client.get("/"))
    assert _("Administration: agencies, officials, grants, audit trail") not in home

    admin = client_for(catalog_admin)
    admin_links = {a.attrs.get("href") for a in Page(admin.get("/")).select("header.site nav a")}
    assert "/admin/" in admin_links and admin.get("/admin/").status_code == 200


# Export ----------------------------------------------------------------------------------------


def test_the_list_exports_to_xlsx_with_the_officials_filters(
    world, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    from motcua.exports.models import ExportJob

    late = receive(world, now=timezone.now() - dt.timedelta(days=20), name="Trễ Hẹn")
    receive(world, name="Đúng Hẹn")
    client = client_for(world["commune_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ho-so/xuat-tep/", {"query": "the=tat-ca&qua_han=1"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.kind == "worklist" and job.params == {"the": "tat-ca", "qua_han": "1"}
    job.refresh_from_db()
    assert job.status == "done", job.error
    sheet = load_workbook(io.BytesIO(job.file.read()), read_only=True).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "Mã hồ sơ"
    assert [r[1] for r in values[1:]] == [late.code] and values[1][-1] == "x"
