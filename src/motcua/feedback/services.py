"""Writes of the feedback app: a rating by the applicant, the national portal's questions
pulled and stored once, an official's answer. Each in one transaction with its audit entry and,
where the national portal must hear of it, its outbox event (destination `dvcqg`)."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.adapters.national_portal.catalog import NationalPortalError
from motcua.adapters.national_portal.sync import sync_client_from_settings
from motcua.coordination.progress import portal_reported_by_source
from motcua.core.audit import audit_event, audit_record
from motcua.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from motcua.dossiers.lifecycle import is_applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.national import portal_time
from motcua.organizations.models import Agency
from motcua.outbox.destinations import QUESTION, RATING
from motcua.outbox.models import OutboxEvent
from motcua.outbox.services import outbox_add

from .constants import COMMENT_MAX, NEGATIVE, RATABLE, Criterion, Level, QuestionStatus, Source
from .models import Question, Rating
from .national import BadQuestion, answer_row, question_fields, rating_row

log = logging.getLogger(__name__)

DESTINATION = "dvcqg"
ANSWER_MAX = 10000

# ---------------------------------------------------------------------------------------------
# Ratings


def _no_match() -> NotFound:
    # The same words as the tracking page: a wrong number and an unknown code look alike.
    return NotFound(_("No dossier matches this code and identity number."))


def _checked_input(level: str, marks: dict[str, str] | None, comment: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    if level not in Level.values:
        errors["level"] = [_("Choose one of: very satisfied, satisfied, dissatisfied.")]
    marks = {k: v for k, v in (marks or {}).items() if v not in (None, "")}
    for criterion, mark in marks.items():
        if criterion not in Criterion.values:
            errors[f"marks.{criterion}"] = [_("Unknown criterion.")]
        elif mark not in Level.values:
            errors[f"marks.{criterion}"] = [
                _("Choose one of: very satisfied, satisfied, dissatisfied.")
            ]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("At most %(n)s characters.") % {"n": COMMENT_MAX}]
    if errors:
        raise InvalidInput(_("The rating has errors."), errors=errors)
    return marks


def portal_knows(dossier: Dossier) -> bool:
    """Whether the national portal holds the dossier, so a rating of it can be sent.

    Every real dossier made here is synced from its first history row; a dossier born on the
    portal is its own. Test dossiers never are. A migrated dossier the old system never synced
    (`national_synced: false`) is known only if it got its one catch-up event (migration
    services), i.e. it was still open when imported. One a ministry's system handed us and
    reports to the portal itself is not ours there (coordination/progress.py)."""
    if dossier.is_sandbox:
        return False
    if portal_reported_by_source(dossier):
        return False  # on the portal under the handing-over system's code, not ours
    try:
        migrated = dossier.migrated
    except ObjectDoesNotExist:
        migrated = None
    if migrated is not None and migrated.record.get("national_synced") is False:
        return OutboxEvent.objects.filter(
            destination=DESTINATION, aggregate_type="dossier", aggregate_id=dossier.code
        ).exists()
    return True


def rating_submit(
    *,
    code: str,
    identity_number: str,
    level: str,
    marks: dict[str, str] | None = None,
    comment: str = "",
    source: str = Source.TRACKING,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Đánh giá mức độ hài lòng: the applicant rates a dossier that has ended, once.

    Who: only the applicant, proven one of two ways —
    - `source=account`: `actor` is the applicant's own login (a citizen or organization
      account) and `identity_number` the number its identity provider verified (the caller
      passes it; the login is built elsewhere);
    - `source=tracking`: the dossier code and the applicant's identity number (or tax code),
      typed on the tracking page, the kiosk or the API, whose entry points rate-limit guesses
      (portal/tracking.py `tracking_guard`); `actor` is nobody or that same applicant account.
    An official or a system account never rates on the applicant's behalf (NotAllowed). An
    unknown code and a wrong number answer the same NotFound.

    When: the dossier has ended (constants.RATABLE). Once: a second rating is refused (409
    `already_rated`), also when two arrive at the same moment (the unique dossier decides).
    The rating is sent to the national portal (`DongBoDanhGia`) through the outbox when the
    portal holds the dossier.
    """
    now = now or timezone.now()
    if source not in Source.values:
        raise InvalidInput(_("Unknown source."), errors={"source": [_("Unknown source.")]})
    signed_in = actor is not None and actor.is_authenticated
    if source == Source.ACCOUNT and not is_applicant(actor):
        raise NotAllowed(_("Only the applicant's own account may rate through an account."))
    if signed_in and not is_applicant(actor):
        raise NotAllowed(_("A rating is the applicant's own: officials cannot give one."))
    given = (identity_number or "").strip()
    if not given or len(given) > 20:
        raise InvalidInput(
            _("Enter the applicant's identity number."),
            errors={"identity_number": [_("This value is required.")]},
        )
    marks = _checked_input(level, marks, comment := (comment or "").strip())
    code = (code or "").strip()
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "competent_agency", "receiving_agency")
            .filter(code=code, is_sandbox=False)
            .first()
            if code
            else None
        )
        if dossier is None or not hmac.compare_digest(
            given.encode(), dossier.applicant_id_number.encode()
        ):
            raise _no_match()
        if dossier.status not in RATABLE:
            raise Conflict(
                _(
                    "A dossier can be rated once it has ended (result ready or returned, refused "
                    "or stopped)."
                ),
                code="not_ended",
            )
        if Rating.objects.filter(dossier=dossier).exists():
            raise Conflict(_("This dossier has been rated already."), code="already_rated")
        rating = Rating(
            dossier=dossier,
            agency=dossier.competent_agency,
            receiving_agency=dossier.receiving_agency,
            level=level,
            negative=level in NEGATIVE,
            marks=marks,
            comment=comment,
            source=source,
            rater=actor if signed_in else None,
            rated_at=now,
        )
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as exc:  # a concurrent rating of the same dossier won
            raise Conflict(_("This dossier has been rated already."), code="already_rated") from exc
        audit_event(
            actor=actor if signed_in else None,
            actor_label=actor.get_username() if signed_in else f"applicant ({source})",
            action="feedback.rating.submit",
            object_type=Rating._meta.label_lower,
            object_id=str(rating.pk),
            object_repr=f"{dossier.code}: {level}",
            agency=dossier.competent_agency,
            after={"dossier": dossier.code, "level": level, "marks": marks, "source": source},
        )
        if portal_knows(dossier):
            outbox_add(
                destination=DESTINATION,
                kind="rating",
                aggregate_type=RATING,
                aggregate_id=dossier.code,
                aggregate_seq=1,
                # `dossier_seq`: the history row the portal must have before the rating
                # (outbox/destinations.py waits for it).
                payload={"dossier_seq": dossier.event_seq, "rating": rating_row(rating, dossier)},
            )
    return rating


# ---------------------------------------------------------------------------------------------
# Questions from the national portal


def default_agency() -> Agency | None:
    """The province's agency that answers questions naming no agency we know
    (FEEDBACK_DEFAULT_AGENCY, else NATIONAL_PORTAL_MADONVI: the province's own identifier)."""
    code = settings.FEEDBACK_DEFAULT_AGENCY or settings.NATIONAL_PORTAL_MADONVI
    return Agency.objects.filter(code=code, is_active=True).first() if code else None


def _route(code_given: str) -> tuple[Agency | None, bool]:
    if code_given:
        named = Agency.objects.filter(code=code_given, is_active=True).first()
        if named is not None:
            return named, False
    return default_agency(), True


def question_store(raw: dict[str, Any], *, now: dt.datetime | None = None) -> tuple[Question, bool]:
    """Store one question of the portal once (by its id); (question, created). A repeat of a
    question already stored changes nothing. Raises BadQuestion for one we cannot store."""
    now = now or timezone.now()
    fields = question_fields(raw)
    existing = Question.objects.filter(national_id=fields["national_id"]).first()
    if existing is not None:
        return existing, False
    agency, by_default = _route(fields["agency_code_given"])
    if agency is None:
        raise BadQuestion(
            _("No agency has the code %(code)s and no default agency is configured.")
            % {"code": fields["agency_code_given"] or "—"}
        )
    try:
        with transaction.atomic():
            question = Question.objects.create(
                **fields, agency=agency, routed_to_default=by_default, received_at=now, raw=raw
            )
            audit_record(
                actor=None,
                action="feedback.question.receive",
                obj=question,
                agency=agency,
                after={"national_id": question.national_id, "routed_to_default": by_default},
            )
    except IntegrityError:  # a concurrent poll stored it a moment ago
        return Question.objects.get(national_id=fields["national_id"]), False
    return question, True


@dataclass
class PullReport:
    listed: int = 0
    created: int = 0
    already: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def questions_pull(*, now: dt.datetime | None = None, days: int | None = None) -> PullReport:
    """Ask the national portal for the questions sent in the last `days`
    (FEEDBACK_QUESTIONS_DAYS) and store the new ones. The window overlaps the previous polls on
    purpose: the portal's id makes a repeat harmless, and a poll missed (portal down, worker
    off) is caught up by the next. A question that cannot be stored is reported and logged,
    and asked again at the next poll."""
    now = now or timezone.now()
    days = settings.FEEDBACK_QUESTIONS_DAYS if days is None else days
    report = PullReport()
    try:
        with sync_client_from_settings() as client:
            items = client.questions_list(
                start=portal_time(now - dt.timedelta(days=days)), end=portal_time(now)
            )
    except NationalPortalError as exc:
        report.errors.append(exc.message)
        log.warning("feedback: questions pull failed: %s", exc.message)
        return report
    report.listed = len(items)
    for raw in items:
        try:
            _question, created = question_store(raw, now=now)
        except BadQuestion as exc:
            report.refused.append((str(raw.get("MaCauHoi", "")), str(exc)))
            log.warning("feedback: question %s refused: %s", raw.get("MaCauHoi", ""), exc)
            continue
        if created:
            report.created += 1
        else:
            report.already += 1
    return report


def question_answer(
    *, actor: User | None, question: Question, answer: str, now: dt.datetime | None = None
) -> Question:
    """An official of the agency the question was routed to answers it (`feedback.answer`
    there); the answer goes back to the portal (`DongBoKetQuaHoiDapGuiTuDVCQG`) through the
    outbox. One answer per question: a second is refused (409 `already_answered`)."""
    now = now or timezone.now()
    if actor is None or not can(actor, Action.FEEDBACK_ANSWER, question.agency):
        raise NotAllowed(_("You may not answer the questions of this agency."))
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(
            _("Write the answer."), errors={"answer": [_("This value is required.")]}
        )
    if len(answer) > ANSWER_MAX:
        raise InvalidInput(
            _("The answer is too long."),
            errors={"answer": [_("At most %(n)s characters.") % {"n": ANSWER_MAX}]},
        )
    with transaction.atomic():
        updated = Question.objects.filter(pk=question.pk, status=QuestionStatus.OPEN).update(
            status=QuestionStatus.ANSWERED, answer=answer, answered_by=actor, answered_at=now
        )
        if not updated:
            raise Conflict(_("This question has been answered already."), code="already_answered")
        question = Question.objects.select_related("agency", "answered_by").get(pk=question.pk)
        audit_record(
            actor=actor,
            action="feedback.question.answer",
            obj=question,
            agency=question.agency,
            before={"status": QuestionStatus.OPEN},
            after={"status": QuestionStatus.ANSWERED},
        )
        outbox_add(
            destination=DESTINATION,
            kind="question.answer",
            aggregate_type=QUESTION,
            aggregate_id=question.national_id,
            aggregate_seq=1,
            payload={"answer": answer_row(question)},
        )
    return question
