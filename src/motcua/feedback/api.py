"""Ratings and questions over JSON, at /api/v1/feedback.

- `POST /ratings` — public (no login): the applicant rates an ended dossier with its code and
  their identity number, under the tracking page's limits (portal/tracking.py).
- `GET /ratings`, `GET /ratings/counts` — officials holding `feedback.view`: their units'
  ratings, and the counts per unit for a period (Decision 766 indicator 5.4).
- `GET /questions`, `GET /questions/{id}`, `POST /questions/{id}/answer` — the national
  portal's questions routed to the official's agencies; answering needs `feedback.answer`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from motcua.core.schemas import Code, ErrorOut, Id, LimitOffset, Moment, paginate

from . import selectors, services
from .constants import COMMENT_MAX, Criterion, Level, Source

router = Router(tags=["feedback"])

LevelIn = Literal["very_satisfied", "satisfied", "dissatisfied"]
CriterionIn = Literal["timeliness", "guidance", "conduct", "result"]
assert set(LevelIn.__args__) == set(Level.values)  # the schema follows the choices
assert set(CriterionIn.__args__) == set(Criterion.values)


class RatingIn(Schema):
    code: Code
    identity_number: Annotated[str, StringConstraints(max_length=20)]
    level: LevelIn
    marks: dict[CriterionIn, LevelIn] = Field(default_factory=dict)
    comment: Annotated[str, StringConstraints(max_length=COMMENT_MAX)] = ""


class RatingOut(Schema):
    id: int
    dossier: str
    procedure: str
    agency: str
    receiving_agency: str
    level: str
    level_name: str
    negative: bool
    marks: dict[str, str]
    comment: str
    source: str
    rated_at: dt.datetime

    # Read from the rows the selector joined (no query per row).
    @staticmethod
    def resolve_dossier(r) -> str:
        return r.dossier.code

    @staticmethod
    def resolve_procedure(r) -> str:
        return r.dossier.procedure.name

    @staticmethod
    def resolve_agency(r) -> str:
        return r.agency.name

    @staticmethod
    def resolve_receiving_agency(r) -> str:
        return r.receiving_agency.name

    @staticmethod
    def resolve_level_name(r) -> str:
        return str(Level(r.level).label)


class RatingDone(Schema):
    dossier: str
    level: str
    rated_at: dt.datetime


@router.post(
    "/ratings",
    response={201: RatingDone, **{code: ErrorOut for code in (403, 404, 409, 422, 429)}},
    auth=None,
)
def rate(request: HttpRequest, payload: RatingIn):
    """Rate a dossier that has ended (result ready or returned, refused, stopped), once, as its
    applicant: the dossier code and the applicant's identity number (or tax code). An unknown
    code and a wrong number both answer 404; a dossier still open or rated already 409; too
    many look-ups from one address, or wrong ones of one code, 429 (the tracking limits)."""
    from motcua.portal.tracking import tracking_guard

    rating = tracking_guard(
        request,
        payload.code,
        lambda: services.rating_submit(
            code=payload.code,
            identity_number=payload.identity_number,
            level=payload.level,
            marks=dict(payload.marks),
            comment=payload.comment,
            source=Source.TRACKING,
            actor=request.user,
        ),
    )
    return Status(
        201, {"dossier": rating.dossier.code, "level": rating.level, "rated_at": rating.rated_at}
    )


@router.get("/ratings", response=list[RatingOut])
@paginate(LimitOffset)
def ratings(
    request: HttpRequest,
    start: Moment | None = None,
    end: Moment | None = None,
    negative: bool | None = None,
    agency: Id | None = None,
):
    """Ratings of the dossiers settled by or received at the caller's units (`feedback.view`),
    latest first; `start`/`end` bound the moment of rating ([start, end))."""
    qs = selectors.rating_list(
        request.user, start=start, end=end, negative=negative, agency_id=agency
    )
    return qs


class RatingCountOut(Schema):
    agency_id: int
    agency: str
    ratings: int
    negative: int


@router.get("/ratings/counts", response=list[RatingCountOut])
def rating_counts(request: HttpRequest, start: Moment, end: Moment):
    """Per competent agency the caller may see: ratings given in [start, end) and how many were
    negative."""
    return selectors.rating_counts(request.user, start=start, end=end)


class QuestionOut(Schema):
    id: int
    national_id: str
    agency: str
    agency_code_given: str
    routed_to_default: bool
    title: str
    content: str
    asker_name: str
    procedure_code: str
    asked_at: dt.datetime | None
    received_at: dt.datetime
    status: str
    answer: str
    answered_by: str | None
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_agency(q) -> str:
        return q.agency.name

    @staticmethod
    def resolve_answered_by(q) -> str | None:
        return q.answered_by.get_username() if q.answered_by else None


@router.get("/questions", response=list[QuestionOut])
@paginate(LimitOffset)
def questions(request: HttpRequest, status: Literal["open", "answered"] | None = None):
    """Questions citizens sent on the national portal to the caller's agencies, open first."""
    return selectors.question_list(request.user, status=status)


@router.get("/questions/{int:question_id}", response=QuestionOut)
def question(request: HttpRequest, question_id: Id):
    return selectors.question_get(request.user, question_id)


class AnswerIn(Schema):
    answer: Annotated[str, StringConstraints(max_length=services.ANSWER_MAX)]


@router.post("/questions/{int:question_id}/answer", response=QuestionOut)
def answer(request: HttpRequest, question_id: Id, payload: AnswerIn):
    """Answer a question (`feedback.answer` at its agency); the answer is sent back to the
    national portal. A question answered already: 409 `already_answered`."""
    q = services.question_answer(
        actor=request.user,
        question=selectors.question_get(request.user, question_id),
        answer=payload.answer,
    )
    return q
