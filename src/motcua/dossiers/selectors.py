"""Reads of dossiers: permission-aware lists and look-ups, and the public tracking answer."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motcua.accounts.authz import agencies_where, can, has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.keyset import Keyset
from motcua.core.textnorm import fold
from motcua.organizations.models import Agency

from .constants import (
    CLOCK_RUNNING,
    NATIONAL_CODE,
    NATIONAL_STATUS_NAMES,
    TERMINAL,
    EventKind,
    Status,
)
from .deadlines import Deadlines, appointment_state, near_from, step_state, warning_words
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
    from motcua.accounts.authz import _active_grants

    # Kept with the grants on the user object for the request (`authz._active_grants`): a
    # page asks several times (its list, the desk's tabs and counts).
    grants = _active_grants(user)
    kept = getattr(user, "_motcua_visible_ids", None)
    if kept is None or kept[0] is not grants:
        kept = (grants, {})
        user._motcua_visible_ids = kept
    if action not in kept[1]:
        kept[1][action] = _visible_ids(user, action)
    return kept[1][action]


def _visible_ids(user: User, action: str) -> list[int] | None:
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
    tab: str = "",
    filters: Filters | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """What an official's list holds: open dossiers, or with `closed` (or a closed status) the
    closed ones received in `period` (`closed_period`); within what the user may see, narrowed
    by the desk's `tab` (`DESK_TABS`, open dossiers only) and the `filters`. The order is
    `list_order(closed)`.

    Every filter is a condition on one indexed column (the open-dossier partial indexes, or
    the desk/agency and reception time for closed ones); visibility is literal agency ids."""
    from django.utils import timezone

    now = now or timezone.now()
    if tab:
        closed = False

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
    if tab:
        qs = qs.filter(desk_scope(user).condition(tab, user, now))
    if filters is not None:
        qs = filters.apply(qs, now)
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


@dataclass(frozen=True)
class WarningRow:
    """A due warning as the desk shows it: its words for the case it is read in."""

    warning: DueWarning
    words: str


def warnings_read(user: User, *, now: dt.datetime, limit: int) -> list[WarningRow]:
    """The most urgent unread warnings of `user`, each with `deadlines.warning_words`."""
    return [
        WarningRow(w, warning_words(w.kind, w.target_at, now)) for w in warnings_for(user)[:limit]
    ]


def procedure_id_by_code(code: str) -> int | None:
    """The worklist's procedure filter: a procedure code (any letter case) to its id."""
    from motcua.catalog.models import Procedure

    found = Procedure.objects.filter(code__iexact=code.strip()).values_list("pk", flat=True)
    return next(iter(found), None)


def field_procedure_ids(field_id: int) -> list[int]:
    """The procedures of a field (lĩnh vực), for the worklist's field filter."""
    from motcua.catalog.models import Procedure

    return sorted(Procedure.objects.filter(field_id=field_id).values_list("pk", flat=True))


def field_choices() -> list[tuple[int, str]]:
    """The fields (lĩnh vực) of the worklist's filter, by name."""
    from motcua.catalog.models import Field

    return list(Field.objects.order_by("name").values_list("pk", "name"))


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
    # While a supplement is asked for (national status 5): what the applicant must add or
    # correct, and why, as the request said it (the form's Mẫu 02 items).
    missing: list[str] = field(default_factory=list)
    missing_reason: str = ""


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
    missing, reason = [], ""
    if first[1] == NATIONAL_CODE[Status.SUPPLEMENT]:
        missing, reason = _supplement_asked(first[0])
    return Tracking(
        code=first[0],
        procedure=first[8],
        status_code=first[1],
        status_name=NATIONAL_STATUS_NAMES[first[1]],
        received_at=aware(first[2]),
        # An appointment exists once the dossier is accepted (Mẫu 01), not before.
        due_at=aware(first[3]) if first[2] is not None else None,
        finished_at=aware(first[4]),
        returned_at=aware(first[5]),
        held_by=first[9] or "",
        return_place=first[10],
        steps=steps,
        missing=missing,
        missing_reason=reason,
    )


def _supplement_asked(code: str) -> tuple[list[str], str]:
    """The latest supplement request's items and reason (one more query, only while a
    supplement is asked for)."""
    event = (
        DossierEvent.objects.filter(dossier__code=code, kind=EventKind.SUPPLEMENT_REQUEST)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    if not event:
        return [], ""
    items = event.get("items") or []
    return [str(i) for i in items if i], str(event.get("reason") or "")


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


def _mine(user: User) -> Q:
    """The user's work: dossiers assigned to them, and open dossiers waiting unassigned at a
    unit where they receive, process, assign, approve or sign."""
    return desk_scope(user).mine(user)


def _at(column: str, ids: list[int] | None) -> Q:
    """`column` is one of `ids` (None: any agency; []: none)."""
    if ids is None:
        return Q()
    if not ids:
        return Q(pk__in=[])
    return Q(**{f"{column}__in": ids})


@dataclass(frozen=True)
class DeskScope:
    """Where an official works, over every grant they hold (concurrent posts in one desk): the
    agency ids per kind of work, None for every agency (`visible_agency_ids`)."""

    receive: list[int] | None
    assign: list[int] | None
    work: list[int] | None

    def mine(self, user: User) -> Q:
        return Q(assignee=user) | (
            Q(assignee__isnull=True) & OPEN & _at("step_agency_id", self.work)
        )

    def held(self, user: User) -> Q:
        """At a unit where they work, or assigned to them (the deadline tabs' scope). Working
        at every agency is every dossier: `Q(…) | Q()` would be the left side alone."""
        if self.work is None:
            return Q()
        return Q(assignee=user) | _at("step_agency_id", self.work)

    def tabs(self) -> tuple[str, ...]:
        """The desk's tabs this official has, in their order on the page."""
        shown = []
        for key in DESK_TABS:
            if key in (TAB_TO_RECEIVE, TAB_TO_RETURN) and self.receive == []:
                continue
            if key == TAB_TO_ASSIGN and self.assign == []:
                continue
            shown.append(key)
        return tuple(shown)

    def condition(self, tab: str, user: User, now: dt.datetime) -> Q:
        """The rows of one tab, within the open dossiers; an unknown tab is "my work". Each is
        a range of one of the open-dossier partial indexes (desk, step unit, assignee, each by
        step deadline or by the moment it becomes near)."""
        if tab == TAB_TO_RECEIVE:
            return Q(status=Status.SUBMITTED) & _at("receiving_agency_id", self.receive)
        if tab == TAB_TO_ASSIGN:
            return Q(assignee__isnull=True, status__in=sorted(CLOCK_RUNNING)) & _at(
                "step_agency_id", self.assign
            )
        if tab == TAB_NEAR:
            return self.held(user) & Q(step_near_at__lte=now, step_due_at__gte=now)
        if tab == TAB_LATE:
            return self.held(user) & Q(step_due_at__lt=now)
        if tab == TAB_TO_RETURN:
            return Q(status=Status.DONE) & _at("step_agency_id", self.receive)
        return self.mine(user)


# The desk's tabs (bàn làm việc), in order; "my work" is the default.
TAB_TO_RECEIVE, TAB_MINE, TAB_TO_ASSIGN = "to_receive", "mine", "to_assign"
TAB_NEAR, TAB_LATE, TAB_TO_RETURN = "near", "late", "to_return"
DESK_TABS = (TAB_TO_RECEIVE, TAB_MINE, TAB_TO_ASSIGN, TAB_NEAR, TAB_LATE, TAB_TO_RETURN)
TAB_LABELS = {
    TAB_TO_RECEIVE: gettext_lazy("Awaiting reception"),
    TAB_MINE: gettext_lazy("My work"),
    TAB_TO_ASSIGN: gettext_lazy("Awaiting assignment"),
    TAB_NEAR: gettext_lazy("Due soon"),
    TAB_LATE: gettext_lazy("Overdue"),
    TAB_TO_RETURN: gettext_lazy("Result to return"),
}


def desk_scope(user: User) -> DeskScope:
    """The agencies where `user` receives, assigns, and works at all (`_WORK_ACTIONS`); kept
    on the user object for the rest of the request (a page asks for it several times)."""
    from motcua.accounts.authz import _active_grants

    if user.is_superuser or not user.is_authenticated:
        return _desk_scope(user)
    # Tied to the grants kept on the user object (`authz._active_grants`): when they are
    # forgotten (`forget_grants`), the scope is computed again.
    grants = _active_grants(user)
    cached = getattr(user, "_motcua_desk_scope", None)
    if cached is None or cached[0] is not grants:
        cached = (grants, _desk_scope(user))
        user._motcua_desk_scope = cached
    return cached[1]


def _desk_scope(user: User) -> DeskScope:
    work: set[int] = set()
    everywhere = False
    per_action: dict[str, list[int] | None] = {}
    for action in _WORK_ACTIONS:
        ids = per_action[action] = visible_agency_ids(user, action)
        if ids is None:
            everywhere = True
        else:
            work.update(ids)
    return DeskScope(
        receive=per_action[Action.DOSSIER_RECEIVE],
        assign=per_action[Action.DOSSIER_ASSIGN],
        work=None if everywhere else sorted(work),
    )


@dataclass(frozen=True)
class TabCount:
    key: str
    label: str
    count: int
    capped: bool


def desk_tabs(*, user: User, now: dt.datetime | None = None, cap: int = 1000) -> list[TabCount]:
    """The desk's tabs with their live counts, each capped at `cap` (then "more than"): one
    short query per tab, over the open-dossier partial indexes."""
    from django.utils import timezone

    from motcua.core.keyset import capped_count

    now = now or timezone.now()
    scope = desk_scope(user)
    visible = dossiers_visible(user).filter(OPEN).order_by()
    tabs = []
    for key in scope.tabs():
        count, capped = capped_count(visible.filter(scope.condition(key, user, now)), cap)
        tabs.append(TabCount(key, str(TAB_LABELS[key]), count, capped))
    return tabs


@dataclass(frozen=True)
class Filters:
    """The worklist's filters (each optional): status is `dossiers_list`'s own."""

    procedure_id: int | None = None
    field_id: int | None = None
    channel: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    overdue: bool = False

    def __post_init__(self) -> None:
        for start, end, name in (
            (self.received_from, self.received_to, "nhan_den"),
            (self.due_from, self.due_to, "hen_den"),
        ):
            if start and end and end < start:
                message = _("The end of the period is before its start.")
                raise InvalidInput(message, errors={name: [message]})

    @property
    def any(self) -> bool:
        return any(
            (
                self.procedure_id,
                self.field_id,
                self.channel,
                self.received_from,
                self.received_to,
                self.due_from,
                self.due_to,
                self.overdue,
            )
        )

    def apply(self, qs: QuerySet[Dossier], now: dt.datetime) -> QuerySet[Dossier]:
        if self.procedure_id:
            qs = qs.filter(procedure_id=self.procedure_id)
        if self.field_id:
            # The field's procedures as literal ids (a field holds tens of them): the
            # procedure's index answers, where a join to the catalogue made the planner walk
            # the list's whole order; a procedure of another field matches nothing, unread.
            ids = field_procedure_ids(self.field_id)
            if self.procedure_id:
                ids = [pk for pk in ids if pk == self.procedure_id]
            qs = qs.filter(procedure_id__in=ids) if ids else qs.none()
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.received_from:
            qs = qs.filter(received_at__gte=Period(self.received_from, self.received_from).since)
        if self.received_to:
            qs = qs.filter(received_at__lt=Period(self.received_to, self.received_to).until)
        if self.due_from:
            qs = qs.filter(due_at__gte=Period(self.due_from, self.due_from).since)
        if self.due_to:
            qs = qs.filter(due_at__lt=Period(self.due_to, self.due_to).until)
        if self.overdue:
            qs = qs.filter(step_due_at__lt=now)
        return qs


def dossiers_worklist(
    *,
    user: User,
    status: str | None = None,
    mine: bool = False,
    query: str = "",
    closed: bool = False,
    period: Period | None = None,
    tab: str = "",
    filters: Filters | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """The officials' desk: `dossiers_list`, open dossiers soonest step deadline first
    (closed ones latest received first)."""
    return dossiers_list(
        user=user,
        status=status,
        mine=mine,
        query=query,
        closed=closed,
        period=period,
        tab=tab,
        filters=filters,
        now=now,
    )


def deadlines_of(dossier: Dossier, now: dt.datetime) -> Deadlines:
    """What the desk says about an open dossier's step deadline and appointment, by the one
    rule of `deadlines.py` (the due-warning scan's too). The appointment is judged while the
    processing clock runs (a paused clock's appointment is moved when it resumes)."""
    from .process import appointment_near_at

    d = dossier
    if d.status in TERMINAL:
        return Deadlines()
    step_near = d.step_near_at or near_from(d.step_started_at, d.step_due_at)
    step = step_state(step_near, d.step_due_at, now)
    appointment = ""
    if d.status in CLOCK_RUNNING and d.due_at is not None:
        near = d.due_near_at or appointment_near_at(d)
        appointment = appointment_state(near, d.due_at, now)
    return Deadlines(step=step, appointment=appointment)


def dossier_source(dossier: Dossier) -> tuple[str, str]:
    """Which system handed the dossier to the province and its key there, for people: the
    national portal (its dossier code) or a ministry's system / the coordination system (its
    configured label, its AcceptKey); ("", "") for a dossier born at a desk."""
    d = dossier
    if d.source_system:
        system = settings.EXTERNAL_SYSTEMS.get(d.source_system) or {}
        return system.get("label") or d.source_system, d.source_key
    if d.external_code:
        return _("National Public Service Portal"), d.external_code
    return "", ""


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


def ledger_agencies(user: User) -> list[Agency]:
    """The agencies whose tracking book `user` may ask for (`ledger.ledger_permit`): the desks
    where they receive, and the desks and competent agencies (not internal units) whose reports
    they read, in the tree's order."""
    from motcua.organizations.models import AgencyKind

    found = {a.pk: a for a in receiving_desks(user)}
    if has_any(user, {Action.REPORT_VIEW}):
        read = (
            agencies_where(user, Action.REPORT_VIEW)
            .filter(is_active=True)
            .exclude(kind=AgencyKind.UNIT)
            .select_related("province")
        )
        found.update((a.pk, a) for a in read)
    return sorted(found.values(), key=lambda a: (a.province_id, a.path))


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
    load: dict = field(default_factory=dict)  # official id → open dossiers they hold

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

    from motcua.workflows.constants import StepKind
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
                    label=move_label(step, transition, spec),
                    next_key=transition.next,
                    next_name=names.get(transition.next, "") if transition.next else "",
                    candidates=candidates,
                )
            )

    assign = None
    # At an assignment step, giving the dossier to a specialist is its forward move (labelled
    # "Phân công", with the unit's eligible officials): one control, not a second one that
    # would offer only the leaders eligible for the assignment step itself.
    assigning = (
        step is not None and step.kind == StepKind.ASSIGN and any(m.candidates for m in moves)
    )
    if step is not None and may(Op.ASSIGN) and not assigning:
        assign = tuple(officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure))
    everyone = {u.pk for m in moves for u in m.candidates} | {u.pk for u in assign or ()}

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
        load=officials_load(everyone),
    )


def move_label(step, transition, spec) -> str:
    """The button of a step's move, named for what it does at this step (Chuyển xử lý, Trình
    ký, Ký duyệt, Phân công …) rather than the generic action."""
    from motcua.workflows.constants import StepAction, StepKind

    action = transition.action
    if action not in (StepAction.FORWARD, StepAction.APPROVE):
        return str(StepAction(action).label)
    nxt = transition.next
    kinds = {s.key: s.kind for s in spec.steps}
    next_kind = kinds.get(nxt) if nxt else None
    if step.kind == StepKind.ASSIGN:
        return _("Assign")
    if step.kind == StepKind.SIGN:
        return _("Sign off")
    if nxt is None:
        return _("Finish processing")
    if next_kind == StepKind.SIGN:
        return _("Submit for signature")
    if next_kind == StepKind.APPROVE:
        return _("Submit for approval")
    if step.kind == StepKind.APPROVE:
        return _("Approve")
    if next_kind == StepKind.RETURN:
        return _("Send for return")
    return _("Forward for processing")


def officials_load(user_ids) -> dict[int, int]:
    """How many open dossiers each official holds (assigned to them): one grouped query over
    the open-dossier assignee index."""
    from django.db.models import Count

    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = (
        Dossier.objects.filter(OPEN, assignee_id__in=ids)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    found = {row["assignee_id"]: row["n"] for row in rows}
    return {pk: found.get(pk, 0) for pk in ids}


def ledger_dossiers(*, desk, start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Sổ theo dõi hồ sơ: the dossiers a desk received from local day `start` to `end`
    inclusive, in order; for an agency that does not receive (a department, a People's
    Committee), the dossiers it is competent for. A half-open range of moments on
    `submitted_at` (local midnight to local midnight, Asia/Ho_Chi_Minh), never a cast of the
    column to a date, so the (receiving | competent agency, submitted at) index answers it."""
    from motcua.organizations.models import RECEIVING_KINDS

    period = Period(start, end)
    whose = Q(receiving_agency=desk) if desk.kind in RECEIVING_KINDS else Q(competent_agency=desk)
    return (
        Dossier.objects.filter(
            whose,
            is_sandbox=False,
            submitted_at__gte=period.since,
            submitted_at__lt=period.until,
        )
        .select_related("procedure_version", "competent_agency")
        .prefetch_related("events")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class Assignable:
    pk: int
    label: str
    load: int


def assignable_officials(user: User) -> list[Assignable]:
    """The bulk "Phân công" control: the active officials who process dossiers at the units
    where `user` assigns, by name, each with the open dossiers they hold now. Whether one may
    take a given dossier's step is still the assignment service's check."""
    from motcua.accounts.models import Grant

    ids = desk_scope(user).assign
    if ids == []:
        return []
    grants = Grant.objects.filter(
        revoked_at__isnull=True,
        user__is_active=True,
        user__kind=User.Kind.OFFICIAL,
        agency__is_active=True,
    ).select_related("role", "user")
    if ids is not None:
        grants = grants.filter(agency_id__in=ids)
    users = {g.user_id: g.user for g in grants if g.role.allows(Action.DOSSIER_PROCESS)}
    load = officials_load(users)
    ordered = sorted(users.values(), key=lambda u: (u.full_name or u.username, u.pk))
    return [
        Assignable(
            u.pk,
            (u.full_name or u.username)
            + " · "
            + ngettext("holds %(n)s open dossier", "holds %(n)s open dossiers", load[u.pk])
            % {"n": load[u.pk]},
            load[u.pk],
        )
        for u in ordered
    ]


# ---------------------------------------------------------------------------------------------
# Leaders' report (motcua.reports): the open dossiers their units hold, now.


@dataclass(frozen=True)
class HeldNow:
    """Open dossiers one unit holds (its current step is there): all, past the step deadline,
    and near it (`deadlines.near_from`, through the stored `step_near_at`)."""

    held: int = 0
    overdue: int = 0
    near: int = 0


def open_by_unit(agency_ids: list[int] | None, now: dt.datetime) -> dict[int, HeldNow]:
    """Per unit among `agency_ids` (None: every unit), the open dossiers it holds: one grouped
    count over the open-dossier partial index by step unit (`dossier_open_unit_idx`, read
    index-only), never the closed rows."""
    from django.db.models import Count

    qs = Dossier.objects.filter(OPEN, step_agency__isnull=False)
    if agency_ids is not None:
        qs = qs.filter(step_agency_id__in=agency_ids)
    rows = (
        qs.order_by()
        .values("step_agency_id")
        .annotate(
            held=Count("pk"),
            overdue=Count("pk", filter=Q(step_due_at__lt=now)),
            near=Count("pk", filter=Q(step_near_at__lte=now, step_due_at__gte=now)),
        )
    )
    return {r["step_agency_id"]: HeldNow(r["held"], r["overdue"], r["near"]) for r in rows}


def at_risk_condition(now: dt.datetime) -> Q:
    """Open dossiers whose step is near its deadline or past it (the desk's "due soon" and
    "overdue" tabs: `step_near_at`, written by `deadlines.near_from`), or whose appointment is
    near or missed while the clock runs (`due_near_at`, by the same rule with the apology
    notice: `deadlines.appointment_state`)."""
    return Q(step_near_at__lte=now) | Q(status__in=sorted(CLOCK_RUNNING), due_near_at__lte=now)


def dossiers_at_risk(agency_ids: list[int] | None, now: dt.datetime) -> QuerySet[Dossier]:
    """The late and at-risk dossiers of the units `agency_ids` (None: every unit) — held by one
    of them, or settled by one of them wherever they are now (a hand-off to another agency) —
    soonest step deadline first (`OPEN_ORDER`, keyset-paged like the desk's list), with the
    unit and the assignee joined for "who holds it"."""
    qs = Dossier.objects.select_related(*_RELATED).defer(*_HEAVY).filter(OPEN)
    if agency_ids is not None:
        if not agency_ids:
            return qs.none()
        qs = qs.filter(Q(step_agency_id__in=agency_ids) | Q(competent_agency_id__in=agency_ids))
    return qs.filter(at_risk_condition(now)).order_by(OPEN_ORDER.column, "pk")


def dossier_result(*, user: User, dossier: Dossier) -> dict[str, object]:
    """The dossier page's "Kết quả" box (services/results.py): whether the workflow signs a
    result, the draft in force, the signed result in force, and whether the user may upload
    the draft (the documents app's rule)."""
    from motcua.documents.permissions import WRITE, dossier_allows

    from .constants import TERMINAL
    from .services.results import draft_current, result_current, result_required, result_signable

    signable = result_signable(dossier)
    result = result_current(dossier)
    draft = draft_current(dossier) if signable else None
    return {
        "required": result_required(dossier),
        "signable": signable,
        "draft": draft,
        "result": result,
        "can_upload": signable
        and dossier.status not in TERMINAL
        and dossier_allows(user, WRITE, dossier),
    }
