"""rating_submit: only the applicant, only once, only an ended dossier; written with its audit
entry and its outbox event in one transaction; counted by period and unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from motcua.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from motcua.core.models import AuditEntry
from motcua.feedback.constants import Source
from motcua.feedback.models import Rating
from motcua.feedback.selectors import rating_counts, rating_list
from motcua.feedback.services import rating_submit
from motcua.outbox.models import OutboxEvent

from .conftest import ID_NUMBER, refused

pytestmark = pytest.mark.django_db


def rate(dossier, **kw):
    args = {"code": dossier.code, "identity_number": ID_NUMBER, "level": "satisfied"} | kw
    return rating_submit(**args)


def rating_events():
    return OutboxEvent.objects.filter(destination="dvcqg", aggregate_type="rating")


def test_the_applicant_rates_a_returned_dossier_with_its_audit_and_outbox_event(ended):
    rating = rate(
        ended,
        level="dissatisfied",
        marks={"timeliness": "dissatisfied", "conduct": "satisfied"},
        comment="  Chờ lâu quá.  ",
    )

    rating.refresh_from_db()
    assert (rating.dossier_id, rating.level, rating.negative) == (ended.pk, "dissatisfied", True)
    assert rating.agency == ended.competent_agency
    assert rating.receiving_agency == ended.receiving_agency
    assert rating.comment == "Chờ lâu quá." and rating.source == Source.TRACKING
    entry = AuditEntry.objects.get(action="feedback.rating.submit")
    assert entry.object_id == str(rating.pk) and entry.actor is None
    assert ID_NUMBER not in str(entry.after)  # no identity number in the trail
    (event,) = rating_events()
    assert event.aggregate_id == ended.code and event.aggregate_seq == 1
    assert event.idempotency_key == f"dvcqg:rating:{ended.code}:1"
    assert event.payload["dossier_seq"] == ended.event_seq
    row = event.payload["rating"]
    assert row["MaHoSo"] == ended.code and row["MaHoSoDonVi"] == ended.code
    assert row["MucDoHaiLong"] == "3" and row["TenMucDoHaiLong"] == "Không hài lòng"
    assert {(c["MaTieuChi"], c["MucDoHaiLong"]) for c in row["DanhGiaChiTiet"]} == {
        ("TG", "3"),
        ("CB", "2"),
    }
    assert ID_NUMBER not in str(event.payload)


def test_a_refused_dossier_can_be_rated(world):
    d = refused(world)
    assert rate(d, level="very_satisfied").level == "very_satisfied"


def test_refused_for_an_open_dossier(open_dossier):
    with pytest.raises(Conflict) as exc:
        rate(open_dossier)
    assert exc.value.code == "not_ended"
    assert not Rating.objects.exists() and not rating_events().exists()


@pytest.mark.parametrize("number", ["087190009999", "0912345678", " ", "x" * 21])
def test_refused_for_a_wrong_identity_number(ended, number):
    # Even the applicant's phone, which tracking accepts, is not enough to rate.
    with pytest.raises((NotFound, InvalidInput)):
        rate(ended, identity_number=number)
    assert not Rating.objects.exists() and not rating_events().exists()


def test_an_unknown_code_answers_like_a_wrong_number(ended):
    with pytest.raises(NotFound) as unknown:
        rate(ended, code=ended.code + "9")
    with pytest.raises(NotFound) as wrong:
        rate(ended, identity_number="087190009999")
    assert unknown.value.message == wrong.value.message


def test_a_second_rating_is_refused(ended):
    rate(ended, level="satisfied")
    with pytest.raises(Conflict) as exc:
        rate(ended, level="dissatisfied")
    assert exc.value.code == "already_rated"
    assert Rating.objects.get().level == "satisfied"
    assert rating_events().count() == 1


def test_officials_and_system_accounts_cannot_rate(ended, world, intake):
    for actor in (world["commune_officer"], world["commune_chair"], intake):
        with pytest.raises(NotAllowed):
            rate(ended, actor=actor)
    assert not Rating.objects.exists()


def test_the_account_path_needs_the_applicants_own_account(ended):
    for actor in (None, AnonymousUser()):
        with pytest.raises(NotAllowed):
            rate(ended, source=Source.ACCOUNT, actor=actor)
    assert not Rating.objects.exists()


def test_a_citizens_account_rates_with_its_verified_number(ended, superuser):
    from motcua.accounts.models import User

    citizen = User.objects.create(
        username="cd-087190001234", kind=User.Kind.CITIZEN, identity_number=ID_NUMBER
    )
    rating = rate(ended, source=Source.ACCOUNT, actor=citizen)
    assert rating.rater == citizen and rating.source == Source.ACCOUNT


def test_bad_input_is_refused_field_by_field(ended):
    with pytest.raises(InvalidInput) as exc:
        rate(
            ended, level="great", marks={"speed": "satisfied", "result": "meh"}, comment="x" * 2001
        )
    assert set(exc.value.errors) == {"level", "marks.speed", "marks.result", "comment"}
    assert not Rating.objects.exists()


def test_leaders_see_and_count_their_units_ratings_only(world, ended, make_official):
    rate(ended, level="dissatisfied")
    chair = world["commune_chair"]  # agency leader of the competent commune
    other = make_official(
        "ct.xa2", world.tree["commune2"], [("agency_leader", world.tree["commune2"])]
    )
    specialist = world["commune_specialist"]  # no feedback.view

    assert [r.dossier_id for r in rating_list(chair)] == [ended.pk]
    assert list(rating_list(other)) == [] and list(rating_list(specialist)) == []
    with pytest.raises(NotAllowed):
        rating_list(AnonymousUser())
    now = timezone.now()
    (count,) = rating_counts(
        chair, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    )
    assert (count.agency_id, count.ratings, count.negative) == (ended.competent_agency_id, 1, 1)
    assert (
        rating_counts(chair, start=now + dt.timedelta(days=1), end=now + dt.timedelta(days=2)) == []
    )
