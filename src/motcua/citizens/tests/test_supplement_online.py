"""Nộp bổ sung trực tuyến: the applicant, logged in with VNeID, answers a supplement request
from "Hồ sơ của tôi" (page and API) by uploading the papers asked for. The files are checked by
their content, stored as the supplement round's papers owned by the applicant, and the dossier
goes where the lifecycle sends a supplement received (back to the desk at reception, back to
processing with the clock resumed); the desk sees the papers marked as submitted online. A bad
file stores nothing; another person, a dossier not waiting, a visitor are refused."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User
from motcua.citizens.services import citizen_login
from motcua.core.models import AuditEntry
from motcua.documents.constants import DocumentKind, Source
from motcua.documents.models import Document
from motcua.documents.tests import files
from motcua.documents.tests.conftest import stored_files
from motcua.dossiers import lifecycle, services
from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.lifecycle import Op
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services import ComponentIn
from motcua.dossiers.tests.factories import DossierFactory, citizen
from motcua.portal.tests.dom import Page

from .conftest import HUNG
from .test_my_dossiers import identity

pytestmark = pytest.mark.django_db

ASKED = ["Giấy chứng sinh", "Bản sao giấy tờ tùy thân của người đi khai"]
MARK = "Nộp bổ sung trực tuyến"


@pytest.fixture
def lan(db) -> User:
    """The applicant, logged in with VNeID."""
    return citizen_login(identity=identity())


@pytest.fixture
def hung(db) -> User:
    return citizen_login(identity=identity(HUNG, "Trần Văn Hùng"))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def text(response) -> str:
    return re.sub(r"\s+", " ", Page(response).text)


def receive(world, accept: bool = False, **applicant) -> Dossier:
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=accept,
        components=[
            ComponentIn(name="Tờ khai đăng ký khai sinh", originals=1),
            ComponentIn(name="Giấy chứng sinh", code="GCS", originals=1),
        ],
        **({"applicant": citizen(world.tree["osu"].commune_id, **applicant)} if applicant else {}),
    )


def ask(world, d: Dossier, by: str = "commune_officer") -> Dossier:
    return services.dossier_request_supplement(
        actor=world[by],
        dossier=d,
        expected_version=d.version,
        items=ASKED,
        reason="Giấy chứng sinh bị mờ, thiếu giấy tờ tùy thân",
    )


def good_files() -> dict[str, object]:
    return {
        "muc-1": upload("giay-chung-sinh.pdf", files.pdf(2)),
        "muc-2": [
            upload("cccd-mat-truoc.png", files.image("PNG")),
            upload("cccd-mat-sau.jpg", files.image("JPEG")),
        ],
    }


def test_the_applicant_uploads_at_reception_and_the_dossier_goes_back_to_the_desk(
    world, lan, client, settings
):
    d = ask(world, receive(world))
    client.force_login(lan)
    page = client.get(f"/ho-so-cua-toi/{d.code}/")
    body = page.content.decode()
    assert 'name="muc-1"' in body and 'name="muc-2"' in body
    assert 'enctype="multipart/form-data"' in body
    Page(page).assert_controls_labelled()
    assert client.get(f"/api/v1/me/dossiers/{d.code}").json()["may_supplement"] is True

    response = client.post(
        f"/ho-so-cua-toi/{d.code}/bo-sung/",
        {"version": d.version, "note": "Đã chụp lại rõ hơn", **good_files()},
    )

    assert response.status_code == 302
    d.refresh_from_db()
    # At reception the supplement brings the dossier back to the desk, to be accepted.
    assert d.status == Status.SUBMITTED and d.supplement_phase == "reception"
    assert lifecycle.allowed(Op.ACCEPT, world["commune_officer"], d)
    papers = Document.objects.filter(dossier=d).select_related("component").order_by("pk")
    assert [p.original_name for p in papers] == [
        "giay-chung-sinh.pdf",
        "cccd-mat-truoc.png",
        "cccd-mat-sau.jpg",
    ]
    for paper in papers:
        assert paper.kind == DocumentKind.SUPPLEMENT
        assert paper.source == Source.NATIONAL_PORTAL  # online, not at the desk
        assert paper.uploaded_by_id == lan.pk
        assert (paper.owner_kind, paper.owner_number) == ("person", lan.citizen_account.number)
        assert paper.component.supplement_round == 1
    # The item naming one of the dossier's components carries its code; the others do not.
    assert [(p.component.name, p.component.code) for p in papers] == [
        ("Giấy chứng sinh", "GCS"),
        (ASKED[1], ""),
        (ASKED[1], ""),
    ]
    assert len(stored_files(settings)) == 3
    event = d.events.order_by("-seq").first()
    assert event.kind == EventKind.SUPPLEMENT_RECEIVED and event.actor_id == lan.pk
    assert MARK in event.note and "Đã chụp lại rõ hơn" in event.note
    assert AuditEntry.objects.filter(action="document.add", actor=lan).count() == 3

    # The citizen is told, and is no longer offered the form.
    after = client.get(response["Location"])
    assert "Hồ sơ bổ sung của bạn đã được gửi" in text(after)
    assert 'name="muc-1"' not in after.content.decode()

    # The desk sees the new papers, marked as submitted online, and the history line.
    desk = client.__class__()
    desk.force_login(world["commune_officer"])
    desk_page = text(desk.get(f"/ho-so/{d.pk}/"))
    assert "giay-chung-sinh.pdf" in desk_page and "cccd-mat-sau.jpg" in desk_page
    assert desk_page.count(MARK) >= 4  # three papers and the history's note


def test_the_applicant_answers_a_supplement_during_processing_over_the_api(world, lan, client):
    d = receive(world, accept=True)
    d = ask(world, d, by="commune_specialist")
    assert d.clock_paused_at is not None
    client.force_login(lan)

    response = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {
            "version": d.version,
            "items": [1, 2],
            "files": [
                upload("giay-chung-sinh.pdf", files.pdf()),
                upload("cccd.png", files.image("PNG")),
            ],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["may_supplement"] is False and body["request"] is None
    d.refresh_from_db()
    # During processing the clock starts again and the dossier is back at its step.
    assert d.status == Status.PROCESSING and d.clock_paused_at is None
    assert Document.objects.filter(dossier=d, kind=DocumentKind.SUPPLEMENT).count() == 2
    event = d.events.order_by("-seq").first()
    assert event.kind == EventKind.SUPPLEMENT_RECEIVED and MARK in event.note
    specialist = client.__class__()
    specialist.force_login(world["commune_specialist"])
    assert MARK in text(specialist.get(f"/ho-so/{d.pk}/"))


def test_a_bad_file_stores_nothing_and_every_refusal_is_shown(world, lan, client, settings):
    d = ask(world, receive(world))
    client.force_login(lan)

    page = client.post(
        f"/ho-so-cua-toi/{d.code}/bo-sung/",
        {
            "version": d.version,
            "muc-1": upload("giay-chung-sinh.pdf", files.encrypted_pdf()),
            "muc-2": [
                upload("cccd.png", files.image("PNG")),
                upload("cccd.exe", b"MZ\x90\x00 not a paper"),
            ],
        },
    )

    assert page.status_code == 422
    shown = text(page)
    assert "Chưa gửi được" in shown
    assert "giay-chung-sinh.pdf" in shown and "cccd.exe" in shown  # both refusals at once
    assert 'aria-invalid="true"' in page.content.decode()
    Page(page).assert_controls_labelled()
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT
    assert not Document.objects.exists() and stored_files(settings) == []
    assert not DossierComponent.objects.filter(dossier=d, supplement_round__gt=0).exists()

    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {
            "version": d.version,
            "items": [1, 2],
            "files": [upload("a.pdf", files.encrypted_pdf()), upload("b.png", files.broken_png())],
        },
    )
    assert api.status_code == 422
    errors = api.json()["errors"]
    assert set(errors) == {"item_1", "item_2"}
    assert not Document.objects.exists()


def test_an_item_without_a_file_is_named_and_nothing_is_stored(world, lan, client):
    d = ask(world, receive(world))
    client.force_login(lan)
    page = client.post(
        f"/ho-so-cua-toi/{d.code}/bo-sung/",
        {"version": d.version, "muc-1": upload("gcs.pdf", files.pdf())},
    )
    assert page.status_code == 422
    assert f"Hãy đính kèm tệp cho “{ASKED[1]}”" in text(page)
    assert not Document.objects.exists()
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {
            "version": d.version,
            "items": [1, 7],
            "files": [upload("a.pdf", files.pdf()), upload("b.pdf", files.pdf())],
        },
    )
    assert api.status_code == 422 and {"items", "item_2"} <= set(api.json()["errors"])
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_another_citizen_is_refused_as_not_found(world, lan, hung, client):
    d = ask(world, receive(world, id_number=HUNG, name="Trần Văn Hùng"))
    client.force_login(lan)
    page = client.post(f"/ho-so-cua-toi/{d.code}/bo-sung/", {"version": d.version, **good_files()})
    assert page.status_code == 404
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {"version": d.version, "items": [1], "files": [upload("a.pdf", files.pdf())]},
    )
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert not Document.objects.exists()
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT
    # Its applicant may.
    client.force_login(hung)
    assert 'name="muc-1"' in client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()


def test_a_dossier_not_waiting_for_a_supplement_is_refused_with_a_clear_message(world, lan, client):
    d = receive(world)
    client.force_login(lan)
    page = client.post(
        f"/ho-so-cua-toi/{d.code}/bo-sung/", {"version": d.version, **good_files()}, follow=True
    )
    assert "không chờ bổ sung" in text(page)
    assert 'name="muc-1"' not in page.content.decode()
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {"version": d.version, "items": [1], "files": [upload("a.pdf", files.pdf())]},
    )
    assert api.status_code == 409 and api.json()["code"] == "not_awaiting_supplement"
    assert "không chờ bổ sung" in api.json()["message"]
    assert not Document.objects.exists()


def test_a_stale_version_is_a_conflict_and_stores_nothing(world, lan, client):
    d = ask(world, receive(world))
    client.force_login(lan)
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {
            "version": d.version + 3,
            "items": [1, 2],
            "files": [upload("a.pdf", files.pdf()), upload("b.png", files.image())],
        },
    )
    assert api.status_code == 409 and api.json()["code"] == "stale"
    assert not Document.objects.exists()
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_a_visitor_must_log_in_and_an_official_is_refused(world, client):
    d = ask(world, receive(world))
    page = client.post(f"/ho-so-cua-toi/{d.code}/bo-sung/", {"version": d.version, **good_files()})
    assert page.status_code == 401
    assert "VNeID" in text(page)
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/supplement",
        {"version": d.version, "items": [1], "files": [upload("a.pdf", files.pdf())]},
    )
    assert api.status_code == 401
    client.force_login(world["commune_officer"])
    assert (
        client.post(
            f"/ho-so-cua-toi/{d.code}/bo-sung/", {"version": d.version, **good_files()}
        ).status_code
        == 403
    )
    assert not Document.objects.exists()
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT
