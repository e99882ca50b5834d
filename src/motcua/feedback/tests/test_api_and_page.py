"""The entry points: the public API and page (no login, the tracking limits), the officials'
lists and the answer, each refusing whom it must."""

from __future__ import annotations

import pytest

from motcua.feedback.models import Question, Rating
from motcua.outbox.models import OutboxEvent

from .conftest import ID_NUMBER

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback/ratings"


def body(d, **kw):
    return {"code": d.code, "identity_number": ID_NUMBER, "level": "satisfied"} | kw


def test_api_rates_an_ended_dossier_without_login(client, ended):
    response = client.post(
        URL,
        body(ended, marks={"result": "very_satisfied"}, comment="Nhanh"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["dossier"] == ended.code
    assert Rating.objects.get().marks == {"result": "very_satisfied"}


def test_api_refusals(client, ended, open_dossier):
    post = lambda data: client.post(URL, data, content_type="application/json")  # noqa: E731
    assert post(body(ended, identity_number="087190009999")).status_code == 404
    assert post(body(open_dossier)).json()["code"] == "not_ended"
    assert post(body(ended, level="great")).status_code == 422
    assert post(body(ended)).status_code == 201
    second = post(body(ended, level="dissatisfied"))
    assert (second.status_code, second.json()["code"]) == (409, "already_rated")
    assert Rating.objects.count() == 1


def test_an_official_session_cannot_rate_for_the_applicant(client, world, ended):
    client.force_login(world["commune_officer"])
    response = client.post(URL, body(ended), content_type="application/json")
    assert response.status_code == 403 and not Rating.objects.exists()


def test_wrong_numbers_lock_the_code_like_tracking(client, ended, settings):
    settings.TRACKING_CODE_GUESSES = 3
    for _ in range(3):
        wrong = body(ended, identity_number="087190009999")
        assert client.post(URL, wrong, content_type="application/json").status_code == 404
    right = client.post(URL, body(ended), content_type="application/json")
    assert right.status_code == 429 and not Rating.objects.exists()


def test_officials_lists_are_scoped(client, world, ended, make_official):
    client.post(URL, body(ended, level="dissatisfied"), content_type="application/json")
    assert client.get(URL).status_code == 401
    client.force_login(world["commune_chair"])
    items = client.get(URL).json()["items"]
    assert [i["dossier"] for i in items] == [ended.code] and items[0]["negative"] is True
    counts = client.get(
        URL + "/counts",
        {"start": "2000-01-01T00:00:00+07:00", "end": "2100-01-01T00:00:00+07:00"},
    ).json()
    assert counts == [
        {"agency_id": ended.competent_agency_id, "agency": "UBND xã", "ratings": 1, "negative": 1}
    ]
    client.force_login(
        make_official("ct.xa2", world.tree["commune2"], [("agency_leader", world.tree["commune2"])])
    )
    assert client.get(URL).json()["items"] == []


@pytest.fixture
def question(world):
    return Question.objects.create(
        national_id="HD-1", agency=world.tree["commune"], title="Hỏi", content="Hỏi gì?"
    )


def test_question_api_anonymous_and_other_agency_refused(client, world, question, make_official):
    url = f"/api/v1/feedback/questions/{question.pk}"
    assert client.get("/api/v1/feedback/questions").status_code == 401
    assert (
        client.post(url + "/answer", {"answer": "x"}, content_type="application/json").status_code
        == 401
    )
    client.force_login(
        make_official("ct.xa2", world.tree["commune2"], [("agency_leader", world.tree["commune2"])])
    )
    assert client.get("/api/v1/feedback/questions").json()["items"] == []
    assert client.get(url).status_code == 404
    answer = client.post(url + "/answer", {"answer": "x"}, content_type="application/json")
    assert answer.status_code == 404
    assert not OutboxEvent.objects.filter(aggregate_type="question").exists()


def test_question_api_answer_by_the_agencys_leader(client, world, question):
    url = f"/api/v1/feedback/questions/{question.pk}/answer"
    client.force_login(world["commune_specialist"])  # sees nothing: no feedback.view
    assert client.post(url, {"answer": "x"}, content_type="application/json").status_code == 404
    client.force_login(world["commune_chair"])
    assert [q["national_id"] for q in client.get("/api/v1/feedback/questions").json()["items"]] == [
        "HD-1"
    ]
    assert client.post(url, {"answer": " "}, content_type="application/json").status_code == 422
    done = client.post(url, {"answer": "Tờ khai."}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "answered"
    again = client.post(url, {"answer": "Lại"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    (event,) = OutboxEvent.objects.filter(aggregate_type="question")
    assert event.payload["answer"]["MaCauHoi"] == "HD-1"


# The public page -------------------------------------------------------------------------------


def test_tracking_an_ended_dossier_offers_the_rating_page(client, ended, open_dossier):
    page = client.post("/tra-cuu-ho-so/", {"ma": ended.code, "xac_thuc": ID_NUMBER})
    assert f'/tra-cuu-ho-so/danh-gia/?ma={ended.code}"' in page.content.decode()
    page = client.post("/tra-cuu-ho-so/", {"ma": open_dossier.code, "xac_thuc": ID_NUMBER})
    assert "/tra-cuu-ho-so/danh-gia/" not in page.content.decode()


def test_the_page_rates_without_javascript(client, ended):
    form = client.get("/tra-cuu-ho-so/danh-gia/", {"ma": ended.code}).content.decode()
    assert "<script" not in form
    assert f'value="{ended.code}"' in form
    assert '<label for="id_so_dinh_danh"' in form and "<legend" in form
    assert "Rất hài lòng" in form and "Không hài lòng" in form

    bad = client.post("/tra-cuu-ho-so/danh-gia/", {"ma": ended.code, "so_dinh_danh": ID_NUMBER})
    assert bad.status_code == 422 and 'role="alert"' in bad.content.decode()
    wrong = client.post(
        "/tra-cuu-ho-so/danh-gia/",
        {"ma": ended.code, "so_dinh_danh": "087190009999", "muc_do": "satisfied"},
    )
    assert wrong.status_code == 404 and not Rating.objects.exists()

    done = client.post(
        "/tra-cuu-ho-so/danh-gia/",
        {
            "ma": ended.code,
            "so_dinh_danh": ID_NUMBER,
            "muc_do": "very_satisfied",
            "tc_conduct": "satisfied",
            "tc_timeliness": "",
            "noi_dung": "Cán bộ nhiệt tình.",
        },
    )
    assert done.status_code == 200
    assert "Cảm ơn Ông/Bà đã đánh giá" in done.content.decode()
    rating = Rating.objects.get()
    assert rating.marks == {"conduct": "satisfied"} and rating.comment == "Cán bộ nhiệt tình."


def test_any_offset_the_iso_format_admits_is_read_in_utc(client, world, ended):
    """PostgreSQL refuses offsets past ±15:59 in a query; the API takes any ISO offset (up to
    ±23:59) and reads it in UTC (found by the OpenAPI schema test on PostgreSQL: a 500)."""
    client.post(URL, body(ended), content_type="application/json")
    client.force_login(world["commune_chair"])
    far = {"start": "1900-01-01T00:00:00+17:11", "end": "2100-01-01T00:00:00-19:42"}
    counts = client.get(URL + "/counts", far)
    assert counts.status_code == 200 and counts.json()[0]["ratings"] == 1
    listed = client.get(URL, far)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
