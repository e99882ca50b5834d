"""Processing: complete a step, assign it, answer a consultation, ask for and record the
applicant's financial obligation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, DomainError, InvalidInput
from motcua.workflows.constants import StepAction, StepKind
from motcua.workflows.units import is_eligible, unit_resolve

from .. import lifecycle
from ..constants import EventKind, PaymentBasis, Status
from ..lifecycle import Context, Op
from ..models import Consultation, Dossier
from ..process import calendar, current_step, spec_of, timeliness
from . import clocking, results
from .events import Transition, load, opened
from .steps import advance


def dossier_act(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    action: str,
    note: str = "",
    next_assignee: User | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Complete the current step with one of its actions: forward, approve, send back, propose
    refusal or ask for opinions; the definition says which step follows.

    At a signing step, completing it signs the draft result first (required when the workflow
    issues a signed result, when there is one on the default process), outside the transaction
    (the time-stamping authority is called over HTTP), then stores the signed result with the
    step's change, or nothing (results.py)."""
    now = now or timezone.now()
    if action not in StepAction.values:
        raise InvalidInput(_("Unknown action."), errors={"action": [_("Unknown action.")]})
    signed = None
    if action in results.SIGNING_ACTIONS:
        signed = results.result_sign(
            actor=actor, dossier=dossier, expected_version=expected_version, action=action, now=now
        )
    with transaction.atomic():
        d, rule = opened(Op.STEP, actor, dossier, expected_version, Context(now=now))
        step = current_step(d)
        if not step.allows(action):
            raise Conflict(
                _("Step “%(step)s” does not allow “%(action)s”.")
                % {"step": step.name, "action": StepAction(action).label},
                code="action_not_allowed",
            )
        if step.kind == StepKind.CONSULT and action == StepAction.FORWARD:
            waiting = Consultation.objects.filter(
                dossier=d, step_key=step.key, answered_at__isnull=True, cancelled_at__isnull=True
            ).count()
            if waiting:
                raise Conflict(
                    _("%(n)d consulted unit(s) have not answered yet.") % {"n": waiting},
                    code="consultation_open",
                )
        if action == StepAction.REFUSE and not note.strip():
            raise InvalidInput(
                _("Give the reason for proposing refusal."),
                errors={"note": [_("Give the reason.")]},
            )
        if next_assignee is not None:
            next_key = step.next_for(action)
            if next_key is not None:
                nxt = spec_of(d).step(next_key)
                unit = unit_resolve(
                    nxt.unit, competent=d.competent_agency, receiving_desk=d.receiving_agency
                )
                if unit is None or not is_eligible(
                    next_assignee, step=nxt, unit=unit, procedure=d.procedure
                ):
                    raise InvalidInput(
                        _("%(name)s cannot handle the step “%(step)s”.")
                        % {"name": next_assignee.full_name, "step": nxt.name},
                        errors={"next_assignee": [_("Not eligible for the next step.")]},
                    )
        data = results.result_store(
            actor=actor, d=d, step=step, action=action, signed=signed, now=now
        )
        t = Transition(rule, d, actor, now)
        advance(t, step, action, note=note.strip(), assignee=next_assignee, data=data)
        return t.commit(expected_version)


def dossier_assign(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    assignee: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Phân công: a leader gives the current step to one eligible official."""
    now = now or timezone.now()
    with transaction.atomic():
        d, rule = opened(Op.ASSIGN, actor, dossier, expected_version, Context(now=now))
        step = current_step(d)
        if assignee is None or not is_eligible(
            assignee, step=step, unit=d.step_agency, procedure=d.procedure
        ):
            name = (assignee.full_name or assignee.username) if assignee is not None else ""
            raise InvalidInput(
                _("%(name)s cannot handle the step “%(step)s”.")
                % {"name": name, "step": step.name},
                errors={"assignee": [_("Not eligible for this step.")]},
            )
        t = Transition(rule, d, actor, now)
        d.assignee = assignee
        t.event(
            EventKind.ASSIGN,
            from_status=d.status,
            from_step=step.key,
            to_step=step.key,
            from_agency=d.step_agency,
            to_agency=d.step_agency,
            to_user=assignee,
            note=note or (assignee.full_name or assignee.username),
        )
        return t.commit(expected_version)


def dossier_consult_answer(
    *,
    actor: User,
    consultation: Consultation,
    opinion: str,
    agrees: bool = True,
    now: dt.datetime | None = None,
) -> Dossier:
    """A consulted unit gives its opinion; when the last one answers, the step moves on."""
    now = now or timezone.now()
    if not opinion.strip():
        raise InvalidInput(_("Write the opinion."), errors={"opinion": [_("Write the opinion.")]})
    with transaction.atomic():
        # Parallel answers queue on the dossier row instead of failing each other.
        d = load(consultation.dossier_id, lock=True)
        c = Consultation.objects.select_for_update().select_related("unit").get(pk=consultation.pk)
        if c.answered_at is not None:
            raise Conflict(_("This opinion has already been given."), code="answered")
        if c.cancelled_at is not None or d.step_key != c.step_key:
            raise Conflict(_("The dossier has moved on from this consultation."), code="moved")
        try:
            rule = lifecycle.check(Op.CONSULT_ANSWER, actor, d, Context(now=now, consultation=c))
        except Conflict:
            raise Conflict(
                _("The dossier has moved on from this consultation."), code="moved"
            ) from None
        step = current_step(d)
        c.answered_at = now
        c.answered_by = actor
        c.opinion = opinion.strip()
        c.agrees = agrees
        c.save(update_fields=["answered_at", "answered_by", "opinion", "agrees"])
        t = Transition(rule, d, actor, now)
        cal = calendar(c.unit)
        t.event(
            EventKind.CONSULT_ANSWER,
            from_status=d.status,
            from_step=step.key,
            to_step=step.key,
            from_agency=c.unit,
            to_agency=d.step_agency,
            minutes_used=cal.working_minutes_between(c.asked_at, now),
            step_due_at=c.due_at,
            timeliness=timeliness(now, c.due_at),
            note=opinion.strip(),
            data={"consultation": c.pk, "agrees": agrees},
        )
        waiting = Consultation.objects.filter(
            dossier=d, step_key=step.key, answered_at__isnull=True, cancelled_at__isnull=True
        ).exists()
        if not waiting and step.allows(StepAction.FORWARD):
            advance(t, step, StepAction.FORWARD, note=_("All consulted units have answered."))
        return t.commit(d.version)


def dossier_request_payment(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    amount_vnd: int,
    authority: str,
    notice_number: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant must fulfil a financial obligation another authority set by its notice
    (the tax authority's notice of tax or land levy, thông báo nộp tiền): the clock stops
    until the official records it fulfilled. The amount is the notice's, paid to that
    authority (the State Treasury, a bank, the tax portal), not through the province.

    The procedure's own fees and charges are never typed in: the payments app computes them
    from the catalog and asks for them through `dossier_request_fees`."""
    errors: dict[str, list[str]] = {}
    if not _whole_dong(amount_vnd):
        errors["amount_vnd"] = [_("Enter the amount in whole đồng.")]
    authority, notice_number = (authority or "").strip(), (notice_number or "").strip()
    if not authority:
        errors["authority"] = [_("Name the authority that issued the notice.")]
    elif len(authority) > 255:
        errors["authority"] = [_("At most 255 characters.")]
    if not notice_number:
        errors["notice_number"] = [_("Enter the notice's number.")]
    elif len(notice_number) > 60:
        errors["notice_number"] = [_("At most 60 characters.")]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    data = {
        "basis": PaymentBasis.NOTICE,
        "amount_vnd": amount_vnd,
        "authority": authority,
        "notice_number": notice_number,
    }
    return _await_payment(actor, dossier, expected_version, note, data, now or timezone.now())


def dossier_request_fees(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    amount_vnd: int,
    reference: str,
    note: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """The procedure's fees and charges, as the payments app computed them from the catalog
    (payments.services.payment_request, which records the payment the applicant then pays
    online under `reference`): the clock stops until the payment is confirmed or recorded."""
    if not _whole_dong(amount_vnd):
        message = _("Enter the amount in whole đồng.")
        raise InvalidInput(message, errors={"amount_vnd": [message]})
    data = {"basis": PaymentBasis.FEES, "amount_vnd": amount_vnd, "reference": reference}
    return _await_payment(actor, dossier, expected_version, note, data, now or timezone.now())


def _whole_dong(amount: object) -> bool:
    """A positive whole number of đồng (DOMAIN.md decision 12: no floats near money)."""
    return isinstance(amount, int) and not isinstance(amount, bool) and amount > 0


def _await_payment(
    actor: User, dossier: Dossier, expected_version: int, note: str, data: dict, now
) -> Dossier:
    with transaction.atomic():
        d, rule = opened(Op.PAYMENT_REQUEST, actor, dossier, expected_version, Context(now=now))
        step = current_step(d)
        t = Transition(rule, d, actor, now)
        from_status = d.status
        d.status = Status.AWAITING_PAYMENT
        clocking.pause(d, now, restart_on_resume=False)
        t.event(
            EventKind.PAYMENT_REQUEST,
            from_status=from_status,
            from_step=step.key,
            to_step=step.key,
            note=note.strip(),
            data=data,
        )
        return t.commit(expected_version)


def dossier_payment_received(
    *, actor: User | None, dossier: Dossier, expected_version: int, now: dt.datetime | None = None
) -> Dossier:
    """The obligation is fulfilled: the clock resumes where it stopped (DOMAIN.md decision 7).

    Recorded by the official holding the step or the receiving desk (the applicant brings the
    tax receipt); the payment platform's confirmation will come with its own identity."""
    now = now or timezone.now()
    with transaction.atomic():
        d, rule = opened(Op.PAYMENT_RECEIVED, actor, dossier, expected_version, Context(now=now))
        t = Transition(rule, d, actor, now)
        data = clocking.resume(d, now)
        d.status = Status.PROCESSING
        t.event(
            EventKind.PAYMENT_RECEIVED,
            from_status=Status.AWAITING_PAYMENT,
            to_step=d.step_key,
            data=data,
        )
        return t.commit(expected_version)


@dataclass(frozen=True)
class AssignOutcome:
    """What became of one dossier of a bulk assignment."""

    dossier_id: int
    code: str
    assigned: bool
    message: str = ""


def dossiers_assign_many(
    *,
    actor: User,
    dossier_ids: list[int],
    assignee: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[AssignOutcome]:
    """Phân công hàng loạt: give each chosen dossier to `assignee`, through the same services
    as one dossier at a time (`dossier_assign`; at an assignment step, its forward move with
    `assignee` as the next step's official, the page's "Phân công").

    One transaction per dossier, not all-or-nothing: a leader choosing twenty dossiers from the
    list should not lose nineteen assignments because a colleague took the twentieth meanwhile
    or the official cannot handle its step. Each failure is reported with its reason; each
    success has its history row, audit entry and outbox event like a single assignment. A
    dossier the actor may not see is "not found", as everywhere."""
    from ..lifecycle import allowed

    outcomes: list[AssignOutcome] = []
    seen: set[int] = set()
    for pk in dossier_ids:
        if pk in seen:
            continue
        seen.add(pk)
        d = Dossier.objects.filter(pk=pk).first()
        if d is None or not _may_view(actor, d):
            outcomes.append(AssignOutcome(pk, "", False, _("Dossier not found.")))
            continue
        try:
            step = current_step(d)
            if step.kind == StepKind.ASSIGN and allowed(Op.STEP, actor, d, Context(now=now)):
                dossier_act(
                    actor=actor,
                    dossier=d,
                    expected_version=d.version,
                    action=StepAction.FORWARD,
                    note=note,
                    next_assignee=assignee,
                    now=now,
                )
            else:
                dossier_assign(
                    actor=actor,
                    dossier=d,
                    expected_version=d.version,
                    assignee=assignee,
                    note=note,
                    now=now,
                )
        except DomainError as exc:
            outcomes.append(AssignOutcome(pk, d.code, False, exc.message))
        else:
            outcomes.append(AssignOutcome(pk, d.code, True))
    return outcomes


def _may_view(actor: User, d: Dossier) -> bool:
    from motcua.accounts.authz import can
    from motcua.accounts.constants import Action

    return can(actor, Action.DOSSIER_VIEW, d)
