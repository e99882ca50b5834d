"""The checked write every transition ends with: the conditional UPDATE on the version, one
history row per event, the audit entry, and for real dossiers the counts for reports (one upsert)
and one outbox event per history row for the national portal (and for the system that handed
the dossier over, coordination/progress.py) — all in the caller's transaction
(DOMAIN.md decisions 2, 7, 8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.coordination.progress import portal_reported_by_source, progress_items
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict
from motcua.notifications.messages import notification_items
from motcua.organizations.models import Agency
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.reports.services import counts_record

from ..constants import NATIONAL_CODE
from ..deadlines import near_from
from ..lifecycle import Context, Rule, arrived, state_of
from ..lifecycle import check as lifecycle_check
from ..models import Dossier, DossierEvent
from ..national import dossier_object, progress_row
from ..process import appointment_near_at

DESTINATION = "dvcqg"

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


def load(pk: int, *, lock: bool = False) -> Dossier:
    qs = Dossier.objects.select_related(*_RELATED)
    # The content documents load on first use (processing time, steps), not on every change.
    qs = qs.defer("procedure_version__document")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=pk)


@dataclass
class Event:
    kind: str
    note: str = ""
    action: str = ""
    to_status: str = ""
    from_status: str = ""
    from_step: str = ""
    to_step: str = ""
    from_agency: Agency | None = None
    to_agency: Agency | None = None
    to_user: User | None = None
    step_limit_minutes: int | None = None
    minutes_used: int | None = None
    step_due_at: dt.datetime | None = None
    timeliness: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# Fields a transition may change (the conditional UPDATE writes exactly these).
MUTABLE = [
    "status",
    "national_status",
    "outcome",
    "definition",
    "supplement_phase",
    "supplements_at_reception",
    "supplements_in_processing",
    "extensions",
    "received_at",
    "clock_started_at",
    "clock_paused_at",
    "clock_restart_on_resume",
    "clock_late",
    "clock_held",
    "due_at",
    "original_due_at",
    "statutory_due_at",
    "finished_at",
    "returned_at",
    "closed_reason",
    "step_key",
    "step_name",
    "step_agency",
    "step_started_at",
    "step_due_at",
    "step_near_at",
    "due_near_at",
    "assignee",
    "ledger_book",
    "ledger_number",
    "return_method",
]


class Transition:
    """Collects the changes and events of one operation, then writes them in one go."""

    def __init__(self, rule: Rule, dossier: Dossier, actor: User | None, now: dt.datetime) -> None:
        self.rule = rule
        self.d = dossier
        self.actor = actor
        self.now = now
        self.events: list[Event] = []
        self.start_status = dossier.status
        self.start_state = state_of(dossier)
        self.after: list[Callable[[], None]] = []

    def event(self, kind: str, **kw: Any) -> Event:
        ev = Event(kind=kind, **kw)
        ev.to_status = ev.to_status or self.d.status
        self.events.append(ev)
        return ev

    def commit(self, expected_version: int | None) -> Dossier:
        d = self.d
        arrived(self.rule, d)
        d.national_status = NATIONAL_CODE[d.status]
        d.step_near_at = near_from(d.step_started_at, d.step_due_at)
        d.due_near_at = appointment_near_at(d)
        values = {name: getattr(d, Dossier._meta.get_field(name).attname) for name in MUTABLE}
        expected = d.version if expected_version is None else expected_version
        seq0 = d.event_seq
        updated = Dossier.objects.filter(pk=d.pk, version=expected).update(
            **{Dossier._meta.get_field(k).attname: v for k, v in values.items()},
            version=F("version") + 1,
            event_seq=F("event_seq") + len(self.events),
            updated_at=self.now,
        )
        if updated != 1:
            raise stale(d)
        d.version = expected + 1
        d.event_seq = seq0 + len(self.events)
        write_events(d, self.actor, self.now, self.events, seq0)
        audit(self.rule.op, d, self.actor, before=self.start_state, events=self.events)
        for callback in self.after:
            callback()
        return d


def audit(op: str, d: Dossier, actor: User | None, *, before: str, events: list[Event]) -> None:
    """One audit entry per operation, as every other app writes (the history has the detail)."""
    if d.is_sandbox:
        return  # a test-run is rolled back; nothing of it is kept
    audit_record(
        actor=actor,
        action=f"dossier.{op}",
        obj=d,
        agency=d.step_agency or d.receiving_agency,
        before={"state": before},
        after={
            "state": state_of(d),
            "version": d.version,
            "events": [ev.kind for ev in events],
        },
        note=(events[-1].note if events else "")[:255],
    )


def _actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return actor.get_username()


def write_events(
    d: Dossier, actor: User | None, now: dt.datetime, events: list[Event], seq0: int
) -> None:
    rows = []
    for i, ev in enumerate(events, start=1):
        rows.append(
            DossierEvent(
                dossier=d,
                seq=seq0 + i,
                at=now,
                kind=ev.kind,
                action=ev.action,
                actor=actor if actor is not None and actor.pk else None,
                actor_label=_actor_label(actor),
                from_status=ev.from_status,
                to_status=ev.to_status,
                national_status=NATIONAL_CODE[ev.to_status],
                from_step=ev.from_step,
                to_step=ev.to_step,
                from_agency=ev.from_agency,
                to_agency=ev.to_agency,
                to_user=ev.to_user,
                step_limit_minutes=ev.step_limit_minutes,
                minutes_used=ev.minutes_used,
                step_due_at=ev.step_due_at,
                timeliness=ev.timeliness,
                note=ev.note,
                data=ev.data,
            )
        )
    DossierEvent.objects.bulk_create(rows)
    if d.is_sandbox:
        return  # test dossiers are never synced (R3) nor counted
    counts_record(d, now, events)
    actor_name = (actor.full_name or actor.get_username()) if actor is not None else ""
    # A dossier a ministry's system handed us and reports to the portal itself goes back to
    # that system only (coordination/progress.py).
    to_portal = not portal_reported_by_source(d)
    with translation.override("vi"):
        document = dossier_object(d) if to_portal else {}
        outbox_add_many(
            [
                OutboxItem(
                    destination=DESTINATION,
                    kind="dossier.progress",
                    aggregate_type="dossier",
                    aggregate_id=d.code,
                    aggregate_seq=row.seq,
                    payload=national_payload(d, row, document, actor_name),
                )
                for row in (rows if to_portal else [])
            ]
            # The applicant hears of each status change by SMS and e-mail (same transaction).
            + notification_items(d, rows)
            # A dossier a ministry's or the coordination system handed us: each row back to it.
            + progress_items(d, rows, actor)
        )


def national_payload(
    d: Dossier, row: DossierEvent, document: dict[str, Any], actor_name: str
) -> dict[str, Any]:
    """A history row as the national portal is told it: the dossier object at that row's
    status, and its progress row (§1.2, §1.3)."""
    return {
        "event": row.kind,
        "status_changed": row.from_status != row.to_status,
        "dossier": {**document, "TrangThaiHoSo": str(row.national_status)},
        "progress": progress_row(d, row, actor_name=actor_name),
    }


def stale(d: Dossier) -> Conflict:
    return Conflict(
        _("Dossier %(code)s was changed by someone else a moment ago. Reload it and try again.")
        % {"code": d.code},
        code="stale",
    )


def check_version(d: Dossier, expected_version: int | None) -> None:
    if expected_version is not None and d.version != expected_version:
        raise stale(d)


def opened(
    op: str, actor: User | None, dossier: Dossier, expected_version: int, ctx: Context
) -> tuple[Dossier, Rule]:
    """How every operation on an existing dossier begins, inside its transaction: the dossier
    as stored, the version the caller saw, and the lifecycle rule that lets `actor` do `op`."""
    d = load(dossier.pk)
    check_version(d, expected_version)
    return d, lifecycle_check(op, actor, d, ctx)
