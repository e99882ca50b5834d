"""One line of an export, read and checked: the JSON Schema (`schema/dossier.v1.json`), then
the references (procedure, agencies, files) and the coherence of dates, statuses and history.

`record_check` answers a `Plan` (everything the import writes, resolved) or raises `Rejected`
with a reason for people, in Vietnamese; it reads the database and the export's files, never
writes. `history_plan` turns the old system's steps into our history kinds, adding the
submission and the acceptance the old system did not list, so the counts see them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import gettext as _

from motcua.catalog.constants import FROZEN_STATUSES
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import version_in_force
from motcua.dossiers.constants import (
    NATIONAL_CODE,
    TERMINAL,
    EventKind,
    Status,
)
from motcua.organizations.models import Agency
from motcua.reports.rules import local_day

FORMAT = "motcua.dossier/1"
SCHEMA_PATH = Path(__file__).parent / "schema" / "dossier.v1.json"
STATUS_OF_NATIONAL = {code: status for status, code in NATIONAL_CODE.items()}
# Statuses that exist only once the dossier was accepted (the clock had started).
AFTER_ACCEPTANCE = {
    Status.ACCEPTED,
    Status.PROCESSING,
    Status.AWAITING_PAYMENT,
    Status.DONE,
    Status.RETURNED,
}
RESULT_READY = {Status.DONE, Status.RETURNED}


class Rejected(Exception):
    """The record is not imported; `reason` says why."""

    def __init__(self, reason: str, *, old_code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.old_code = old_code


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


@dataclass
class FileIn:
    source: Path
    file_name: str
    sha256: str
    size: int
    type: str = ""


@dataclass
class EventIn:
    kind: str
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    note: str = ""
    synthesized: bool = False


@dataclass
class Plan:
    """A checked record: what the import writes for it."""

    line: int
    old_code: str
    record: dict[str, Any]
    procedure: Procedure
    version: ProcedureVersion
    version_fallback: bool
    receiving: Agency
    competent: Agency
    status: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    events: list[EventIn]
    components: list[tuple[dict[str, Any], FileIn | None]] = field(default_factory=list)
    results: list[tuple[dict[str, Any], FileIn | None]] = field(default_factory=list)


def _status(value: Any) -> str:
    if isinstance(value, int):
        return STATUS_OF_NATIONAL[value]
    return value or ""


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _schema_errors(record: Any) -> str | None:
    errors = sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or _("the record")
    return _("Does not follow the format (%(where)s): %(message)s") % {
        "where": where,
        "message": first.message,
    }


def record_parse(text: str) -> dict[str, Any]:
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Rejected(_("Not valid JSON: %(error)s") % {"error": exc}) from None
    problem = _schema_errors(record)
    if problem:
        # The old code, when readable, names the record in the report.
        code = record.get("old_code") if isinstance(record, dict) else ""
        raise Rejected(problem, old_code=code if isinstance(code, str) else "")
    return record


def _agency(code: str, role: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Rejected(
            _("No agency has the electronic identifier %(code)s (%(role)s).")
            % {"code": code, "role": role}
        )
    return agency


def _version(procedure: Procedure, day: dt.date) -> tuple[ProcedureVersion, bool]:
    """The version in force on `day`, else the earliest one ever published (marked)."""
    version = version_in_force(procedure, day)
    if version is not None:
        return version, False
    earliest = (
        procedure.versions.filter(status__in=FROZEN_STATUSES)
        .order_by("effective_from", "number")
        .first()
    )
    if earliest is None:
        raise Rejected(
            _("Procedure %(code)s has no published version to file the dossier under.")
            % {"code": procedure.code}
        )
    return earliest, True


def _file(base: Path, spec: dict[str, Any] | None, what: str) -> FileIn | None:
    if not spec:
        return None
    rel = Path(spec["path"])
    if rel.is_absolute() or ".." in rel.parts:
        raise Rejected(
            _("The file of %(what)s must be a path inside the export directory: %(path)s")
            % {"what": what, "path": spec["path"]}
        )
    path = base / rel
    if not path.is_file():
        raise Rejected(
            _("The file of %(what)s is missing: %(path)s") % {"what": what, "path": spec["path"]}
        )
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != spec["sha256"]:
        raise Rejected(
            _("The file of %(what)s does not match its SHA-256 (damaged or replaced): %(path)s")
            % {"what": what, "path": spec["path"]}
        )
    if "size" in spec and spec["size"] != size:
        raise Rejected(
            _("The file of %(what)s has %(size)s bytes, not the %(declared)s declared: %(path)s")
            % {"what": what, "size": size, "declared": spec["size"], "path": spec["path"]}
        )
    return FileIn(path, rel.name[:255], digest.hexdigest(), size, spec.get("type", ""))


def _kind(from_status: str, to_status: str, accepted_before: bool) -> str:
    """Our history kind for an old system's step, from the statuses it moved between."""
    if not from_status:
        return EventKind.SUBMIT
    by_target = {
        Status.SUPPLEMENT: EventKind.SUPPLEMENT_REQUEST,
        Status.REFUSED: EventKind.REFUSE,
        Status.AWAITING_PAYMENT: EventKind.PAYMENT_REQUEST,
        Status.DONE: EventKind.FINISH,
        Status.RETURNED: EventKind.RETURN_RESULT,
        Status.WITHDRAWN: EventKind.WITHDRAW,
        Status.STOPPED: EventKind.STOP,
    }
    if to_status in by_target and from_status != to_status:
        return by_target[to_status]
    if from_status == Status.SUPPLEMENT:
        return EventKind.SUPPLEMENT_RECEIVED
    if from_status == Status.AWAITING_PAYMENT:
        return EventKind.PAYMENT_RECEIVED
    if to_status == Status.ACCEPTED and not accepted_before:
        return EventKind.ACCEPT
    return EventKind.STEP


def _bridge(
    target: str,
    *,
    record_dates: dict[str, dt.datetime | None],
    until: dt.datetime | None,
    actor: str,
) -> list[EventIn]:
    """The steps an old system left out, from nothing to `target`: the submission, the
    acceptance when the dossier was received, then the move into `target`, each dated by the
    record's dates (never later than `until`, the first step the old system did list)."""
    submitted = record_dates["submitted_at"]
    received = record_dates["received_at"]

    def at(value: dt.datetime | None) -> dt.datetime:
        moment = value or received or submitted
        return min(moment, until) if until is not None else moment

    out = [EventIn(EventKind.SUBMIT, at(submitted), actor, "", Status.SUBMITTED, synthesized=True)]
    if target == Status.SUBMITTED:
        return out
    current = Status.SUBMITTED
    if target in AFTER_ACCEPTANCE or (received and target in (Status.WITHDRAWN, Status.STOPPED)):
        out.append(
            EventIn(
                EventKind.ACCEPT, at(received), actor, current, Status.ACCEPTED, synthesized=True
            )
        )
        current = Status.ACCEPTED
    if target == Status.RETURNED:
        out.append(
            EventIn(
                EventKind.FINISH,
                at(record_dates["finished_at"]),
                actor,
                current,
                Status.DONE,
                synthesized=True,
            )
        )
        current = Status.DONE
    if target != current:
        when = {
            Status.DONE: record_dates["finished_at"],
            Status.RETURNED: record_dates["returned_at"],
        }.get(target)
        kind = _kind(current, target, current == Status.ACCEPTED)
        out.append(EventIn(kind, at(when), actor, current, target, synthesized=True))
    return out


def history_plan(
    record: dict[str, Any], status: str, dates: dict[str, dt.datetime | None], source: str
) -> list[EventIn]:
    """The history to write: the old steps in order with our kinds, checked (dated in order,
    each starting where the one before ended, ending in the record's status); what the old
    system left out before its first step is bridged (`_bridge`)."""
    steps = record.get("history") or []
    if not steps:
        return _bridge(status, record_dates=dates, until=None, actor=source)
    events: list[EventIn] = []
    first = steps[0]
    first_from = _status(first.get("from_status")) if "from_status" in first else ""
    if first_from:
        events = _bridge(first_from, record_dates=dates, until=_when(first["at"]), actor=source)
    current = first_from
    previous_at = events[-1].at if events else dates["submitted_at"]
    accepted = any(e.kind == EventKind.ACCEPT for e in events)
    for i, step in enumerate(steps, start=1):
        at = _when(step["at"])
        to_status = _status(step["to_status"])
        from_status = _status(step.get("from_status")) if "from_status" in step else current
        if at < previous_at:
            raise Rejected(
                _("History step %(n)s is dated before the step or submission before it.") % {"n": i}
            )
        if from_status != current:
            raise Rejected(
                _("History step %(n)s starts from status %(from)s but the dossier was %(current)s.")
                % {"n": i, "from": from_status or "—", "current": current or "—"}
            )
        kind = step.get("kind") or _kind(from_status, to_status, accepted)
        if kind not in EventKind.values:
            raise Rejected(
                _("History step %(n)s has an unknown kind %(kind)s.") % {"n": i, "kind": kind}
            )
        accepted = accepted or kind == EventKind.ACCEPT
        events.append(
            EventIn(
                kind, at, step.get("actor") or source, from_status, to_status, step.get("note", "")
            )
        )
        previous_at = at
        current = to_status
    if current != status:
        raise Rejected(
            _("The history ends in status %(last)s but the record says %(status)s.")
            % {"last": current, "status": status}
        )
    return events


def record_check(record: dict[str, Any], *, line: int, base: Path, source: str) -> Plan:
    """A parsed record, checked against our data: a Plan, or Rejected with the first reason."""
    old_code = record["old_code"]
    procedure = Procedure.objects.filter(code=record["procedure_code"]).first()
    if procedure is None:
        raise Rejected(
            _("Unknown procedure %(code)s: not in the catalog.")
            % {"code": record["procedure_code"]}
        )
    receiving = _agency(record["receiving_agency"], _("receiving agency"))
    competent = _agency(record["competent_agency"], _("competent agency"))
    status = _status(record["status"])
    submitted_at = _when(record["submitted_at"])
    received_at = _when(record.get("received_at"))
    due_at = _when(record.get("due_at"))
    finished_at = _when(record.get("finished_at"))
    returned_at = _when(record.get("returned_at"))

    order = [
        ("submitted_at", submitted_at),
        ("received_at", received_at),
        ("finished_at", finished_at),
        ("returned_at", returned_at),
    ]
    known = [(name, at) for name, at in order if at is not None]
    for (a, at_a), (b, at_b) in itertools.pairwise(known):
        if at_b < at_a:
            raise Rejected(_("Dates out of order: %(b)s is before %(a)s.") % {"a": a, "b": b})
    if due_at is not None and received_at is not None and due_at < received_at:
        raise Rejected(_("Dates out of order: due_at is before received_at."))
    if status in AFTER_ACCEPTANCE and received_at is None:
        raise Rejected(
            _("Status %(status)s needs the date of reception (received_at).") % {"status": status}
        )
    if status in RESULT_READY and finished_at is None:
        raise Rejected(
            _("Status %(status)s needs the date processing finished (finished_at).")
            % {"status": status}
        )
    if status == Status.RETURNED and returned_at is None:
        raise Rejected(_("Status returned needs the date the result was returned (returned_at)."))
    # A closed dossier (refused, withdrawn, stopped) may carry the day it closed; an open one
    # cannot have finished.
    if status not in RESULT_READY | TERMINAL and (finished_at or returned_at):
        raise Rejected(
            _("Status %(status)s cannot have a finish or return date.") % {"status": status}
        )
    dates = {
        "submitted_at": submitted_at,
        "received_at": received_at,
        "finished_at": finished_at,
        "returned_at": returned_at,
    }
    events = history_plan(record, status, dates, source)
    # The version in force on the local day of reception (of submission if never received).
    version, fallback = _version(procedure, local_day(received_at or submitted_at))

    components = [
        (c, _file(base, c.get("file"), _("component %(n)s") % {"n": i}))
        for i, c in enumerate(record.get("components") or [], start=1)
    ]
    results = [
        (r, _file(base, r.get("file"), _("result %(n)s") % {"n": i}))
        for i, r in enumerate(record.get("results") or [], start=1)
    ]
    return Plan(
        line=line,
        old_code=old_code,
        record=record,
        procedure=procedure,
        version=version,
        version_fallback=fallback,
        receiving=receiving,
        competent=competent,
        status=status,
        submitted_at=submitted_at,
        received_at=received_at,
        due_at=due_at,
        finished_at=finished_at,
        returned_at=returned_at,
        events=events,
        components=components,
        results=results,
    )


def is_open(status: str) -> bool:
    return status not in TERMINAL and status not in RESULT_READY
