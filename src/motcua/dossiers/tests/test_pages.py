"""The officials' dossier pages (/ho-so/) through the Django test client: who sees what,
reception at the desk, each main action, and the conflict when someone else acted first.

States are made by the services (rule-made states); the pages are then driven like a browser
without JavaScript would: GET a page, POST its form, follow the redirect.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act
from motcua.portal.tests.dom import Page

from .factories import DossierFactory, citizen, draft_pdf

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(world, *, accept=True, now=None, **applicant):
    """A birth registration dossier handed in at the commune's one-stop unit."""
    t = world.tree
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id, **applicant),
        desk=t["osu"],
        accept=accept,
        now=now,
    )


def fresh(d: Dossier) -> Dossier:
    return Dossier.objects.get(pk=d.pk)


def text(response) -> str:
    return re.sub(r"\s+", " ", Page(response).text)


def action_url(d: Dossier, slug: str) -> str:
    return f"/ho-so/{d.pk}/{slug}/"


# Who may see and act -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(world):
    d = receive(world)
    anonymous = Client()
    for url in ("/ho-so/", "/ho-so/tiep-nhan/", f"/ho-so/{d.pk}/"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/?next=")
    response = anonymous.post(action_url(d, "xu-ly"), {"version": d.version, "action": "forward"})
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert fresh(d).version == d.version


def test_officials_of_another_agency_neither_see_nor_act(world):
    d = receive(world, name="Lê Văn Tám")
    own = client_for(world["commune_officer"])
    assert "Lê Văn Tám" in text(own.get("/ho-so/", {"the": "tat-ca"}))

    other = client_for(world["commune2_officer"])
    listing = other.get("/ho-so/", {"the": "tat-ca"})
    assert listing.status_code == 200
    assert d.code not in listing.content.decode()
    assert other.get(f"/ho-so/{d.pk}/").status_code == 404
    response = other.post(action_url(d, "xu-ly"), {"version": d.version, "action": "forward"})
    assert response.status_code == 404
    after = fresh(d)
    assert after.version == d.version and after.step_key == "tham-dinh"


def test_an_official_sees_only_the_actions_they_may_take(world):
    d = receive(world, accept=False)
    desk = Page(client_for(world["commune_officer"]).get(f"/ho-so/{d.pk}/"))
    desk_actions = {n.attrs["action"] for n in desk.select("section.dossier-actions form")}
    assert desk_actions == {
        action_url(d, "tiep-nhan"),
        action_url(d, "yeu-cau-bo-sung"),
        action_url(d, "tu-choi"),
        action_url(d, "rut-ho-so"),
    }
    # The commune's specialist may read the dossier (their agency settles it) but not receive it.
    specialist = client_for(world["commune_specialist"]).get(f"/ho-so/{d.pk}/")
    assert specialist.status_code == 200
    assert not Page(specialist).select("section.dossier-actions form")
    assert _("There is nothing for you to do on this dossier now.") in text(specialist)
    # A specialist who may not act gets the service's refusal, and nothing changes.
    response = client_for(world["commune_specialist"]).post(
        action_url(d, "tiep-nhan"), {"version": d.version}, follow=True
    )
    assert _("You do not have permission for this action.") in text(response)
    assert fresh(d).status == Status.SUBMITTED


def test_citizen_accounts_are_refused(world, superuser):
    from motcua.accounts.models import User

    person = User.objects.create(username="dan", kind=User.Kind.CITIZEN)
    assert client_for(person).get("/ho-so/").status_code == 403


# The list ----------------------------------------------------------------------------------


def test_list_filters_by_status_search_and_my_work(world):
    accepted = receive(world, name="Phạm Thị Hoa")
    waiting = receive(world, accept=False, name="Đỗ Văn Nam")
    officer = client_for(world["commune_officer"])

    everything = text(officer.get("/ho-so/", {"the": "tat-ca"}))
    assert accepted.code in everything and waiting.code in everything
    submitted = officer.get("/ho-so/", {"trang_thai": Status.SUBMITTED})
    assert waiting.code in submitted.content.decode()
    assert accepted.code not in submitted.content.decode()
    found = officer.get("/ho-so/", {"q": "Phạm Thị"}).content.decode()
    assert accepted.code in found and waiting.code not in found
    by_code = officer.get("/ho-so/", {"q": waiting.code[-4:]}).content.decode()
    assert waiting.code in by_code

    # "My work": the desk officer's is the dossier waiting at their desk; the specialist's is
    # the one waiting at their step — until it is assigned to someone else.
    mine = officer.get("/ho-so/", {"cua_toi": "1"}).content.decode()
    assert waiting.code in mine and accepted.code not in mine
    specialist = client_for(world["commune_specialist"])
    theirs = specialist.get("/ho-so/", {"cua_toi": "1"}).content.decode()
    assert accepted.code in theirs and waiting.code not in theirs


def test_list_rows_show_status_appointment_and_late_steps_in_words(world):
    late = receive(world, now=timezone.now() - dt.timedelta(days=20), name="Trễ Hạn")
    on_time = receive(world, name="Đúng Hạn")
    page = Page(client_for(world["commune_specialist"]).get("/ho-so/"))
    rows = {
        re.sub(r"\s+", " ", row.text): row for row in page.select("table.dossier-list tbody tr")
    }
    late_row = next(t for t in rows if late.code in t)
    on_time_row = next(t for t in rows if on_time.code in t)
    assert _("Overdue") in late_row and _("Overdue") not in on_time_row
    assert str(Status.ACCEPTED.label) in on_time_row  # "Đã tiếp nhận"
    assert "Thủ tục đăng ký khai sinh" in on_time_row
    assert (
        fresh(on_time).due_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y")
        in on_time_row
    )
    # Late dossiers come first (soonest step deadline first).
    codes = [n.text.strip() for n in page.select("table.dossier-list tbody th a")]
    assert codes.index(late.code) < codes.index(on_time.code)
    page.assert_controls_labelled()
    page.assert_headings_in_order()
    page.assert_tables_accessible()


def test_list_is_paginated_with_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for _i in range(3):
        receive(world)
    officer = client_for(world["commune_officer"])
    officer.get("/ho-so/")  # warm the per-process caches
    # The list, its count, and the desk's tab counts (one capped count each, at most six).
    with django_assert_max_num_queries(18) as few:
        officer.get("/ho-so/")
    for _i in range(4):
        receive(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer.get("/ho-so/")


def test_list_pages_through_many_dossiers(world, monkeypatch):
    from motcua.dossiers import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [receive(world, accept=False) for _i in range(5)]
    officer = client_for(world["commune_officer"])

    def link(page: Page, rel: str):
        found = page.select(f'a[rel="{rel}"]')
        return found[0] if found else None

    pages = [Page(officer.get("/ho-so/"))]
    while link(pages[-1], "next"):
        pages.append(Page(officer.get("/ho-so/" + link(pages[-1], "next").attrs["href"])))
    shown = [a.text.strip() for p in pages for a in p.select("table.dossier-list tbody th a")]
    assert sorted(shown) == sorted(d.code for d in made)  # each once, none missing
    assert len(pages) == 3
    # Backwards from the last page: the middle one, then the first (which has no "previous").
    middle = Page(officer.get("/ho-so/" + link(pages[2], "prev").attrs["href"]))
    assert middle.select("table.dossier-list tbody th a") and link(middle, "prev")
    assert [a.text for a in middle.select("tbody th a")] == [
        a.text for a in pages[1].select("tbody th a")
    ]
    assert link(pages[0], "prev") is None
    # A cursor made by hand is ignored: the first page.
    forged = Page(officer.get("/ho-so/", {"trang": "x" * 40}))
    assert [a.text for a in forged.select("tbody th a")] == [
        a.text for a in pages[0].select("tbody th a")
    ]


# Reception at the desk ---------------------------------------------------------------------


def reception_post(world, **changes):
    t = world.tree
    data = {
        "thu_tuc": "1.001193",
        "desk": str(t["osu"].pk),
        "applicant_kind": "citizen",
        "applicant_name": "Võ Thị Sáu",
        "applicant_id_number": "087190005555",
        "applicant_phone": "0905123456",
        "applicant_email": "",
        "applicant_address": "Ấp Mỹ Hòa",
        "applicant_commune": str(t["commune"].commune_id),
        "sets": "1",
        "return_method": "desk",
        "summary": "",
        "accept": "on",
        "tp-TOTAL_FORMS": "3",
        "tp-INITIAL_FORMS": "0",
        "tp-MIN_NUM_FORMS": "0",
        "tp-MAX_NUM_FORMS": "60",
        "tp-0-received": "on",
        "tp-0-listed": "True",  # the catalog's rows, as the form offers them
        "tp-0-name": "Tờ khai đăng ký khai sinh",
        "tp-0-originals": "1",
        "tp-0-copies": "0",
        "tp-1-received": "on",
        "tp-1-listed": "True",
        "tp-1-name": "Giấy chứng sinh",
        "tp-1-originals": "1",
        "tp-1-copies": "0",
        "tp-2-name": "",
        "tp-2-originals": "0",
        "tp-2-copies": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_desk_officer_chooses_the_procedure_by_code_or_name(world):
    officer = client_for(world["commune_officer"])
    by_code = officer.get("/ho-so/tiep-nhan/", {"q": "1.001193"})
    assert by_code.status_code == 302
    assert by_code["Location"] == "/ho-so/tiep-nhan/?thu_tuc=1.001193"
    by_name = Page(officer.get("/ho-so/tiep-nhan/", {"q": "khai sinh"}))
    links = [a.attrs["href"] for a in by_name.select("ol.result-list a")]
    assert "/ho-so/tiep-nhan/?thu_tuc=1.001193" in links
    unknown = officer.get("/ho-so/tiep-nhan/", {"thu_tuc": "9.999999"})
    assert unknown.status_code == 404

    form = Page(officer.get("/ho-so/tiep-nhan/", {"thu_tuc": "1.001193"}))
    # The catalog's components come pre-listed, required ones ticked, plus empty rows.
    names = [n.attrs.get("value", "") for n in form.select("table.components-in input[type=text]")]
    assert names[:3] == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh",
        "Văn bản ủy quyền",
    ]
    ticked = ["checked" in n.attrs for n in form.select("table.components-in input[type=checkbox]")]
    assert ticked[:3] == [True, True, False]
    form.assert_controls_labelled()
    form.assert_headings_in_order()


def test_desk_officer_receives_and_accepts_a_dossier(world):
    officer = client_for(world["commune_officer"])
    response = officer.post("/ho-so/tiep-nhan/", reception_post(world))
    assert response.status_code == 302
    d = Dossier.objects.get(applicant_name="Võ Thị Sáu")
    assert response["Location"] == f"/ho-so/{d.pk}/"
    assert d.channel == "direct" and d.status == Status.ACCEPTED
    assert d.receiving_agency == world.tree["osu"]
    assert d.competent_agency == world.tree["commune"]
    assert d.applicant_phone == "0905123456"
    assert [(c.name, c.originals) for c in d.components.order_by("order")] == [
        ("Tờ khai đăng ký khai sinh", 1),
        ("Giấy chứng sinh", 1),
    ]
    assert list(d.events.order_by("seq").values_list("kind", flat=True))[:2] == [
        EventKind.REGISTER,
        EventKind.ACCEPT,
    ]
    page = officer.get(response["Location"])
    receipt = f"/api/v1/dossiers/{d.pk}/forms/receipt.pdf"
    (message,) = Page(page).select("p.msg-success")
    assert d.code in message.text
    assert [a.attrs["href"] for a in message.walk() if a.tag == "a"] == [receipt]
    pdf = officer.get(receipt)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def form_data(page: Page, selector: str) -> dict[str, str]:
    """What a browser would post for the form as rendered (ticked boxes, selected options)."""
    (form,) = page.select(selector)
    data: dict[str, str] = {}
    for node in form.walk():
        name = node.attrs.get("name")
        if not name:
            continue
        if node.tag == "input" and node.attrs.get("type") == "checkbox":
            if "checked" in node.attrs:
                data[name] = node.attrs.get("value", "on")
        elif node.tag == "input" and node.attrs.get("type") not in ("submit", "button"):
            data[name] = node.attrs.get("value", "")
        elif node.tag == "textarea":
            data[name] = node.text.strip()
        elif node.tag == "select":
            options = [o for o in node.walk() if o.tag == "option"]
            chosen = [o for o in options if "selected" in o.attrs] or options[:1]
            data[name] = chosen[0].attrs.get("value", "") if chosen else ""
    return data


def test_the_catalog_components_as_listed_are_recorded(world):
    """Rows left as pre-filled are received too (not skipped as "unchanged")."""
    officer = client_for(world["commune_officer"])
    page = Page(officer.get("/ho-so/tiep-nhan/", {"thu_tuc": "1.001193"}))
    data = form_data(page, "form.receive-form")
    assert data["tp-INITIAL_FORMS"] == "3"
    data.update(
        applicant_name="Lý Thị Mai",
        applicant_id_number="087190008888",
        applicant_commune=str(world.tree["commune"].commune_id),
        save="1",
    )
    response = officer.post("/ho-so/tiep-nhan/", data)
    assert response.status_code == 302, Page(response).text
    d = Dossier.objects.get(applicant_name="Lý Thị Mai")
    assert list(d.components.order_by("order").values_list("name", "originals")) == [
        ("Tờ khai đăng ký khai sinh theo mẫu", 1),
        ("Giấy chứng sinh", 1),
    ]
    assert d.status == Status.ACCEPTED  # "accept now" is ticked by default


def test_reception_without_accepting_leaves_the_dossier_waiting(world):
    officer = client_for(world["commune_officer"])
    response = officer.post("/ho-so/tiep-nhan/", reception_post(world, accept=None))
    assert response.status_code == 302
    d = Dossier.objects.get(applicant_name="Võ Thị Sáu")
    assert d.status == Status.SUBMITTED and d.received_at is None


def test_reception_errors_are_shown_next_to_the_fields_and_nothing_is_saved(world):
    officer = client_for(world["commune_officer"])
    response = officer.post(
        "/ho-so/tiep-nhan/",
        reception_post(
            world, applicant_name="", applicant_id_number="12345", **{"tp-0-copies": "x"}
        ),
    )
    assert response.status_code == 422
    assert not Dossier.objects.exists()
    page = Page(response)
    (summary,) = page.select("div.error-summary")
    assert summary.attrs["role"] == "alert"
    name_field = page.select("#id_applicant_name")[0]
    assert name_field.attrs.get("aria-invalid") == "true"
    # Django's own messages come in Vietnamese ("Trường này là bắt buộc.").
    assert "Trường này là bắt buộc." in text(response)

    # The shape is right, the service says no: its message lands on the field.
    response = officer.post("/ho-so/tiep-nhan/", reception_post(world, applicant_id_number="12345"))
    assert response.status_code == 422
    assert not Dossier.objects.exists()
    id_field = Page(response).select("#id_applicant_id_number")[0]
    assert id_field.attrs.get("aria-invalid") == "true"
    assert _("A personal identification number has 12 digits.") in text(response)

    # No component ticked: the service's "list at least one component".
    response = officer.post(
        "/ho-so/tiep-nhan/",
        reception_post(world, **{"tp-0-received": None, "tp-1-received": None}),
    )
    assert response.status_code == 422
    assert _("List at least one component of the dossier.") in text(response)
    assert not Dossier.objects.exists()


def test_reception_adds_a_component_row_without_javascript(world):
    officer = client_for(world["commune_officer"])
    response = officer.post(
        "/ho-so/tiep-nhan/", reception_post(world, add_row="1", applicant_name="Giữ Lại")
    )
    assert response.status_code == 200
    page = Page(response)
    assert len(page.select("table.components-in tbody tr")) == 4
    assert page.select("#id_applicant_name")[0].attrs["value"] == "Giữ Lại"
    assert not page.select("div.error-summary")
    assert not Dossier.objects.exists()


def test_only_receiving_officers_open_the_reception_page(world):
    assert client_for(world["commune_specialist"]).get("/ho-so/tiep-nhan/").status_code == 403


# Actions on the dossier page ---------------------------------------------------------------


def test_accept_through_the_page(world):
    d = receive(world, accept=False)
    officer = client_for(world["commune_officer"])
    response = officer.post(action_url(d, "tiep-nhan"), {"version": d.version})
    assert response.status_code == 302 and response["Location"] == f"/ho-so/{d.pk}/"
    after = fresh(d)
    assert after.status == Status.ACCEPTED and after.step_key == "tham-dinh"
    page = Page(officer.get(response["Location"]))
    hrefs = {a.attrs["href"] for a in page.select("ul.forms-list a")}
    assert f"/api/v1/dossiers/{d.pk}/forms/receipt.pdf" in hrefs


def test_supplement_request_through_the_page(world):
    d = receive(world, accept=False)
    officer = client_for(world["commune_officer"])
    missing = officer.post(
        action_url(d, "yeu-cau-bo-sung"), {"version": d.version, "items": "", "reason": "Thiếu"}
    )
    assert missing.status_code == 422
    assert fresh(d).status == Status.SUBMITTED
    response = officer.post(
        action_url(d, "yeu-cau-bo-sung"),
        {
            "version": d.version,
            "items": "Bản sao giấy chứng sinh\nGiấy tờ tùy thân của người đi khai",
            "reason": "Hồ sơ chưa đủ thành phần",
        },
    )
    assert response.status_code == 302
    after = fresh(d)
    assert after.status == Status.SUPPLEMENT
    event = after.events.get(kind=EventKind.SUPPLEMENT_REQUEST)
    assert event.data["items"] == [
        "Bản sao giấy chứng sinh",
        "Giấy tờ tùy thân của người đi khai",
    ]
    page = Page(officer.get(f"/ho-so/{d.pk}/"))
    hrefs = {a.attrs["href"] for a in page.select("ul.forms-list a")}
    assert f"/api/v1/dossiers/{d.pk}/forms/supplement.pdf" in hrefs
    # Now the desk records the supplement, then accepts.
    response = officer.post(
        action_url(d, "nhan-bo-sung"),
        {"version": after.version, "components": "Bản sao giấy chứng sinh", "note": ""},
    )
    assert response.status_code == 302
    again = fresh(d)
    assert again.status == Status.SUBMITTED
    assert again.components.filter(supplement_round=1).count() == 1


def test_refuse_through_the_page_needs_a_reason(world):
    d = receive(world, accept=False)
    officer = client_for(world["commune_officer"])
    empty = officer.post(action_url(d, "tu-choi"), {"version": d.version, "reasons": "  "})
    assert empty.status_code == 422
    (panel,) = Page(empty).select("details#thao-tac-tu-choi")
    assert "open" in panel.attrs
    assert fresh(d).status == Status.SUBMITTED
    response = officer.post(
        action_url(d, "tu-choi"),
        {"version": d.version, "reasons": "Không thuộc thẩm quyền\nHồ sơ giả mạo"},
    )
    assert response.status_code == 302
    after = fresh(d)
    assert after.status == Status.REFUSED
    assert after.closed_reason == "Không thuộc thẩm quyền\nHồ sơ giả mạo"
    page = Page(officer.get(f"/ho-so/{d.pk}/"))
    hrefs = {a.attrs["href"] for a in page.select("ul.forms-list a")}
    assert hrefs == {f"/api/v1/dossiers/{d.pk}/forms/refusal.pdf"}
    assert not page.select("section.dossier-actions form")


def test_step_actions_advance_the_dossier_to_its_return(world):
    d = receive(world)
    specialist = client_for(world["commune_specialist"])
    page = Page(specialist.get(f"/ho-so/{d.pk}/"))
    moves = [n.attrs["value"] for n in page.select("section.dossier-actions input[name=action]")]
    assert moves == ["forward", "refuse"]  # the spec's transitions of "Thẩm định hồ sơ"
    response = specialist.post(
        action_url(d, "xu-ly"),
        {"version": d.version, "action": "forward", "note": "Hồ sơ hợp lệ"},
    )
    assert response.status_code == 302
    after = fresh(d)
    assert after.step_key == "ky" and after.status == Status.PROCESSING
    shown = text(specialist.get(f"/ho-so/{d.pk}/"))
    assert "Hồ sơ hợp lệ" in shown  # the note, in the history

    # The specialist uploads the draft result the chair signs (R28).
    response = specialist.post(
        f"/giay-to/ho-so/{d.pk}/tai-len/",
        {
            "kind": "draft_result",
            "file": SimpleUploadedFile("du-thao.pdf", draft_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302
    chair = client_for(world["commune_chair"])
    response = chair.post(action_url(d, "xu-ly"), {"version": after.version, "action": "forward"})
    assert response.status_code == 302
    done = fresh(d)
    assert done.status == Status.DONE

    officer = client_for(world["commune_officer"])
    response = officer.post(
        action_url(d, "tra-ket-qua"), {"version": done.version, "method": "desk", "note": ""}
    )
    assert response.status_code == 302
    returned = fresh(d)
    assert returned.status == Status.RETURNED and returned.returned_at is not None


def test_leader_assigns_the_step_and_the_assignee_acts(world):
    d = receive(world)
    chair = client_for(world["commune_chair"])
    page = Page(chair.get(f"/ho-so/{d.pk}/"))
    options = [o.attrs["value"] for o in page.select("#assign-assignee option")]
    assert str(world["commune_specialist"].pk) in options
    response = chair.post(
        action_url(d, "phan-cong"),
        {"version": d.version, "assignee": world["commune_specialist"].pk, "note": ""},
    )
    assert response.status_code == 302
    assert fresh(d).assignee == world["commune_specialist"]
    mine = client_for(world["commune_specialist"]).get("/ho-so/", {"cua_toi": "1"})
    assert d.code in mine.content.decode()


def test_a_stale_version_changes_nothing_and_says_so(world):
    d = receive(world)
    specialist = client_for(world["commune_specialist"])
    seen = Page(specialist.get(f"/ho-so/{d.pk}/"))
    (version,) = seen.select("#act-forward-version")
    assert version.attrs["value"] == str(d.version)
    # Meanwhile the same step is completed by a colleague (another tab, another desk).
    moved = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="refuse",
        note="Đề xuất từ chối",
    )
    events = moved.events.count()
    response = specialist.post(
        action_url(d, "xu-ly"),
        {"version": version.attrs["value"], "action": "forward", "note": "Tôi chuyển"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/ho-so/{d.pk}/", 302)]
    shown = text(response)
    expected = _(
        "Dossier %(code)s was updated by someone else while you were looking at it, so "
        "nothing was changed. Below is its current state: check it and act again if still "
        "needed."
    ) % {"code": d.code}
    assert expected in shown
    (alert,) = Page(response).select("p.msg-error")
    assert alert.attrs["role"] == "alert"
    after = fresh(d)
    assert after.version == moved.version and after.events.count() == events
    assert "Tôi chuyển" not in shown


def test_a_domain_error_is_shown_as_its_message(world):
    d = receive(world)
    specialist = client_for(world["commune_specialist"])
    # Proposing refusal needs a reason: the service's message comes back next to the note.
    response = specialist.post(
        action_url(d, "xu-ly"), {"version": d.version, "action": "refuse", "note": ""}
    )
    assert response.status_code == 422
    assert _("Give the reason.") in text(response)
    assert fresh(d).step_key == "tham-dinh"


def test_dossier_page_shows_facts_workflow_history_and_forms(world):
    d = receive(world)
    response = client_for(world["commune_specialist"]).get(f"/ho-so/{d.pk}/")
    page = Page(response)
    facts = re.sub(r"\s+", " ", page.select("dl.dossier-facts")[0].text)
    for value in (d.code, "Thủ tục đăng ký khai sinh", "Nguyễn Thị Lan", "Bộ phận một cửa xã"):
        assert value in facts
    assert "Thẩm định hồ sơ" in facts and str(Status.ACCEPTED.label) in facts
    (svg,) = page.select("figure.dossier-diagram svg")
    assert svg.attrs["role"] == "img"
    assert len(page.select("svg g.wf-step")) == 4
    history = page.select("table.history tbody tr")
    assert len(history) == fresh(d).events.count() == 3
    assert str(EventKind.ACCEPT.label) in history[1].text
    hrefs = [a.attrs["href"] for a in page.select("ul.forms-list a")]
    assert hrefs == [
        f"/api/v1/dossiers/{d.pk}/forms/receipt.pdf",
        f"/api/v1/dossiers/{d.pk}/forms/control_sheet.pdf",
    ]
    page.assert_controls_labelled()
    page.assert_headings_in_order()
    page.assert_tables_accessible()


def test_history_shows_time_used_against_the_limit(world):
    d = receive(world)
    dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=timezone.now() + dt.timedelta(minutes=1),
    )
    page = Page(client_for(world["commune_specialist"]).get(f"/ho-so/{d.pk}/"))
    last = re.sub(r"\s+", " ", page.select("table.history tbody tr")[-1].text)
    # The step allows 8 working hours.
    assert _("%(hours)d h %(minutes)02d min") % {"hours": 8, "minutes": 0} in last


def test_home_page_links_officials_to_their_dossiers(world):
    assert 'href="/ho-so/"' in client_for(world["commune_officer"]).get("/").content.decode()
    assert 'href="/ho-so/"' not in Client().get("/").content.decode()


def test_payment_apology_stop_and_withdraw_through_the_page(world):
    from motcua.core.workcalendar import TZ

    specialist = client_for(world["commune_specialist"])
    paying = receive(world)
    response = specialist.post(
        action_url(paying, "yeu-cau-nghia-vu-tai-chinh"),
        {
            "version": paying.version,
            "authority": "Thuế cơ sở 1 tỉnh Thái Nguyên",
            "notice_number": "TB-0004",
            "amount_vnd": "50000",
            "note": "Tiền sử dụng đất",
        },
    )
    assert response.status_code == 302
    paused = fresh(paying)
    assert paused.status == Status.AWAITING_PAYMENT
    response = specialist.post(
        action_url(paying, "da-thuc-hien-nghia-vu-tai-chinh"), {"version": paused.version}
    )
    assert response.status_code == 302
    assert fresh(paying).status == Status.PROCESSING

    chair = client_for(world["commune_chair"])
    late = receive(world)
    new_due = (late.due_at + dt.timedelta(days=3)).astimezone(TZ).replace(second=0, microsecond=0)
    response = chair.post(
        action_url(late, "xin-loi"),
        {
            "version": late.version,
            "reason": "Chờ xác minh thông tin khai sinh",
            "new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    extended = fresh(late)
    assert extended.due_at == new_due and extended.extensions == 1
    assert extended.letters.count() == 1
    hrefs = {
        a.attrs["href"] for a in Page(chair.get(f"/ho-so/{late.pk}/")).select("ul.forms-list a")
    }
    assert f"/api/v1/dossiers/{late.pk}/forms/apology.pdf" in hrefs

    stopping = receive(world)
    response = chair.post(
        action_url(stopping, "dung-xu-ly"),
        {"version": stopping.version, "reason": "Người nộp đề nghị", "requested_by": "applicant"},
    )
    assert response.status_code == 302
    assert fresh(stopping).status == Status.STOPPED

    leaving = receive(world, accept=False)
    response = client_for(world["commune_officer"]).post(
        action_url(leaving, "rut-ho-so"), {"version": leaving.version, "reason": "Nộp nhầm"}
    )
    assert response.status_code == 302
    assert fresh(leaving).status == Status.WITHDRAWN


def test_a_rejected_form_is_shown_even_when_the_action_is_not_offered(world):
    d = receive(world, accept=False)
    specialist = client_for(world["commune_specialist"])
    response = specialist.post(action_url(d, "tu-choi"), {"version": d.version, "reasons": ""})
    assert response.status_code == 422
    (panel,) = Page(response).select("details#thao-tac-tu-choi")
    assert "open" in panel.attrs
    assert Page(response).select("details#thao-tac-tu-choi div.error-summary")
    assert fresh(d).status == Status.SUBMITTED


def test_unknown_actions_are_not_found(world):
    d = receive(world)
    officer = client_for(world["commune_officer"])
    assert officer.post(action_url(d, "xoa"), {"version": d.version}).status_code == 404
    assert officer.get(action_url(d, "tiep-nhan")).status_code == 405


def test_due_warnings_are_listed_for_their_official_and_marked_read(world):
    from motcua.dossiers.models import DueWarning
    from motcua.dossiers.services import due_warnings_scan

    from .factories import local

    d = receive(world, now=local(2026, 3, 2, 9))
    due_warnings_scan(now=local(2026, 3, 4, 8))
    specialist = client_for(world["commune_specialist"])
    page = text(specialist.get("/ho-so/"))
    assert "Cảnh báo dành cho bạn (2)" in page
    assert "Đã quá hạn xử lý của bước" in page and d.code in page
    # Another official has none.
    assert "Cảnh báo dành cho bạn" not in text(client_for(world["commune_officer"]).get("/ho-so/"))

    overdue = DueWarning.objects.get(recipient=world["commune_specialist"], kind="step_overdue")
    other = client_for(world["commune_officer"])
    assert other.post(f"/ho-so/canh-bao/{overdue.pk}/da-xem/").status_code == 404
    response = specialist.post(f"/ho-so/canh-bao/{overdue.pk}/da-xem/")
    assert response.status_code == 302 and response["Location"] == "/ho-so/#canh-bao"
    page = text(specialist.get("/ho-so/"))
    assert "Cảnh báo dành cho bạn (1)" in page
    assert "Đã quá hạn xử lý của bước" not in page


def test_reception_form_ticks_the_required_components_only_never_a_blank_row(world):
    """The catalog's required components come ticked; its optional ones and the blank rows for
    papers outside the list do not (a ticked empty row reads as a paper handed in)."""
    officer = client_for(world["commune_officer"])
    body = officer.get("/ho-so/tiep-nhan/?thu_tuc=1.001193").content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.S)
    boxes = [
        (bool(re.search(r'name="tp-\d+-received"[^>]*checked', r)), m.group(1))
        for r in rows
        for m in [
            re.search(r'name="tp-\d+-name"[^>]*value="([^"]*)"', r)
            or re.search(r'name="tp-\d+-name"()', r)
        ]
        if m
    ]
    assert boxes, "the reception form lists components"
    blank = [ticked for ticked, name in boxes if not name]
    assert blank and not any(blank)
    assert any(ticked for ticked, name in boxes if name)


def test_a_typed_paper_left_unticked_is_pointed_out_not_dropped(world):
    officer = client_for(world["commune_officer"])
    response = officer.post(
        "/ho-so/tiep-nhan/",
        reception_post(world, **{"tp-2-name": "Giấy ủy quyền", "tp-2-originals": "1"}),
    )
    assert response.status_code == 422
    assert "Đánh dấu “Đã nhận” cho giấy tờ bạn thêm" in response.content.decode()
    assert not Dossier.objects.filter(applicant_name="Võ Thị Sáu").exists()
