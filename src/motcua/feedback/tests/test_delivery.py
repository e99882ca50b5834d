"""Ratings and answers reach the national portal's simulator over real HTTP (live_server),
through the outbox dispatcher: once each at the receiver, after a 5xx and a lost
acknowledgement, and a rating never before its dossier. Questions are pulled from it, stored
once, and answered back."""

from __future__ import annotations

import time

import httpx
import pytest
from django.utils import timezone

from motcua.core.errors import NotAllowed
from motcua.feedback.models import Question
from motcua.feedback.services import question_answer, questions_pull, rating_submit
from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.tests import conftest as _outbox
from motcua.simulators.national_portal.models import SimAnswer, SimProgress, SimRating

from .conftest import ID_NUMBER, returned

pytestmark = pytest.mark.django_db(transaction=True)

portal = _outbox.portal
faults = _outbox.faults
TOKEN = _outbox.TOKEN


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


def rate(d, level="dissatisfied"):
    return rating_submit(code=d.code, identity_number=ID_NUMBER, level=level)


def dispatch_until_quiet(rounds: int = 20) -> None:
    """Run the dispatcher until nothing is pending and due (short backoffs in `portal`)."""
    for _ in range(rounds):
        outbox_dispatch(destinations=["dvcqg"])
        pending = OutboxEvent.objects.filter(destination="dvcqg", status=OutboxStatus.PENDING)
        if not pending.exists():
            return
        time.sleep(0.25)


def test_a_rating_reaches_the_portal_exactly_once_after_a_5xx(reloaded, world, portal):
    d = returned(world)
    outbox_dispatch(destinations=["dvcqg"])  # the dossier's history first
    rate(d)
    faults(portal, error="500", error_count=1)

    first = outbox_dispatch(destinations=["dvcqg"])
    event = OutboxEvent.objects.get(aggregate_type="rating")
    assert first.retry == 1 and event.status == OutboxStatus.PENDING and event.attempts == 1
    assert not SimRating.objects.exists()

    # The portal applies the repeat, but its acknowledgement is lost once more.
    faults(portal, ack_lost_count=1, ack_lost_only="DongBoDanhGia")
    dispatch_until_quiet()

    event.refresh_from_db()
    assert event.status == OutboxStatus.DELIVERED
    (held,) = SimRating.objects.all()
    assert held.key == f"dvcqg:rating:{d.code}:1" and held.code == d.code
    assert held.level == "3" and held.times_received == 2  # delivered twice, applied once
    assert held.data["MaHoSoDonVi"] == d.code


def test_a_rating_waits_for_its_dossier_to_reach_the_portal(reloaded, world, portal):
    d = returned(world)
    rate(d, level="very_satisfied")
    history = OutboxEvent.objects.filter(aggregate_type="dossier", destination="dvcqg")
    later = timezone.now() + timezone.timedelta(minutes=5)
    history.update(next_attempt_at=later)  # the dossier's own events are not due yet

    outbox_dispatch(destinations=["dvcqg"])

    event = OutboxEvent.objects.get(aggregate_type="rating")
    assert event.status == OutboxStatus.PENDING and event.attempts == 0  # deferred, not failed
    assert event.next_attempt_at > timezone.now() and not SimRating.objects.exists()

    history.update(next_attempt_at=timezone.now())
    OutboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    dispatch_until_quiet()

    event.refresh_from_db()
    assert event.status == OutboxStatus.DELIVERED
    last_status = SimProgress.objects.filter(code=d.code).order_by("-id").first()
    assert SimRating.objects.get().received_at >= last_status.received_at
    assert SimRating.objects.get().level == "1"


def seed(base: str, questions: list[dict], token: str = TOKEN) -> httpx.Response:
    return httpx.post(
        f"{base}/_hoidap", json={"questions": questions}, headers={"X-Sim-Token": token}
    )


def test_questions_are_pulled_once_routed_and_answered_back(reloaded, world, portal, settings):
    tree = world.tree
    settings.FEEDBACK_DEFAULT_AGENCY = tree["root"].code
    assert seed(portal, [{"MaCauHoi": "X", "NoiDung": "?"}], token="wrong").status_code == 403
    questions = [
        {
            "MaCauHoi": "HD-0001",
            "TieuDe": "Hồ sơ khai sinh",
            "NoiDung": "Cần giấy tờ gì để đăng ký khai sinh cho con?",
            "HoTen": "Trần Văn Bình",
            "MaCoQuan": tree["commune"].code,
            "MaTTHC": "1.001193",
        },
        {
            "MaCauHoi": "HD-0002",
            "NoiDung": "Lệ phí chứng thực bao nhiêu?",
            "MaCoQuan": "9.99.99.X99",
        },
    ]
    assert seed(portal, questions).status_code == 200

    first = questions_pull()
    second = questions_pull()

    assert (first.listed, first.created, first.already) == (2, 2, 0)
    assert (second.created, second.already) == (0, 2)
    assert Question.objects.count() == 2
    named = Question.objects.get(national_id="HD-0001")
    assert named.agency == tree["commune"] and not named.routed_to_default
    assert named.asker_name == "Trần Văn Bình" and named.procedure_code == "1.001193"
    other = Question.objects.get(national_id="HD-0002")
    assert other.agency == tree["root"] and other.routed_to_default

    with pytest.raises(NotAllowed):  # the chair of the commune does not answer for the province
        question_answer(actor=world["commune_chair"], question=other, answer="…")
    with pytest.raises(NotAllowed):  # a specialist holds no feedback.answer
        question_answer(actor=world["commune_specialist"], question=named, answer="…")
    question_answer(
        actor=world["commune_chair"], question=named, answer="Tờ khai và giấy chứng sinh."
    )
    faults(portal, error="503", error_count=1)
    dispatch_until_quiet()

    (answer,) = SimAnswer.objects.all()
    assert answer.question_id == "HD-0001" and answer.times_received == 1
    assert answer.data["NoiDungTraLoi"] == "Tờ khai và giấy chứng sinh."
    assert answer.data["MaCoQuanTraLoi"] == tree["commune"].code
    assert OutboxEvent.objects.get(aggregate_type="question").status == OutboxStatus.DELIVERED


def test_a_pull_while_the_portal_is_down_stores_nothing_and_says_so(reloaded, world, portal):
    seed(portal, [{"MaCauHoi": "HD-9", "NoiDung": "?", "MaCoQuan": world.tree["commune"].code}])
    faults(portal, outage_seconds=30)
    report = questions_pull()
    assert report.errors and not Question.objects.exists()
    faults(portal)
    assert questions_pull().created == 1
