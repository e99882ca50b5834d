"""Reads of dossiers: permission-aware lists and look-ups, and the public tracking answer."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.authz import agencies_where, can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.keyset import Keyset
from motcua.core.textnorm import fold
from motcua.organizations.models import Agency

from .constants import NATIONAL_CODE, NATIONAL_STATUS_NAMES, TERMINAL, Status
from .models import OPEN_ROWS, Dossier, DossierEvent, DueWarning

_RELATED = (
    "procedure",
    "procedure_version__field",
    "definition",
    "receiving_agency",
    "competent_agency",
    "return_agency",
    "step_agency",
    "assignee",
)

# The procedure version's whole content document is large and rarely needed with a dossier.
_HEAVY = ("procedure_version__document", "definition__document")


def visible_agency_ids(user: User, action: str = Action.DOSSIER_VIEW) -> list[int] | None:
    """The ids of the agencies where `user` may do `action` (None: every agency, for a
    superuser). Evaluated once, so list queries carry literal ids the planner can match against
    the indexes, instead of a subquery over the agency tree in every row's condition."""
    if user.is_superuser:
        return None
    ids = sorted(agencies_where(user, action).values_list("pk", flat=True))
    # A province-wide grant covers every agency: every dossier has a competent agency, so the
    # condition holds for every row and is dropped (thousands of literal ids in three IN lists
    # would only make the planner's work harder).
    if ids and len(ids) == Agency.objects.count():
        return None
    return ids


def _visible(qs: QuerySet[Dossier], ids: list[int] | None) -> QuerySet[Dossier]:
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    return qs.filter(
        Q(receiving_agency_id__in=ids) | Q(competent_agency_id__in=ids) | Q(step_agency_id__in=ids)
    )


def dossiers_visible(user: User) -> QuerySet[Dossier]:
    """Dossiers the official may see: received at, settled by or held by an agency where they
    hold `dossier.view` (grants narrowed to a field or procedure are checked per dossier)."""
    qs = Dossier.objects.select_related(*_RELATED).defer(*_HEAVY)
    return _visible(qs, visible_agency_ids(user))


# The lists show open dossiers; closed ones (refused, withdrawn, stopped, returned) only for a
# period of reception, at most a year: ten million closed dossiers are never listed whole.
OPEN = OPEN_ROWS
CLOSED_DEFAULT_DAYS = 30
CLOSED_MAX_DAYS = 366
# The order of each list, which its keyset pagination and its indexes follow.
OPEN_ORDER = Keyset("step_due_at")
CLOSED_ORDER = Keyset("submitted_at", descending=True)


@dataclass(frozen=True)
class Period:
    """Local days `start` to `end` inclusive, as the half-open range of moments they cover."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        from motcua.core.workcalendar import TZ

        return dt.datetime.combine(self.start, dt.time.min, tzinfo=TZ)

    @property
    def until(self) -> dt.datetime:
        from motcua.core.workcalendar import TZ

        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)


def closed_period(start: dt.date | None, end: dt.date | None, *, today: dt.date) -> Period:
    """The period of reception a list of closed dossiers covers: the given days, by default
    the last `CLOSED_DEFAULT_DAYS`; at most `CLOSED_MAX_DAYS` days."""
    end = end or today
    start = start or end - dt.timedelta(days=CLOSED_DEFAULT_DAYS - 1)
    if end < start:
        message = _("The end of the period is before its start.")
        raise InvalidInput(message, errors={"den_ngay": [message]})
    if (end - start).days >= CLOSED_MAX_DAYS:
        message = _("Choose a period of at most a year.")
        raise InvalidInput(message, errors={"tu_ngay": [message]})
    return Period(start, end)


def dossiers_list(
    *,
    user: User,
    status: str | None = None,
    agency_id: int | None = None,
    mine: bool = False,
    query: str = "",
    closed: bool = False,
    period: Period | None = None,
    include_sandbox: bool = False,
) -> QuerySet[Dossier]:
    """What an official's list holds: open dossiers, or with `closed` (or a closed status) the
    closed ones received in `period` (`closed_period`); within what the user may see, narrowed
    by the filters. The order is `list_order(closed)`.

    Every filter is a condition on one indexed column (the open-dossier partial indexes, or
    the desk/agency and reception time for closed ones); visibility is literal agency ids."""
    from django.utils import timezone

    closed = closed or status in TERMINAL
    qs = dossiers_visible(user)
    if closed:
        period = period or closed_period(None, None, today=timezone.localdate())
        qs = qs.filter(
            status__in=sorted(TERMINAL),
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        )
        if not include_sandbox:
            qs = qs.filter(is_sandbox=False)
    elif include_sandbox:
        qs = qs.exclude(status__in=sorted(TERMINAL))
    else:
        qs = qs.filter(OPEN)
    if status:
        qs = qs.filter(status=status)
    if agency_id:
        qs = qs.filter(Q(step_agency_id=agency_id) | Q(competent_agency_id=agency_id))
    if mine:
        qs = qs.filter(_mine(user))
    if query:
        qs = _search(qs, query.strip())
    order = list_order(closed)
    direction = "-" if order.descending else ""
    return qs.order_by(f"{direction}{order.column}", f"{direction}pk")


def list_order(closed: bool) -> Keyset:
    return CLOSED_ORDER if closed else OPEN_ORDER


def _search(qs: QuerySet[Dossier], query: str) -> QuerySet[Dossier]:
    """An exact dossier code (any letter case) or identity/tax number first, through their
    unique and btree indexes; otherwise every word of the folded query in the folded code and
    name (`search_folded`, a trigram index on PostgreSQL). Never an OR across columns, which
    no index answers."""
    if "-" in query and " " not in query:
        by_code = qs.filter(code=query.upper())
        if by_code.exists():
            return by_code
    if query.isascii() and query.replace("-", "").isdigit():
        by_number = qs.filter(applicant_id_number=query)
        if by_number.exists():
            return by_number
    words = fold(query).split()
    if not words:
        return qs.none()
    for word in words:
        qs = qs.filter(search_folded__contains=word)
    return qs


def dossier_get(*, user: User, pk: int | None = None, code: str | None = None) -> Dossier:
    """One dossier the user may see; "not found" for one they may not (STYLE rule 3)."""
    qs = Dossier.objects.select_related(*_RELATED).defer(*_HEAVY)
    d = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if d is None or not can(user, Action.DOSSIER_VIEW, d):
        raise NotFound(_("Dossier not found."))
    return d


def dossier_load(pk: int) -> Dossier:
    """A dossier with what its API representation needs (no permission check: callers')."""
    return Dossier.objects.select_related(*_RELATED).defer(*_HEAVY).get(pk=pk)


def dossier_history(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "from_agency", "to_agency", "to_user").order_by(
        "seq"
    )


def warnings_for(user: User, *, unseen_only: bool = True) -> QuerySet[DueWarning]:
    """The due warnings addressed to `user`, the most urgent first (their own inbox)."""
    qs = DueWarning.objects.filter(recipient=user, dossier__is_sandbox=False)
    if unseen_only:
        qs = qs.filter(seen_at__isnull=True)
    return qs.select_related("dossier__procedure").order_by("target_at", "pk")


def status_mapping() -> list[dict]:
    """The mapping the province sees: our statuses → the national portal's codes."""
    return [
        {
            "status": status.value,
            "label": str(status.label),
            "national_code": NATIONAL_CODE[status],
            "national_name": NATIONAL_STATUS_NAMES[NATIONAL_CODE[status]],
        }
        for status in Status
    ]


@dataclass(frozen=True)
class TrackingStep:
    at: dt.datetime
    status_name: str
    agency: str


@dataclass(frozen=True)
class Tracking:
    """What the public may know about a dossier: no names of officials, no personal data."""

    code: str
    procedure: str
    status_code: int
    status_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    held_by: str
    return_place: str
    steps: list[TrackingStep]


def public_steps(rows: Iterable[tuple[dt.datetime, int, str | None]]) -> list[TrackingStep]:
    """The history as the applicant may see it, from (time, national status code, agency name)
    rows in order: the national status and the agency only — never who acted, nor any note —
    and consecutive rows of one status at one agency shown once (public tracking, "Hồ sơ của
    tôi")."""
    steps: list[TrackingStep] = []
    for at, code, agency_name in rows:
        status_name, agency_name = NATIONAL_STATUS_NAMES[code], agency_name or ""
        if steps and steps[-1].status_name == status_name and steps[-1].agency == agency_name:
            continue
        steps.append(TrackingStep(at, status_name, agency_name))
    return steps


def _matches(given: str, id_number: str, phone: str) -> bool:
    """Whether the second factor (already normalised) is the applicant's identity number or
    phone, compared in constant time."""
    if not given:
        return False
    return any(hmac.compare_digest(given.encode(), c.encode()) for c in (id_number, phone) if c)


def dossier_track(code: str, factor: str) -> Tracking:
    """The public answer for a code and a second factor (the applicant's phone or identity
    number). A wrong factor and an unknown code get the same "not found".

    The public look-up is the busiest read of the portal, so it is one short query: the dossier
    by its unique code and second factor, joined to the names shown and to its history through
    the (dossier, seq) index. It is written in SQL because compiling the same request through
    the ORM costs several times more CPU than running it. A wrong factor matches no row, exactly
    like an unknown code; the factor is compared again in constant time on the row found."""
    from django.db import connection

    factor = factor.strip()
    given = factor if factor.isdigit() and len(factor) == 12 else normalize_phone(factor)
    rows: list[tuple] = []
    if given:
        q = connection.ops.quote_name
        dossier, event = q(Dossier._meta.db_table), q(DossierEvent._meta.db_table)
        version = q(Dossier._meta.get_field("procedure_version").related_model._meta.db_table)
        agency = q(Dossier._meta.get_field("step_agency").related_model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                # Table names come from the models; every value is a parameter.
                "SELECT d.code, d.national_status, d.received_at, d.due_at, d.finished_at, "  # noqa: S608
                "d.returned_at, d.applicant_id_number, d.applicant_phone, v.name, s.name, "
                "r.name, e.at, e.national_status, ea.name "
                f"FROM {dossier} d "
                f"JOIN {version} v ON v.id = d.procedure_version_id "
                f"JOIN {agency} r ON r.id = d.return_agency_id "
                f"LEFT JOIN {agency} s ON s.id = d.step_agency_id "
                f"LEFT JOIN {event} e ON e.dossier_id = d.id "
                f"LEFT JOIN {agency} ea ON ea.id = e.to_agency_id "
                "WHERE d.code = %s AND d.is_sandbox = %s "
                "AND (d.applicant_id_number = %s OR d.applicant_phone = %s) "
                "ORDER BY e.seq",
                [code.strip(), False, given, given],
            )
            rows = cursor.fetchall()
    if not rows or not _matches(given, rows[0][6], rows[0][7]):
        raise NotFound(_("No dossier matches this code and phone or identity number."))

    def aware(value: dt.datetime | None) -> dt.datetime | None:
        # SQLite gives naive UTC datetimes to a plain cursor; PostgreSQL gives aware ones.
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value

    first = rows[0]
    # No history row: the outer join found none.
    steps = public_steps(
        (aware(at), code_, name) for *_d, at, code_, name in rows if at is not None
    )
    return Tracking(
        code=first[0],
        procedure=first[8],
        status_code=first[1],
        status_name=NATIONAL_STATUS_NAMES[first[1]],
        received_at=aware(first[2]),
        due_at=aware(first[3]),
        finished_at=aware(first[4]),
        returned_at=aware(first[5]),
        held_by=first[9] or "",
        return_place=first[10],
        steps=steps,
    )


# ---------------------------------------------------------------------------------------------
# The officials' pages (views.py): their worklist, a dossier's workflow, forms and actions.
#
# `dossier_actions` answers which action forms the dossier page offers the user now, from the
# lifecycle table the services enforce; the service called on submit still decides, so a form
# shown a moment too early only gets its clear "not possible" message.

# Grants that put work on an official's desk (for "my work").
_WORK_ACTIONS = (
    Action.DOSSIER_RECEIVE,
    Action.DOSSIER_PROCESS,
    Action.DOSSIER_ASSIGN,
    Action.DOSSIER_APPROVE,
    Action.DOSSIER_SIGN,
)
# A step deadline this close is marked "near" on the list.
NEAR_DUE = dt.timedelta(hours=24)


def _mine(user: User) -> Q:
    """The user's work: dossiers assigned to them, and open dossiers waiting unassigned at a
    unit where they receive, process, assign, approve or sign."""
    units: set[int] = set()
    everywhere = False
    for action in _WORK_ACTIONS:
        ids = visible_agency_ids(user, action)
        if ids is None:  # every agency
            everywhere = True
            break
        units.update(ids)
    waiting = Q(assignee__isnull=True) & OPEN
    if not everywhere:
        waiting &= Q(step_agency_id__in=sorted(units))
    return Q(assignee=user) | waiting


def dossiers_worklist(
    *,
    user: User,
    status: str | None = None,
    mine: bool = False,
    query: str = "",
    closed: bool = False,
    period: Period | None = None,
) -> QuerySet[Dossier]:
    """The officials' list page: `dossiers_list`, open dossiers soonest step deadline first
    (closed ones latest received first)."""
    return dossiers_list(
        user=user, status=status, mine=mine, query=query, closed=closed, period=period
    )


def deadline_state(dossier: Dossier, now: dt.datetime) -> str:
    """The state of an open dossier's step deadline: "late", "near" (`NEAR_DUE`) or ""."""
    from .constants import TERMINAL

    due = dossier.step_due_at
    if due is None or dossier.status in TERMINAL:
        return ""
    if now > due:
        return "late"
    if due - now <= NEAR_DUE:
        return "near"
    return ""


def dossier_spec(dossier: Dossier):
    """The workflow the dossier follows: its definition, or the built-in default process."""
    from .process import spec_of

    return spec_of(dossier)


def dossier_unit_labels(dossier: Dossier, spec) -> dict[str, str]:
    """Names of the units a diagram of `spec` shows, for this dossier (`diagram.unit_key`)."""
    from motcua.organizations.models import Agency
    from motcua.workflows.diagram import unit_key

    labels = {
        "competent_agency": dossier.competent_agency.name,
        "receiving_desk": dossier.receiving_agency.name,
    }
    refs = [s.unit for s in spec.steps] + [u for s in spec.steps for u in s.consult_units]
    ids = {r.agency_id for r in refs if r.agency_id is not None}
    codes = {r.agency_code for r in refs if r.agency_id is None and r.agency_code}
    if ids or codes:
        found = Agency.objects.filter(Q(pk__in=ids) | Q(code__in=codes)).only("pk", "code", "name")
        for agency in found:
            labels[f"agency:{agency.pk}"] = agency.name
            if agency.code:
                labels[f"code:{agency.code}"] = agency.name
    for ref in refs:
        labels.setdefault(unit_key(ref), ref.agency_name or unit_key(ref))
    return labels


def dossier_components(dossier: Dossier) -> QuerySet:
    return dossier.components.order_by("order", "pk")


def dossier_forms(dossier: Dossier, events: list[DossierEvent]) -> list[str]:
    """The printed forms (documents.BUILDERS keys) that apply to the dossier now."""
    from .constants import EventKind

    kinds = {e.kind for e in events}
    keys = []
    if dossier.received_at is not None:
        keys.append("receipt")
    if EventKind.SUPPLEMENT_REQUEST in kinds:
        keys.append("supplement")
    if EventKind.REFUSE in kinds:
        keys.append("refusal")
    if EventKind.APOLOGY in kinds:
        keys.append("apology")
    if EventKind.STOP in kinds:
        keys.append("stop")
    if dossier.received_at is not None:
        keys.append("control_sheet")
    return keys


def receiving_desks(user: User):
    """The desks (service centres, one-stop units, counters) where the user may receive."""
    from motcua.organizations.models import RECEIVING_KINDS

    return (
        agencies_where(user, Action.DOSSIER_RECEIVE)
        .filter(kind__in=RECEIVING_KINDS, is_active=True)
        .select_related("province")
        .order_by("province_id", "path")
    )


def consultation_open_get(*, dossier: Dossier, pk: int):
    """An unanswered consultation of the dossier, or "not found"."""
    from .models import Consultation

    found = (
        Consultation.objects.select_related("unit")
        .filter(pk=pk, dossier=dossier, answered_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound(_("This opinion has already been given or is no longer asked."))
    return found


@dataclass(frozen=True)
class StepMove:
    """One way to complete the current step: the action, and the step it leads to."""

    action: str
    label: str
    next_key: str | None
    next_name: str
    candidates: tuple[User, ...] = ()


@dataclass(frozen=True)
class DossierActions:
    """What the user may do to the dossier now (each flag is one action form)."""

    accept: bool = False
    refuse: bool = False
    supplement_request: bool = False
    supplement_received: bool = False
    moves: tuple[StepMove, ...] = ()
    assign: tuple[User, ...] | None = None
    consultations: tuple = ()
    payment_request: bool = False
    payment_received: bool = False
    return_result: bool = False
    withdraw: bool = False
    stop: bool = False
    apology: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.accept
            or self.refuse
            or self.supplement_request
            or self.supplement_received
            or self.moves
            or self.assign is not None
            or self.consultations
            or self.payment_request
            or self.payment_received
            or self.return_result
            or self.withdraw
            or self.stop
            or self.apology
        )


def dossier_actions(
    *, user: User, dossier: Dossier, spec=None, now: dt.datetime | None = None
) -> DossierActions:
    """The action forms the dossier page offers `user` now: exactly the operations the
    lifecycle table (`lifecycle.py`) lets them do, the table the services enforce."""
    from django.utils import timezone

    from motcua.workflows.constants import StepAction
    from motcua.workflows.units import officials_eligible, unit_resolve

    from .lifecycle import Context, Op, allowed
    from .models import Consultation

    d = dossier
    now = now or timezone.now()
    ctx = Context(now=now)

    def may(op: str) -> bool:
        return allowed(op, user, d, ctx)

    spec = spec if spec is not None else dossier_spec(d)
    step = None
    if d.step_key and d.status in (Status.ACCEPTED, Status.PROCESSING):
        try:
            step = spec.step(d.step_key)
        except KeyError:
            step = None

    moves: list[StepMove] = []
    if step is not None and may(Op.STEP):
        names = {s.key: s.name for s in spec.steps}
        for transition in step.transitions:
            candidates: tuple[User, ...] = ()
            if transition.next is not None:
                nxt = spec.step(transition.next)
                unit = unit_resolve(
                    nxt.unit, competent=d.competent_agency, receiving_desk=d.receiving_agency
                )
                if unit is not None:
                    candidates = tuple(
                        officials_eligible(step=nxt, unit=unit, procedure=d.procedure)
                    )
            moves.append(
                StepMove(
                    action=str(transition.action),
                    label=str(StepAction(transition.action).label),
                    next_key=transition.next,
                    next_name=names.get(transition.next, "") if transition.next else "",
                    candidates=candidates,
                )
            )

    assign = None
    if step is not None and may(Op.ASSIGN):
        assign = tuple(officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure))

    consultations: tuple = ()
    if step is not None:
        open_ = Consultation.objects.filter(
            dossier=d, step_key=step.key, answered_at__isnull=True, cancelled_at__isnull=True
        ).select_related("unit")
        consultations = tuple(
            c
            for c in open_
            if allowed(Op.CONSULT_ANSWER, user, d, Context(now=now, consultation=c))
        )

    return DossierActions(
        accept=may(Op.ACCEPT),
        refuse=may(Op.REFUSE),
        supplement_request=may(Op.SUPPLEMENT_REQUEST),
        supplement_received=may(Op.SUPPLEMENT_RECEIVED),
        moves=tuple(moves),
        assign=assign,
        consultations=consultations,
        payment_request=may(Op.PAYMENT_REQUEST),
        payment_received=may(Op.PAYMENT_RECEIVED),
        return_result=may(Op.RETURN_RESULT),
        withdraw=may(Op.WITHDRAW),
        stop=may(Op.STOP),
        apology=may(Op.APOLOGY),
    )


def ledger_dossiers(*, desk, start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Sổ theo dõi hồ sơ: the dossiers a desk received from local day `start` to `end`
    inclusive, in order. A half-open range of moments on `submitted_at` (local midnight to
    local midnight, Asia/Ho_Chi_Minh), never a cast of the column to a date, so the
    (receiving agency, submitted at) index answers it."""
    period = Period(start, end)
    return (
        Dossier.objects.filter(
            receiving_agency=desk,
            is_sandbox=False,
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        )
        .select_related("procedure_version", "competent_agency")
        .prefetch_related("events")
        .order_by("submitted_at", "pk")
    )
