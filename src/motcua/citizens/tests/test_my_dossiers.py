"""Hồ sơ của tôi: a citizen sees every dossier with their identity number and nothing else —
no other person's dossier, no official's note, no appointment before acceptance — and withdraws
one while the lifecycle allows it. Pages and API alike."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User
from motcua.adapters.vneid import VneidIdentity
from motcua.citizens.services import citizen_login
from motcua.dossiers import services
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import DossierFactory, citizen, draft_result

from .conftest import HUNG, LAN

NOTE = "GHI-CHU-NOI-BO: hồ sơ này cần kiểm tra kỹ chữ ký"


def identity(number: str = LAN, name: str = "Nguyễn Thị Lan", kind: str = "citizen"):
    return VneidIdentity(
        subject=f"sub-{number}", kind=kind, number=number, name=name, ial="2", id_token="x.y.z"
    )


@pytest.fixture
def lan(db) -> User:
    return citizen_login(identity=identity())


@pytest.fixture
def hung(db) -> User:
    return citizen_login(identity=identity(HUNG, "Trần Văn Hùng"))


def receive(world, accept: bool = True, **applicant) -> Dossier:
    return DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accept=accept,
        **({"applicant": citizen(world.tree["osu"].commune_id, **applicant)} if applicant else {}),
    )


def test_lists_every_channel_and_only_the_citizens_own(world, intake, lan, client):
    desk = receive(world)
    online = DossierFactory(
        actor=intake,
        procedure=world.birth,
        channel=Channel.ONLINE,
        applicant=citizen(world.tree["osu"].commune_id),
    )
    other = receive(world, id_number=HUNG, name="Trần Văn Hùng")
    client.force_login(lan)

    page = client.get("/ho-so-cua-toi/")
    api = client.get("/api/v1/me/dossiers").json()

    assert page.status_code == 200
    codes = {d["code"] for d in api["items"]}
    assert codes == {desk.code, online.code}
    for d in (desk, online):
        assert d.code in page.content.decode()
    assert other.code not in page.content.decode()
    assert api["count"] == 2


def test_another_persons_dossier_is_not_found(world, lan, client):
    other = receive(world, id_number=HUNG, name="Trần Văn Hùng")
    client.force_login(lan)
    assert client.get(f"/ho-so-cua-toi/{other.code}/").status_code == 404
    response = client.get(f"/api/v1/me/dossiers/{other.code}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    withdraw = client.post(
        f"/api/v1/me/dossiers/{other.code}/withdraw",
        {"version": other.version, "reason": "Không cần nữa"},
        content_type="application/json",
    )
    assert withdraw.status_code == 404
    assert Dossier.objects.get(pk=other.pk).status != Status.WITHDRAWN


def test_an_organization_does_not_see_a_citizen_with_the_same_digits(world, client):
    mine = receive(world, id_number=LAN)
    org = citizen_login(identity=identity(LAN, "Công ty trùng số", kind="organization"))
    client.force_login(org)
    assert client.get(f"/ho-so-cua-toi/{mine.code}/").status_code == 404


def test_internal_notes_never_reach_the_citizen(world, lan, client):
    d = receive(world)
    d = services.dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        note=NOTE,
    )
    assert DossierEvent.objects.filter(dossier=d, note=NOTE).exists()
    client.force_login(lan)

    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    api = client.get(f"/api/v1/me/dossiers/{d.code}").content.decode()
    listing = client.get("/api/v1/me/dossiers").content.decode()

    for text in (page, api, listing):
        assert "GHI-CHU-NOI-BO" not in text
        # Nor who acted.
        assert world["commune_specialist"].username not in text
    assert "Đang xử lý" in page  # the public status names, as tracking shows them


def test_appointment_hidden_until_accepted(world, lan, client):
    d = receive(world, accept=False)
    assert d.due_at is not None  # the provisional one exists, and is no promise
    client.force_login(lan)
    shown = d.due_at.astimezone().strftime("%d/%m/%Y")

    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Có khi hồ sơ được tiếp nhận" in page
    assert client.get(f"/api/v1/me/dossiers/{d.code}").json()["appointment"] is None
    assert client.get("/api/v1/me/dossiers").json()["items"][0]["appointment"] is None

    d = services.dossier_accept(
        actor=world["commune_officer"], dossier=d, expected_version=d.version
    )
    detail = client.get(f"/api/v1/me/dossiers/{d.code}").json()
    assert detail["appointment"] is not None
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Có khi hồ sơ được tiếp nhận" not in page
    assert d.due_at.astimezone().strftime("%d/%m/%Y") in page or shown in page


def test_shows_what_the_supplement_request_asks(world, lan, client):
    d = receive(world, accept=False)
    services.dossier_request_supplement(
        actor=world["commune_officer"],
        dossier=d,
        expected_version=d.version,
        items=["Bản sao giấy chứng sinh có chứng thực"],
        reason="Giấy chứng sinh bị mờ",
    )
    client.force_login(lan)
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Việc bạn cần làm" in page
    assert "Bản sao giấy chứng sinh có chứng thực" in page
    assert "Giấy chứng sinh bị mờ" in page
    request = client.get(f"/api/v1/me/dossiers/{d.code}").json()["request"]
    assert request["kind"] == "supplement"
    assert request["items"] == ["Bản sao giấy chứng sinh có chứng thực"]
    assert client.get("/api/v1/me/dossiers").json()["items"][0]["needs_action"] is True


def test_citizen_withdraws_a_desk_dossier_through_the_lifecycle(world, lan, client):
    d = receive(world)
    client.force_login(lan)
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Rút hồ sơ" in page

    response = client.post(
        f"/ho-so-cua-toi/{d.code}/", {"version": d.version, "reason": "Tôi nộp nhầm thủ tục"}
    )

    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    assert d.national_status == 7
    event = d.events.order_by("-seq").first()
    assert event.actor_id == lan.pk and event.kind == "withdraw"
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert "Tôi nộp nhầm thủ tục" in page
    assert 'name="reason"' not in page  # no longer offered


def test_withdrawal_api_checks_version_and_state(world, lan, client):
    d = receive(world)
    client.force_login(lan)
    url = f"/api/v1/me/dossiers/{d.code}/withdraw"
    stale = client.post(
        url, {"version": d.version + 5, "reason": "x"}, content_type="application/json"
    )
    assert stale.status_code == 409
    ok = client.post(
        url, {"version": d.version, "reason": "Không cần nữa"}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status_code"] == 7
    assert ok.json()["may_withdraw"] is False
    again = client.post(
        url, {"version": ok.json()["version"], "reason": "x"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_status"


def test_an_official_and_a_visitor_are_refused(world, client):
    d = receive(world)
    assert client.get("/ho-so-cua-toi/").status_code == 401
    assert client.get("/api/v1/me/dossiers").status_code == 401
    client.force_login(world["commune_officer"])
    assert client.get("/ho-so-cua-toi/").status_code == 403
    assert client.get(f"/ho-so-cua-toi/{d.code}/").status_code == 403
    response = client.get("/api/v1/me/dossiers")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_list_reads_in_a_fixed_number_of_queries(
    world, lan, client, django_assert_max_num_queries
):
    for _ in range(5):
        receive(world)
    client.force_login(lan)
    client.get("/ho-so-cua-toi/")  # warm the session and caches
    with django_assert_max_num_queries(8):
        page = client.get("/ho-so-cua-toi/")
    assert page.content.decode().count("/ho-so-cua-toi/000.") == 5


def settle(world, d: Dossier) -> Dossier:
    draft_result(world["commune_specialist"], d)  # the chair signs it (R28)
    for who in ("commune_specialist", "commune_chair"):
        d = services.dossier_act(
            actor=world[who], dossier=d, expected_version=d.version, action="forward"
        )
    assert d.status == Status.DONE
    return d


def test_the_applicant_rates_an_ended_dossier_once_from_my_dossiers(world, lan, client):
    from motcua.feedback.models import Rating

    open_one = receive(world)
    d = settle(world, receive(world))
    client.force_login(lan)
    assert "danh-gia" not in client.get(f"/ho-so-cua-toi/{open_one.code}/").content.decode()
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert f'href="/ho-so-cua-toi/{d.code}/danh-gia/"' in page
    assert client.get(f"/api/v1/me/dossiers/{d.code}").json()["may_rate"] is True

    # Every field error at once, nothing saved.
    bad = client.post(f"/ho-so-cua-toi/{d.code}/danh-gia/", {"muc_do": "tuyet-voi"})
    assert bad.status_code == 422 and not Rating.objects.exists()
    ok = client.post(
        f"/ho-so-cua-toi/{d.code}/danh-gia/", {"muc_do": "satisfied", "noi_dung": "Nhanh gọn"}
    )
    assert ok.status_code == 302
    rating = Rating.objects.get(dossier=d)
    assert (rating.level, rating.source, rating.comment) == ("satisfied", "account", "Nhanh gọn")
    detail = client.get(f"/api/v1/me/dossiers/{d.code}").json()
    assert detail["may_rate"] is False and detail["rating"]
    again = client.post(
        f"/api/v1/me/dossiers/{d.code}/rating", {"level": "dissatisfied"}, "application/json"
    )
    assert again.status_code == 409 and Rating.objects.count() == 1
    early = client.post(
        f"/api/v1/me/dossiers/{open_one.code}/rating", {"level": "satisfied"}, "application/json"
    )
    assert early.status_code == 409 and Rating.objects.count() == 1


def test_rating_another_persons_dossier_is_not_found(world, lan, hung, client):
    from motcua.feedback.models import Rating

    d = settle(world, receive(world, id_number=HUNG, name="Trần Văn Hùng"))
    client.force_login(lan)
    assert client.get(f"/ho-so-cua-toi/{d.code}/danh-gia/").status_code == 404
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/rating", {"level": "satisfied"}, "application/json"
    )
    assert api.status_code == 404 and not Rating.objects.exists()
    client.force_login(hung)
    api = client.post(
        f"/api/v1/me/dossiers/{d.code}/rating", {"level": "satisfied"}, "application/json"
    )
    assert api.status_code == 200 and api.json()["may_rate"] is False


def test_the_applicant_downloads_the_forms_addressed_to_them_and_no_other(world, lan, hung, client):
    from motcua.printing.pdf import text_of_pdf

    d = receive(world)  # accepted: the receipt and appointment (Mẫu 01) exists
    d = services.dossier_request_supplement(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        items=["Bản sao giấy chứng sinh"],
        reason="Giấy chứng sinh bị mờ",
    )
    client.force_login(lan)
    page = client.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    receipt_url = f"/ho-so-cua-toi/{d.code}/giay-to/receipt.pdf"
    assert receipt_url in page and f"/ho-so-cua-toi/{d.code}/giay-to/supplement.pdf" in page
    assert "control_sheet" not in page  # the agencies' own record
    notices = client.get(f"/api/v1/me/dossiers/{d.code}").json()["notices"]
    assert [n["key"] for n in notices] == ["receipt", "supplement"]

    response = client.get(receipt_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of_pdf(response.content)
    assert d.code in text and "Nguyễn" in text
    api = client.get(f"/api/v1/me/dossiers/{d.code}/forms/supplement.pdf")
    assert api.status_code == 200 and "Giấy chứng sinh bị mờ" in text_of_pdf(api.content)

    # Forms that do not apply, the internal one, and another person's dossier: not found.
    assert client.get(f"/ho-so-cua-toi/{d.code}/giay-to/refusal.pdf").status_code == 404
    assert client.get(f"/ho-so-cua-toi/{d.code}/giay-to/control_sheet.pdf").status_code == 404
    assert client.get(f"/api/v1/me/dossiers/{d.code}/forms/control_sheet.pdf").status_code in (
        404,
        422,
    )
    client.force_login(hung)
    assert client.get(receipt_url).status_code == 404
    assert client.get(f"/api/v1/me/dossiers/{d.code}/forms/receipt.pdf").status_code == 404
