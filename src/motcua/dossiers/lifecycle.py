"""The dossier lifecycle, written once: for each operation, the states it leaves from and goes
to, who may do it (a permission at one of the dossier's places, eligibility at the current
workflow step, the applicant, a consulted unit), its guards and its effects.

The services call `check` before they change anything and `arrived` before they write; the
pages and the API ask `allowed` (through `selectors.dossier_actions`) which forms to offer. A
rule therefore lives in one place: change the table and every entry point follows.

States are the internal statuses with the supplement request split by phase: at reception the
only endings are acceptance, a supplement or a refusal (Decree 118/2025 art. 15–16); once
accepted, a supplement stops the clock and the dossier may still be stopped, withdrawn or
given an apology letter (DOMAIN-legal-2025.md §3–5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.errors import Conflict, NotAllowed
from motcua.core.workcalendar import TZ
from motcua.organizations.models import Agency
from motcua.workflows.spec import Step
from motcua.workflows.units import is_eligible

from .constants import Channel, Status, SupplementPhase
from .models import Consultation, Dossier
from .process import apology_deadline, current_step, organization_of, unit_scope
from .rules import rule_set_get


class State(models.TextChoices):
    """Where a dossier is in its life: the status, with a supplement request split by phase."""

    NEW = "new", gettext_lazy("Not yet registered")
    SUBMITTED = "submitted", gettext_lazy("Submitted, awaiting reception")
    SUPPLEMENT_AT_RECEPTION = "supplement_reception", gettext_lazy("Supplement asked at reception")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    PROCESSING = "processing", gettext_lazy("Being processed")
    SUPPLEMENT_IN_PROCESSING = (
        "supplement_processing",
        gettext_lazy("Supplement asked during processing"),
    )
    AWAITING_PAYMENT = "awaiting_payment", gettext_lazy("Awaiting the financial obligation")
    DONE = "done", gettext_lazy("Result ready")
    RETURNED = "returned", gettext_lazy("Result returned")
    REFUSED = "refused", gettext_lazy("Refused at reception")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    STOPPED = "stopped", gettext_lazy("Processing stopped")


S = State
STATUS_OF: dict[str, str] = {
    S.SUBMITTED: Status.SUBMITTED,
    S.SUPPLEMENT_AT_RECEPTION: Status.SUPPLEMENT,
    S.ACCEPTED: Status.ACCEPTED,
    S.PROCESSING: Status.PROCESSING,
    S.SUPPLEMENT_IN_PROCESSING: Status.SUPPLEMENT,
    S.AWAITING_PAYMENT: Status.AWAITING_PAYMENT,
    S.DONE: Status.DONE,
    S.RETURNED: Status.RETURNED,
    S.REFUSED: Status.REFUSED,
    S.WITHDRAWN: Status.WITHDRAWN,
    S.STOPPED: Status.STOPPED,
}


def state_of(d: Dossier) -> str:
    if d.pk is None:
        return S.NEW
    if d.status == Status.SUPPLEMENT:
        if d.supplement_phase == SupplementPhase.RECEPTION:
            return S.SUPPLEMENT_AT_RECEPTION
        return S.SUPPLEMENT_IN_PROCESSING
    return d.status


class Op(models.TextChoices):
    """The operations of the lifecycle, one service each."""

    DELIVER = "deliver", gettext_lazy("Deliver an online dossier")
    REGISTER = "register", gettext_lazy("Register a dossier at the desk")
    ACCEPT = "accept", gettext_lazy("Accept")
    REFUSE = "refuse", gettext_lazy("Refuse at reception")
    SUPPLEMENT_REQUEST = "supplement_request", gettext_lazy("Ask for a supplement")
    SUPPLEMENT_RECEIVED = "supplement_received", gettext_lazy("Record the supplement")
    STEP = "step", gettext_lazy("Complete the current step")
    ASSIGN = "assign", gettext_lazy("Assign the current step")
    CONSULT_ANSWER = "consult_answer", gettext_lazy("Give a consulted unit's opinion")
    PAYMENT_REQUEST = "payment_request", gettext_lazy("Ask for the financial obligation")
    PAYMENT_RECEIVED = "payment_received", gettext_lazy("Record the financial obligation")
    APOLOGY = "apology", gettext_lazy("Issue an apology and extension letter")
    RETURN_RESULT = "return_result", gettext_lazy("Return the result")
    WITHDRAW = "withdraw", gettext_lazy("Withdraw at the applicant's request")
    STOP = "stop", gettext_lazy("Stop processing")
    EXTERNAL_REPORT = "external_report", gettext_lazy("Record an external system's report")


# ---------------------------------------------------------------------------------------------
# Who may act


@dataclass(frozen=True)
class Context:
    """What an operation is about besides the dossier: when, which desk (a registration), which
    consultation (an opinion), which agency is at fault (an apology)."""

    now: dt.datetime | None = None
    desk: Agency | None = None
    consultation: Consultation | None = None
    at_fault: Agency | None = None


class Place(models.TextChoices):
    """The agency of the dossier whose grants an operation needs."""

    DESK = "desk", gettext_lazy("the desk registering it")
    RECEIVING = "receiving", gettext_lazy("the receiving desk")
    COMPETENT = "competent", gettext_lazy("the competent agency")
    STEP = "step", gettext_lazy("the unit holding the current step")
    RETURN = "return", gettext_lazy("the desk returning the result")
    AT_FAULT = "at_fault", gettext_lazy("the agency at fault")


def place_of(place: str, d: Dossier, ctx: Context) -> Agency | None:
    if place == Place.DESK:
        return ctx.desk
    if place == Place.RECEIVING:
        return d.receiving_agency
    if place == Place.COMPETENT:
        return d.competent_agency
    if place == Place.STEP:
        return d.step_agency
    if place == Place.RETURN:
        return d.return_agency
    return ctx.at_fault or organization_of(d.step_agency or d.competent_agency)


@dataclass(frozen=True)
class Holds:
    """An official holding `permission` over the dossier's procedure at `place`."""

    permission: str
    place: str

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        agency = place_of(self.place, d, ctx)
        return (
            actor is not None
            and agency is not None
            and can(actor, self.permission, unit_scope(d.procedure, agency))
        )

    def __str__(self) -> str:
        return f"{self.permission} @ {self.place}"


def is_applicant(actor: User | None, d: Dossier | None = None) -> bool:
    """A citizen's or organization's own login; with `d`, the one whose dossier it is (or is
    about to be, for a dossier not yet saved): submitted through that login, or naming as its
    applicant the identity number (an organization's code) the identity provider vouched for
    at that login (`citizens.CitizenAccount`), whatever the channel it came by."""
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.kind in (User.Kind.CITIZEN, User.Kind.ORGANIZATION)
        and (
            d is None or d.pk is None or d.applicant_user_id == actor.pk or _same_identity(actor, d)
        )
    )


def _same_identity(actor: User, d: Dossier) -> bool:
    # The reverse one-to-one of citizens.CitizenAccount (no import: citizens reads dossiers).
    account = getattr(actor, "citizen_account", None)
    return (
        account is not None
        and account.kind == d.applicant_kind
        and bool(account.number)
        and account.number == d.applicant_id_number
    )


@dataclass(frozen=True)
class TheApplicant:
    """The applicant themselves, logged in with their own account."""

    online_only: bool = False

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        if self.online_only and d.channel != Channel.ONLINE:
            return False
        return is_applicant(actor, d)

    def __str__(self) -> str:
        return "applicant"


@dataclass(frozen=True)
class PortalIntake:
    """The national portal's intake identity, for a dossier born there: a re-delivery of a
    dossier waiting for a supplement is the supplement coming back (DOMAIN-integration.md §9.2
    "Duplicates")."""

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        if d.source_key:
            # Handed over by a ministry's or the coordination system (§5): only that system.
            from django.conf import settings

            system = settings.EXTERNAL_SYSTEMS.get(d.source_system)
            if system is None or actor is None or actor.get_username() != system["account"]:
                return False
        return (
            d.channel == Channel.ONLINE
            and bool(d.external_code or d.source_key)
            and Holds(Action.DOSSIER_INTAKE, Place.RECEIVING).allows(actor, d, ctx)
        )

    def __str__(self) -> str:
        return "national portal intake"


def _assignment_allows(actor: User, d: Dossier) -> bool:
    """Unassigned, assigned to `actor`, or `actor` may reassign the step."""
    return (
        d.assignee_id is None
        or d.assignee_id == actor.pk
        or can(actor, Action.DOSSIER_ASSIGN, unit_scope(d.procedure, d.step_agency))
    )


def may_act_at_step(actor: User | None, d: Dossier, step: Step) -> bool:
    """May `actor` complete `step` of `d` now: eligible there (the step's role and permission
    at the step's unit) and the step is unassigned, theirs, or theirs to reassign."""
    return (
        actor is not None
        and d.step_agency is not None
        and is_eligible(actor, step=step, unit=d.step_agency, procedure=d.procedure)
        and _assignment_allows(actor, d)
    )


@dataclass(frozen=True)
class StepActor:
    """An official eligible at the current workflow step (see `may_act_at_step`)."""

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        try:
            step = current_step(d)
        except Conflict:
            return False
        return may_act_at_step(actor, d, step)

    def __str__(self) -> str:
        return "step actor"


@dataclass(frozen=True)
class ConsultedUnit:
    """An official eligible at the consult step in the unit whose opinion is asked."""

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        c = ctx.consultation
        if actor is None or c is None or c.answered_at is not None or c.step_key != d.step_key:
            return False
        try:
            step = current_step(d)
        except Conflict:
            return False
        return is_eligible(actor, step=step, unit=c.unit, procedure=d.procedure)

    def __str__(self) -> str:
        return "consulted unit"


def external_account_of(step: Step) -> str:
    """The user name of the system account a configured external system acts as ("" when the
    step names no configured system)."""
    from django.conf import settings

    system = settings.EXTERNAL_SYSTEMS.get(step.system) if step.system else None
    return system["account"] if system else ""


@dataclass(frozen=True)
class ExternalSystem:
    """The system account of the ministry's or coordination system the current external step
    handed the dossier to (DOMAIN-integration.md §5): it reports progress and completes the step
    with its result. Only that system's account, only while the dossier is at that step; the
    callback's signature (coordination/api.py) is what proves the caller is the system."""

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        from motcua.workflows.constants import StepKind

        if actor is None or actor.kind != User.Kind.SYSTEM:
            return False
        try:
            step = current_step(d)
        except Conflict:
            return False
        account = external_account_of(step) if step.kind == StepKind.EXTERNAL else ""
        return bool(account) and actor.get_username() == account

    def __str__(self) -> str:
        return "external system"


@dataclass(frozen=True)
class PaymentPlatform:
    """The payment platform's system account (settings.PAYMENT_PLATFORM_ACCOUNT): its verified
    confirmation of a payment (motcua.payments, DOMAIN-integration.md §4.3) records the
    obligation as fulfilled. The checksum of the confirmation is what proves the caller."""

    def allows(self, actor: User | None, d: Dossier, ctx: Context) -> bool:
        from django.conf import settings

        return (
            actor is not None
            and actor.kind == User.Kind.SYSTEM
            and actor.get_username() == settings.PAYMENT_PLATFORM_ACCOUNT
        )

    def __str__(self) -> str:
        return "payment platform"


Who = (
    Holds
    | TheApplicant
    | PortalIntake
    | StepActor
    | ConsultedUnit
    | ExternalSystem
    | PaymentPlatform
)

# ---------------------------------------------------------------------------------------------
# Guards: conditions beyond state and person; each returns the refusal, or None


Guard = Callable[[Dossier, Context], Conflict | None]


def supplements_left(d: Dossier, ctx: Context) -> Conflict | None:
    rules = rule_set_get(d.rule_set)
    if d.supplements_in_processing >= rules.max_supplements_in_processing:
        return Conflict(
            _("A supplement has already been requested during processing; %(basis)s allows %(n)d.")
            % {"basis": rules.basis, "n": rules.max_supplements_in_processing},
            code="supplement_limit",
        )
    return None


def extensions_left(d: Dossier, ctx: Context) -> Conflict | None:
    if d.extensions >= d.extensions_allowed:
        return Conflict(
            _(
                "The appointment has already been extended %(n)d time(s); an administrator "
                "must allow another."
            )
            % {"n": d.extensions},
            code="extension_limit",
        )
    return None


def apology_in_time(d: Dossier, ctx: Context) -> Conflict | None:
    latest = apology_deadline(d)
    if latest is None:
        return Conflict(_("The dossier has no appointment to extend."), code="no_appointment")
    if ctx.now is not None and ctx.now > latest:
        return Conflict(
            _(
                "Too late: the letter had to be issued by %(latest)s, one working day "
                "before the appointment."
            )
            % {"latest": latest.astimezone(TZ).strftime("%H:%M %d/%m/%Y")},
            code="apology_too_late",
        )
    return None


# ---------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class Rule:
    op: str
    sources: frozenset[str]
    targets: frozenset[str]
    who: tuple[Who, ...]
    effects: str
    guards: tuple[Guard, ...] = field(default=())


RUNNING = frozenset({S.ACCEPTED, S.PROCESSING})
# Accepted and not finished: the clock exists and may be stopped, withdrawn or extended.
OPEN_AFTER_ACCEPTANCE = RUNNING | {S.SUPPLEMENT_IN_PROCESSING, S.AWAITING_PAYMENT}
DESK = Holds(Action.DOSSIER_RECEIVE, Place.RECEIVING)


def _rule(op, sources, targets, who, effects, guards=()) -> Rule:
    return Rule(op, frozenset(sources), frozenset(targets), tuple(who), effects, tuple(guards))


TABLE: tuple[Rule, ...] = (
    _rule(
        Op.DELIVER,
        {S.NEW},
        {S.SUBMITTED},
        [Holds(Action.DOSSIER_INTAKE, Place.RECEIVING), TheApplicant(online_only=True)],
        "An online dossier arrives (national code 1) at the receiving unit routing finds; a "
        "provisional appointment is shown. Never accepted in the same call.",
    ),
    _rule(
        Op.REGISTER,
        {S.NEW},
        {S.SUBMITTED},
        [Holds(Action.DOSSIER_RECEIVE, Place.DESK)],
        "A dossier brought to a desk is registered; code from the desk's identified unit.",
    ),
    _rule(
        Op.ACCEPT,
        {S.SUBMITTED},
        {S.ACCEPTED, S.DONE},
        [DESK],
        "Receipt with the appointment; the clock starts; the first step after reception opens.",
    ),
    _rule(
        Op.REFUSE,
        {S.SUBMITTED, S.SUPPLEMENT_AT_RECEPTION},
        {S.REFUSED},
        [DESK],
        "Refusal slip with the reasons; closed (national code 3).",
    ),
    _rule(
        Op.SUPPLEMENT_REQUEST,
        {S.SUBMITTED},
        {S.SUPPLEMENT_AT_RECEPTION},
        [DESK],
        "Supplement slip at reception; no clock yet.",
    ),
    _rule(
        Op.SUPPLEMENT_REQUEST,
        RUNNING,
        {S.SUPPLEMENT_IN_PROCESSING},
        [StepActor()],
        "Supplement slip during processing; the clock stops (restart or resume per rule set).",
        [supplements_left],
    ),
    _rule(
        Op.SUPPLEMENT_RECEIVED,
        {S.SUPPLEMENT_AT_RECEPTION},
        {S.SUBMITTED},
        [DESK, TheApplicant(), PortalIntake()],
        "Back to reception with the added papers.",
    ),
    _rule(
        Op.SUPPLEMENT_RECEIVED,
        {S.SUPPLEMENT_IN_PROCESSING},
        {S.PROCESSING},
        [DESK, TheApplicant(), PortalIntake()],
        "The clock restarts in full or resumes; lateness already incurred stays.",
    ),
    _rule(
        Op.STEP,
        RUNNING,
        {S.PROCESSING, S.DONE},
        [StepActor(), ExternalSystem()],
        "The step's action (forward, approve, send back, propose refusal, consult) leads to the "
        "step the definition names; the return step or the end makes the result ready. At an "
        "external step the system's result is the action (granted: forward; refused: refuse).",
    ),
    _rule(
        Op.EXTERNAL_REPORT,
        RUNNING,
        RUNNING,
        [ExternalSystem()],
        "A ministry's or the coordination system's progress report is recorded in the history; "
        "the dossier stays at the external step.",
    ),
    _rule(
        Op.ASSIGN,
        RUNNING,
        RUNNING,
        [Holds(Action.DOSSIER_ASSIGN, Place.STEP)],
        "The current step is given to one eligible official.",
    ),
    _rule(
        Op.CONSULT_ANSWER,
        RUNNING,
        {S.ACCEPTED, S.PROCESSING, S.DONE},
        [ConsultedUnit()],
        "The opinion is recorded; with the last one the step moves on.",
    ),
    _rule(
        Op.PAYMENT_REQUEST,
        RUNNING,
        {S.AWAITING_PAYMENT},
        [StepActor()],
        "The applicant owes a tax or levy: the clock stops (national code 6).",
    ),
    _rule(
        Op.PAYMENT_RECEIVED,
        {S.AWAITING_PAYMENT},
        {S.PROCESSING},
        [StepActor(), DESK, PaymentPlatform()],
        "The obligation is fulfilled: the clock resumes where it stopped.",
    ),
    _rule(
        Op.APOLOGY,
        OPEN_AFTER_ACCEPTANCE,
        OPEN_AFTER_ACCEPTANCE,
        [Holds(Action.DOSSIER_SIGN, Place.AT_FAULT)],
        "Apology and extension letter: the appointment moves, the original one stays.",
        [extensions_left, apology_in_time],
    ),
    _rule(
        Op.RETURN_RESULT,
        {S.DONE},
        {S.RETURNED},
        [Holds(Action.DOSSIER_RECEIVE, Place.RETURN)],
        "The result (or the refusal notice) is handed over (national code 10).",
    ),
    _rule(
        Op.WITHDRAW,
        {S.SUBMITTED, S.SUPPLEMENT_AT_RECEPTION} | OPEN_AFTER_ACCEPTANCE,
        {S.WITHDRAWN},
        [DESK, TheApplicant()],
        "Withdrawn at the applicant's request before a result (national code 7).",
    ),
    _rule(
        Op.STOP,
        OPEN_AFTER_ACCEPTANCE,
        {S.STOPPED},
        [Holds(Action.DOSSIER_APPROVE, Place.COMPETENT)],
        "Stop notice decided by the competent agency's leadership (national code 8).",
    ),
)

_BY_OP: dict[str, tuple[Rule, ...]] = {
    op: tuple(r for r in TABLE if r.op == op) for op in Op.values
}

# Clearer words than "not possible in this status" for the cases people really meet.
_WRONG_STATE: dict[tuple[str, str], tuple[str, object]] = {
    (Op.ACCEPT, S.SUPPLEMENT_AT_RECEPTION): (
        "awaiting_supplement",
        gettext_lazy("Record the supplement the applicant brought before accepting."),
    ),
}


def rule_for(op: str, d: Dossier) -> Rule | None:
    state = state_of(d)
    for rule in _BY_OP[op]:
        if state in rule.sources:
            return rule
    return None


def _who_allows(rule: Rule, actor: User | None, d: Dossier, ctx: Context) -> bool:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return any(w.allows(actor, d, ctx) for w in rule.who)


def check(op: str, actor: User | None, d: Dossier, ctx: Context | None = None) -> Rule:
    """The rule that lets `actor` do `op` to `d` now; otherwise the refusal, raised: a wrong
    state (409), a person without the right (403), or a failed guard (409)."""
    ctx = ctx or Context()
    rule = rule_for(op, d)
    if rule is None:
        state = state_of(d)
        special = _WRONG_STATE.get((op, state))
        if special is not None:
            raise Conflict(str(special[1]), code=special[0])
        raise Conflict(
            _("%(what)s is not possible: the dossier is “%(status)s”.")
            % {"what": Op(op).label, "status": State(state).label},
            code="wrong_status",
        )
    if not _who_allows(rule, actor, d, ctx):
        raise NotAllowed(_("You do not have permission for this action."))
    for guard in rule.guards:
        refusal = guard(d, ctx)
        if refusal is not None:
            raise refusal
    return rule


def allowed(op: str, actor: User | None, d: Dossier, ctx: Context | None = None) -> bool:
    """Would `check` let `actor` do `op` now? (For the pages: offer only what will work.)"""
    try:
        check(op, actor, d, ctx)
    except (Conflict, NotAllowed):
        return False
    return True


def arrived(rule: Rule, d: Dossier) -> None:
    """The state an operation left the dossier in must be one its rule goes to."""
    state = state_of(d) if d.pk is not None else S.SUBMITTED
    if state not in rule.targets:
        raise AssertionError(
            f"{rule.op} took dossier {d.code} to {state}, outside its rule {sorted(rule.targets)}"
        )
