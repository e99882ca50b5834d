"""Late dossiers (R15): the apology and extension letter, and the due warnings."""

from __future__ import annotations

import datetime as dt

from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.workcalendar import WorkCalendar
from motcua.organizations.models import Agency
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.units import officials_eligible

from .. import lifecycle
from ..constants import Channel, EventKind, WarningKind
from ..deadlines import near_from
from ..lifecycle import Context, Op
from ..models import RUNNING_ROWS, Dossier, DueWarning, ExtensionLetter
from ..process import apology_latest, calendar, default_spec, organization_of
from . import clocking
from .events import Transition, check_version, load


def dossier_apology_issue(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    new_due_at: dt.datetime,
    agency_at_fault: Agency | None = None,
    step_key: str | None = None,
    now: dt.datetime | None = None,
) -> ExtensionLetter:
    """Văn bản xin lỗi và đề nghị gia hạn: signed by the head of the agency at fault, issued no
    later than the rule set's working days before the deadline; the original appointment stays
    the one the on-time indicators use."""
    now = now or timezone.now()
    if new_due_at.tzinfo is None or new_due_at.utcoffset() is None:
        raise InvalidInput(
            _("Give the new appointment with its time zone."),
            errors={"new_due_at": [_("Give the new appointment with its time zone.")]},
        )
    with transaction.atomic():
        d = load(dossier.pk)
        check_version(d, expected_version)
        # The agency at fault depends on where the dossier is: known only once it is loaded.
        at_fault = agency_at_fault or organization_of(d.step_agency or d.competent_agency)
        rule = lifecycle.check(Op.APOLOGY, actor, d, Context(now=now, at_fault=at_fault))
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
        if new_due_at <= d.due_at:
            raise InvalidInput(
                _("The new appointment must be after the current one."),
                errors={"new_due_at": [_("The new appointment must be after the current one.")]},
            )
        t = Transition(rule, d, actor, now)
        old_due = d.due_at
        clocking.extend(d, new_due_at)
        sequence = d.extensions
        t.event(
            EventKind.APOLOGY,
            from_status=d.status,
            from_step=d.step_key,
            to_step=d.step_key,
            from_agency=at_fault,
            to_agency=d.step_agency,
            note=reason.strip(),
            data={
                "sequence": sequence,
                "original_due_at": old_due.isoformat(),
                "new_due_at": new_due_at.isoformat(),
                "agency_at_fault": at_fault.pk,
                "step_key": step_key if step_key is not None else d.step_key,
            },
        )
        t.commit(expected_version)
        return ExtensionLetter.objects.create(
            dossier=d,
            sequence=sequence,
            reason=reason.strip(),
            original_due_at=old_due,
            new_due_at=new_due_at,
            agency_at_fault=at_fault,
            step_key=step_key if step_key is not None else d.step_key,
            signed_by=actor,
            issued_at=now,
            sent_via="online" if d.channel == Channel.ONLINE else "desk",
        )


# The scan reads dossiers whose appointment is at most this far ahead (or past), and those
# whose step deadline has passed; which of them are near is `deadlines.near_from`, the rule
# of the desk's badges. The apology deadline lies a working day or two before the appointment
# (rule set), well inside it even across Tết; the last 20 % of a processing time fits in it
# up to 150 days (a longer procedure is warned 30 days ahead).
HORIZON = dt.timedelta(days=30)
# Dossiers read at a time from the cursor, and so per round of inserts.
BATCH = 2000
# Rows per multi-row INSERT where the rows are parameters (not PostgreSQL: arrays there).
INSERT_ROWS = 1000

_COLUMNS = (
    "id",
    "received_at",
    "due_at",
    "step_due_at",
    "rule_set",
    "competent_agency_id",
    "definition_id",
    "procedure_id",
    "step_key",
    "step_agency_id",
    "assignee_id",
)


def due_warnings_scan(*, now: dt.datetime | None = None) -> int:
    """Warn the responsible officials once about each dossier whose appointment is near (by
    `deadlines.near_from`: its last per cent, or the apology letter's deadline) or whose step
    is overdue. Returns the number of new warnings.

    Set-based, so that a run stays in seconds at ten million dossiers: the candidates come from
    two partial indexes (running dossiers by appointment, by step deadline), without the
    dossiers already warned (`_unwarned`), read in batches; the exact "near" rule is then
    checked in Python with one
    calendar per competent agency, the eligible officials are looked up once per step and
    unit, and each batch's warnings go in with one insert (PostgreSQL) or a few.

    Who is warned: the assignee, else every official eligible for the step at its unit, else
    nobody (a row without recipient, so it shows that no one could be told). Once only: the
    unique constraints make the insert skip what another run (even one running at the same
    time) already recorded, and only rows that went in are counted.
    """
    now = now or timezone.now()
    scan = _Scan(now)
    created = 0
    batch: list[dict] = []
    # One query, read in batches: on PostgreSQL a server-side cursor, held across the inserts'
    # commits (the rest of the result is kept by the server then). Pages by keyset would
    # re-run the anti-join from the start of the index for each page.
    for row in _unwarned(now).iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            created += scan.record(batch)
            batch = []
    return created + scan.record(batch)


def _unwarned(now: dt.datetime):
    """Running dossiers due within the horizon or past their step deadline that may still lack
    a warning, by appointment.

    A dossier is left out once it holds the warnings it needs: for an assignee, that one
    warning (exact); for a group, any addressed warning recorded since the dossier entered its
    step. Within a step a dossier is not unassigned again (`enter_step` alone clears the
    assignee), so those were the group's; a new step has a new `step_started_at` and is read
    again. Rows without recipient do not count: such a dossier is read every run, and warns
    whoever becomes eligible. Not read again, unlike before this scan was set-based: a dossier
    whose group was warned, when someone joins the group while it stays at that step.

    A warning's `created_at` is the run's `now`, taken before it reads: a step entered while
    the run reads is later than its warnings, so the next run reads the dossier again. Left
    open: a step change whose transaction began before the run's `now` and committed after
    the run read that dossier (milliseconds); the next step's group then misses that warning.
    """

    def missing(kind: str, target: str) -> Q:
        same = DueWarning.objects.filter(
            dossier=OuterRef("pk"), kind=kind, target_at=OuterRef(target)
        )
        to_assignee = same.filter(recipient=OuterRef("assignee"))
        to_group = same.filter(recipient__isnull=False, created_at__gte=OuterRef("step_started_at"))
        return (Q(assignee__isnull=False) & ~Exists(to_assignee)) | (
            Q(assignee__isnull=True) & ~Exists(to_group)
        )

    # Two index ranges (appointment within the horizon, step deadline passed), each over the
    # running dossiers only: a step can be overdue long before a far appointment.
    return (
        Dossier.objects.filter(RUNNING_ROWS)
        .filter(
            (Q(due_at__lte=now + HORIZON) & missing(WarningKind.DUE_SOON, "due_at"))
            | (Q(step_due_at__lt=now) & missing(WarningKind.STEP_OVERDUE, "step_due_at"))
        )
        .order_by("due_at", "pk")
        .values(*_COLUMNS)
    )


class _Scan:
    """One run: its moment and what it has looked up (calendars per competent agency,
    eligible officials per workflow, procedure, step and unit), so that a batch costs a few
    queries whatever its size."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.calendars: dict[int, WorkCalendar] = {}
        self.officials: dict[tuple, list[int | None]] = {}
        self.agencies: dict[int, Agency] = {}
        self.procedures: dict[int, Procedure] = {}
        self.definitions: dict[int, ProcessDefinition] = {}
        # A dossier without a workflow follows the built-in one; its steps' roles do not
        # depend on the processing time, so one copy serves every procedure.
        self.default_spec = default_spec(0, "working_days")

    def record(self, rows: list[dict]) -> int:
        self._load(rows)
        warnings = []
        for row in rows:
            for kind, target in self._targets(row):
                for recipient in self._recipients(row):
                    warnings.append((row["id"], kind, target, recipient))
        return _insert_new(warnings, created_at=self.now)

    def _targets(self, row: dict) -> list[tuple[str, dt.datetime]]:
        targets = []
        cal = self.calendars[row["competent_agency_id"]]
        latest = apology_latest(row["due_at"], row["rule_set"], cal)
        if self.now >= near_from(row["received_at"], row["due_at"], apology_by=latest):
            targets.append((WarningKind.DUE_SOON, row["due_at"]))
        if row["step_due_at"] is not None and self.now > row["step_due_at"]:
            targets.append((WarningKind.STEP_OVERDUE, row["step_due_at"]))
        return targets

    def _recipients(self, row: dict) -> list[int | None]:
        if row["assignee_id"] is not None:
            return [row["assignee_id"]]
        key = _group_key(row)
        found = self.officials.get(key)
        if found is None:
            found = self.officials[key] = [u.pk for u in self._eligible(*key)] or [None]
        return found

    def _eligible(self, definition_id, procedure_id, step_key, unit_id) -> list[User]:
        spec = self.default_spec if definition_id is None else self.definitions[definition_id].spec
        unit = self.agencies.get(unit_id)
        try:
            step = spec.step(step_key)
        except KeyError:
            return []
        if unit is None:
            return []
        return officials_eligible(step=step, unit=unit, procedure=self.procedures[procedure_id])

    def _load(self, rows: list[dict]) -> None:
        """What this batch needs and earlier batches did not: one query per kind of row."""
        groups = [row for row in rows if row["assignee_id"] is None]
        competent = {row["competent_agency_id"] for row in rows}
        units = {row["step_agency_id"] for row in groups if row["step_agency_id"]}
        _fill(self.agencies, Agency.objects, competent | units)
        _fill(self.procedures, Procedure.objects, {row["procedure_id"] for row in groups})
        _fill(
            self.definitions,
            ProcessDefinition.objects,
            {row["definition_id"] for row in groups if row["definition_id"] is not None},
        )
        for agency_id in competent - self.calendars.keys():
            self.calendars[agency_id] = calendar(self.agencies[agency_id])


def _group_key(row: dict) -> tuple:
    return (row["definition_id"], row["procedure_id"], row["step_key"], row["step_agency_id"])


def _fill(cache: dict, manager, ids: set) -> None:
    wanted = ids - cache.keys()
    if wanted:
        cache.update(manager.in_bulk(wanted))


def _insert_new(warnings: list[tuple], *, created_at: dt.datetime) -> int:
    """Insert (dossier id, kind, target, recipient id) rows, skipping those the unique
    constraints already hold; returns how many went in (the statement's row count, so a run
    overlapping another counts only its own)."""
    if not warnings:
        return 0
    meta = DueWarning._meta
    fields = [
        meta.get_field(name) for name in ("dossier", "kind", "target_at", "recipient", "created_at")
    ]
    conn = connections[router.db_for_write(DueWarning)]
    ops = conn.ops
    table = ops.quote_name(meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    tail = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    rows = [(*row, created_at) for row in warnings]
    created = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Five arrays rather than five parameters a row: a query of 10,000 placeholders
            # costs more to send and parse than the insert itself.
            arrays = ", ".join(f"%s::{f.cast_db_type(conn)}[]" for f in fields)
            # Names and types come from the model; the values are parameters.
            cursor.execute(
                f"{head} {table} ({columns}) SELECT * FROM unnest({arrays}) {tail}",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
            return cursor.rowcount
        size = max(1, min(INSERT_ROWS, ops.bulk_batch_size(fields, rows)))
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = [
                field.get_db_prep_save(value, conn)
                for row in chunk
                for field, value in zip(fields, row, strict=True)
            ]
            values = ", ".join([one] * len(chunk))
            cursor.execute(f"{head} {table} ({columns}) VALUES {values} {tail}", params)
            created += cursor.rowcount
    return created


def due_warning_seen(*, actor: User, warning_id: int, now: dt.datetime | None = None) -> DueWarning:
    """The recipient has read a warning; anyone else is told it does not exist."""
    if actor is None or not actor.is_authenticated:
        raise NotFound(_("No such warning."))
    warning = DueWarning.objects.filter(pk=warning_id, recipient=actor).first()
    if warning is None:
        raise NotFound(_("No such warning."))
    if warning.seen_at is None:
        warning.seen_at = now or timezone.now()
        warning.save(update_fields=["seen_at"])
    return warning
