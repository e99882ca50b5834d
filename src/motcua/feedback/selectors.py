"""Reads of ratings and questions, permission-aware: an official sees those of the agencies
where they hold `feedback.view` (a rating counts for the dossier's competent agency and its
receiving desk), and what they may not see is "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.authz import agencies_where, can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.errors import NotAllowed, NotFound

from .models import Question, Rating


def _official(user: User | None) -> User:
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("You do not have permission for this action."))
    return user


def rating_list(
    user: User | None,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    negative: bool | None = None,
    agency_id: int | None = None,
) -> QuerySet[Rating]:
    """The ratings of dossiers settled by, or received at, an agency where `user` holds
    `feedback.view`, latest first; optionally in [start, end), only negative ones, or for one
    agency."""
    user = _official(user)
    visible = agencies_where(user, Action.FEEDBACK_VIEW)
    qs = Rating.objects.filter(Q(agency__in=visible) | Q(receiving_agency__in=visible))
    if start is not None:
        qs = qs.filter(rated_at__gte=start)
    if end is not None:
        qs = qs.filter(rated_at__lt=end)
    if negative is not None:
        qs = qs.filter(negative=negative)
    if agency_id is not None:
        qs = qs.filter(Q(agency_id=agency_id) | Q(receiving_agency_id=agency_id))
    return qs.select_related(
        "dossier", "dossier__procedure", "agency", "receiving_agency"
    ).order_by("-rated_at", "-id")


@dataclass(frozen=True)
class RatingCount:
    agency_id: int
    agency: str
    ratings: int
    negative: int


def rating_counts(user: User | None, *, start: dt.datetime, end: dt.datetime) -> list[RatingCount]:
    """Per competent agency the user may see: the ratings given in [start, end) and the
    negative ones among them (Decision 766 indicator 5.4, DOMAIN-legal.md §3.2). One grouped
    query over the (agency, rated_at) index."""
    user = _official(user)
    rows = (
        Rating.objects.filter(
            agency__in=agencies_where(user, Action.FEEDBACK_VIEW),
            rated_at__gte=start,
            rated_at__lt=end,
        )
        .values("agency_id", "agency__name")
        .annotate(ratings=Count("id"), negative=Count("id", filter=Q(negative=True)))
        .order_by("agency__name", "agency_id")
    )
    return [
        RatingCount(r["agency_id"], r["agency__name"], r["ratings"], r["negative"]) for r in rows
    ]


def question_list(user: User | None, *, status: str | None = None) -> QuerySet[Question]:
    """The national portal's questions routed to agencies where `user` holds `feedback.view`
    (or `feedback.answer`), the oldest open first."""
    user = _official(user)
    visible = agencies_where(user, Action.FEEDBACK_VIEW) | agencies_where(
        user, Action.FEEDBACK_ANSWER
    )
    qs = Question.objects.filter(agency__in=visible)
    if status:
        qs = qs.filter(status=status)
    # "open" sorts after "answered": descending puts the open ones first.
    return qs.select_related("agency", "answered_by").order_by("-status", "received_at", "id")


def question_get(user: User | None, question_id: int) -> Question:
    """One question the user may see; another agency's answers "not found"."""
    user = _official(user)
    question = (
        Question.objects.select_related("agency", "answered_by").filter(pk=question_id).first()
    )
    if question is None or not (
        can(user, Action.FEEDBACK_VIEW, question.agency)
        or can(user, Action.FEEDBACK_ANSWER, question.agency)
    ):
        raise NotFound(_("Not found."))
    return question
