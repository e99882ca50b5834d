"""Import dossiers from an old system's export, and export ours, in the JSON Lines format of
`schema/dossier.v1.json` (docs/integration.md, "Data migration").

The import reads the file in batches; each batch is one transaction that writes its dossiers,
its rejections and the run's position together, so after a crash the run resumes at the first
line not committed and reports every line exactly once. Each record is written under its own
savepoint: a record the database refuses is rejected with the reason, nothing of it kept, and
the batch goes on. (source, old code) is unique: a record already imported is skipped, however
many times the file is run.

Migrated dossiers are history: their rows are written as they were (dated by the old system),
not through the lifecycle's transitions, so they make no outbox event for the national portal
(the old system synced them). One exception: a record marked `"national_synced": false` that is
still open gets one event with its state as it is, so the portal learns of the dossier it will
hear about next. The counts for reports are rebuilt for the days the imported history covers
when the run ends (`reports.services.counts_rebuild`, month by month).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict, InvalidInput, NotFound
from motcua.core.workcalendar import TZ
from motcua.dossiers.codes import code_allocate, identified_unit
from motcua.dossiers.constants import NATIONAL_CODE, Outcome, Status
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.dossiers.national import dossier_object, progress_row
from motcua.dossiers.rules import rule_set_on
from motcua.dossiers.services import clocking
from motcua.dossiers.services.steps import first_processing_step, step_place
from motcua.organizations.models import Agency
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.reports.rules import local_day, settled_timeliness
from motcua.reports.services import counts_rebuild
from motcua.workflows.constants import StepKind
from motcua.workflows.selectors import definition_active_for

from .models import (
    FileRole,
    ImportRejection,
    ImportRun,
    MigratedDossier,
    MigratedFile,
    RunStatus,
)
from .records import (
    AFTER_ACCEPTANCE,
    FORMAT,
    FileIn,
    Plan,
    Rejected,
    is_open,
    record_check,
    record_parse,
)

DESTINATION = "dvcqg"
STORAGE_PREFIX = "migration/files"
Progress = Callable[[ImportRun], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _line in fh)


# ---------------------------------------------------------------------------------------------
# Import


def import_file(
    path: str | os.PathLike,
    actor: User | None,
    *,
    source: str,
    batch: int = 500,
    resume: bool = False,
    progress: Progress | None = None,
) -> ImportRun:
    """Import the export at `path` from the old system `source`; the run, with its report.

    `resume`: continue the last unfinished run of this very file (same SHA-256) from the line
    after its last committed batch; without it a new run reads the file from the top and skips
    what exists. `progress` is called after each committed batch."""
    path = Path(path)
    source = source.strip()
    if not source:
        raise InvalidInput(_("Name the source system."), errors={"source": [_("Required.")]})
    if not path.is_file():
        raise NotFound(_("No such file: %(path)s") % {"path": path})
    if batch < 1:
        raise InvalidInput(_("The batch size must be at least 1."), errors={"batch": ["≥ 1"]})
    sha = file_sha256(path)
    run = _run_open(path, sha, source, actor, resume)
    run.total_lines = _count_lines(path)
    run.save(update_fields=["total_lines"])
    base = path.parent
    with path.open("rb") as fh:
        fh.seek(run.last_offset)
        line_no = run.last_line
        while True:
            chunk: list[tuple[int, bytes]] = []
            for _i in range(batch):
                raw = fh.readline()
                if not raw:
                    break
                line_no += 1
                chunk.append((line_no, raw))
            if not chunk:
                break
            _import_batch(run, chunk, fh.tell(), base=base, actor=actor)
            if progress is not None:
                progress(run)
    _rebuild_counts(run)
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def _run_open(path: Path, sha: str, source: str, actor: User | None, resume: bool) -> ImportRun:
    unfinished = ImportRun.objects.filter(
        source=source, file_sha256=sha, status=RunStatus.RUNNING
    ).order_by("-pk")
    if resume:
        run = unfinished.first()
        if run is not None:
            return run
    with transaction.atomic():
        run = ImportRun(source=source, file_name=str(path), file_sha256=sha, actor=actor)
        # A crashed run replaced by this one: the days it imported are rebuilt with ours.
        for old in unfinished.select_for_update():
            _widen(run, old.first_day, old.last_day)
            old.status = RunStatus.ABANDONED
            old.save(update_fields=["status"])
        run.save()
    return run


def _widen(run: ImportRun, first: dt.date | None, last: dt.date | None) -> None:
    if first is not None:
        run.first_day = min(first, run.first_day or first)
    if last is not None:
        run.last_day = max(last, run.last_day or last)


def _import_batch(
    run: ImportRun, chunk: list[tuple[int, bytes]], offset: int, *, base: Path, actor: User | None
) -> None:
    # Read and check outside the transaction (files are hashed here): the write lock is held
    # only for the writes.
    checked: list[Plan | tuple[int, str, str]] = []
    for line, raw in chunk:
        if not raw.strip():
            continue
        old_code = ""
        try:
            record = record_parse(raw.decode("utf-8"))
            old_code = record["old_code"]
            checked.append(record_check(record, line=line, base=base, source=run.source))
        except UnicodeDecodeError:
            checked.append((line, old_code, _("The line is not UTF-8 text.")))
        except Rejected as exc:
            checked.append((line, old_code or exc.old_code, exc.reason))
    with transaction.atomic():
        codes = [p.old_code for p in checked if isinstance(p, Plan)]
        existing = set(
            MigratedDossier.objects.filter(source=run.source, old_code__in=codes).values_list(
                "old_code", flat=True
            )
        )
        rejections: list[ImportRejection] = []
        for item in checked:
            if not isinstance(item, Plan):
                line, old_code, reason = item
                rejections.append(
                    ImportRejection(run=run, line=line, old_code=old_code[:100], reason=reason)
                )
                continue
            if item.old_code in existing:
                run.skipped += 1
                continue
            try:
                with transaction.atomic():
                    days = _write(item, run, actor)
            except Rejected as exc:
                rejections.append(
                    ImportRejection(
                        run=run, line=item.line, old_code=item.old_code, reason=exc.reason
                    )
                )
                continue
            except IntegrityError as exc:
                reason = _("The database refused the record: %(error)s") % {"error": exc}
                rejections.append(
                    ImportRejection(run=run, line=item.line, old_code=item.old_code, reason=reason)
                )
                continue
            existing.add(item.old_code)
            run.imported += 1
            _widen(run, *days)
        ImportRejection.objects.bulk_create(rejections)
        run.rejected += len(rejections)
        run.last_line = chunk[-1][0]
        run.last_offset = offset
        run.save(
            update_fields=[
                "imported",
                "skipped",
                "rejected",
                "last_line",
                "last_offset",
                "first_day",
                "last_day",
            ]
        )


def _store_file(f: FileIn) -> str:
    """Copy into storage under its SHA-256 (the same content is stored once, and a rerun after
    a crash finds what it copied before)."""
    name = f"{STORAGE_PREFIX}/{f.sha256[:2]}/{f.sha256}"
    if not default_storage.exists(name):
        with f.source.open("rb") as fh:
            saved = default_storage.save(name, File(fh))
        if saved != name:  # a concurrent run stored it first: keep one
            default_storage.delete(saved)
    return name


def _continue_here(d: Dossier) -> None:
    """An accepted dossier still in processing in the old system goes on in ours: the old
    system's steps do not map to ours, so it stands, unassigned, at the first processing step of
    the workflow in force for its procedure and competent agency (the step an accepted dossier
    enters), from the import; its appointment stays the old one. Without a workflow that can
    take it (none active and no default process, or a first step that consults, returns or
    hands over to a central system) it
    stays at the competent agency as before, for an administrator to place."""
    definition = definition_active_for(d.procedure, d.competent_agency)
    if definition is None and not settings.DOSSIER_DEFAULT_PROCESS:
        return
    d.definition = definition
    step = first_processing_step(d)
    if step is None or step.kind in (StepKind.CONSULT, StepKind.RETURN, StepKind.EXTERNAL):
        d.definition = None
        return
    try:
        step_place(d, step, timezone.now())
    except Conflict:
        d.definition = None


def _clock(d: Dossier, plan: Plan) -> None:
    """The clock's fields from the migrated dates, so lateness is judged as it was."""
    # Before acceptance an appointment is only announced (the clock has not started).
    d.due_at = plan.due_at
    if plan.received_at is None or plan.status not in AFTER_ACCEPTANCE | {
        Status.SUPPLEMENT,
        Status.WITHDRAWN,
        Status.STOPPED,
    }:
        return
    if plan.status == Status.SUPPLEMENT and not any(e.kind == "accept" for e in plan.events):
        return  # a supplement asked at reception: the clock never started
    if plan.due_at is not None:
        d.clock_started_at = plan.received_at
        d.due_at = d.original_due_at = d.statutory_due_at = plan.due_at
        d.clock_held = dt.timedelta(0)
        d.clock_late = False
    else:
        clocking.start(d, plan.received_at)
    if plan.status in (Status.SUPPLEMENT, Status.AWAITING_PAYMENT):
        d.clock_paused_at = plan.events[-1].at


def _write(plan: Plan, run: ImportRun, actor: User | None) -> tuple[dt.date, dt.date]:
    """One record: its dossier, history, components, files, the old code; the local days its
    history covers. Raises Rejected (or IntegrityError) with nothing of it written."""
    record = plan.record
    national_code = (record.get("national_code") or "").strip()
    if national_code:
        holder = Dossier.objects.filter(external_code=national_code).values_list("code", flat=True)
        if holder:
            raise Rejected(
                _("The national code %(national)s already belongs to dossier %(code)s.")
                % {"national": national_code, "code": holder[0]}
            )
    received_local = (plan.received_at or plan.submitted_at).astimezone(TZ)
    applicant = record["applicant"]
    outcome = record.get("outcome", "")
    if plan.status in (Status.DONE, Status.RETURNED) and not outcome:
        outcome = Outcome.GRANTED
    d = Dossier(
        code=code_allocate(plan.receiving, received_local),
        external_code=national_code,
        procedure=plan.procedure,
        procedure_version=plan.version,
        rule_set=rule_set_on(received_local.date()).code,
        channel=record.get("channel", "direct"),
        applicant_kind=applicant.get("kind", "citizen"),
        applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"],
        applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""),
        summary=record.get("summary", ""),
        receiving_agency=plan.receiving,
        competent_agency=plan.competent,
        return_agency=plan.receiving,
        status=plan.status,
        national_status=NATIONAL_CODE[plan.status],
        outcome=outcome,
        submitted_at=plan.submitted_at,
        received_at=plan.received_at,
        finished_at=plan.finished_at,
        returned_at=plan.returned_at,
        closed_reason=record.get("closed_reason", ""),
        event_seq=len(plan.events),
    )
    _clock(d, plan)
    if is_open(plan.status):
        at_desk = plan.status in (Status.SUBMITTED, Status.SUPPLEMENT) and d.received_at is None
        d.step_agency = plan.receiving if at_desk else plan.competent
        d.step_started_at = plan.events[-1].at
        if plan.status == Status.DONE:
            d.step_agency = d.return_agency  # settled: waits for its return at the desk
        elif not at_desk:
            _continue_here(d)
    d.save()

    statutory = d.statutory_due_at
    rows = []
    for seq, e in enumerate(plan.events, start=1):
        timeliness = ""
        if e.to_status == Status.DONE and e.from_status not in ("", Status.DONE):
            timeliness = settled_timeliness(
                e.at, statutory_due_at=statutory, paused_at=None, late=False
            )
        data: dict[str, Any] = {"migrated": run.source}
        if e.synthesized:
            data["synthesized"] = True
        rows.append(
            DossierEvent(
                dossier=d,
                seq=seq,
                at=e.at,
                kind=e.kind,
                actor=None,
                actor_label=e.actor[:150],
                from_status=e.from_status,
                to_status=e.to_status,
                national_status=NATIONAL_CODE[e.to_status],
                timeliness=timeliness,
                note=e.note,
                data=data,
            )
        )
    DossierEvent.objects.bulk_create(rows)

    migrated = MigratedDossier.objects.create(
        dossier=d,
        source=run.source,
        old_code=plan.old_code,
        run=run,
        line=plan.line,
        version_fallback=plan.version_fallback,
        record=record,
    )
    files: list[MigratedFile] = []
    for order, (spec, f) in enumerate(plan.components, start=1):
        component = DossierComponent.objects.create(
            dossier=d,
            order=order,
            name=spec["name"],
            originals=spec.get("originals", 0),
            copies=spec.get("copies", 0),
            file_name=f.file_name if f else "",
            file_size=f.size if f else 0,
            file_sha256=f.sha256 if f else "",
            file_type=f.type if f else "",
        )
        if f is not None:
            files.append(_file_row(migrated, FileRole.COMPONENT, order, spec, f, component))
    for order, (spec, f) in enumerate(plan.results, start=1):
        files.append(_file_row(migrated, FileRole.RESULT, order, spec, f, None))
    MigratedFile.objects.bulk_create(files)

    audit_record(
        actor=actor,
        action="dossier.migrate",
        obj=d,
        agency=plan.receiving,
        after={"source": run.source, "old_code": plan.old_code, "status": d.status},
        note=f"{run.source}:{plan.old_code}"[:255],
    )
    if record.get("national_synced") is False and is_open(plan.status):
        _announce(d, rows[-1])
    days = [local_day(e.at) for e in plan.events]
    return min(days), max(days)


def _file_row(
    migrated: MigratedDossier,
    role: str,
    order: int,
    spec: dict[str, Any],
    f: FileIn | None,
    component: DossierComponent | None,
) -> MigratedFile:
    signed = spec.get("signed_at")
    return MigratedFile(
        migrated=migrated,
        role=role,
        order=order,
        name=spec["name"],
        component=component,
        file_name=f.file_name if f else "",
        storage_name=_store_file(f) if f else "",
        sha256=f.sha256 if f else "",
        size=f.size if f else 0,
        number=spec.get("number", ""),
        signed_at=dt.datetime.fromisoformat(signed.replace("Z", "+00:00")) if signed else None,
    )


def _announce(d: Dossier, last: DossierEvent) -> None:
    """The one event for a dossier the old system never sent to the national portal and that
    is still open: its state now, so the changes that follow reach a dossier the portal has."""
    with translation.override("vi"):
        outbox_add_many(
            [
                OutboxItem(
                    destination=DESTINATION,
                    kind="dossier.progress",
                    aggregate_type="dossier",
                    aggregate_id=d.code,
                    aggregate_seq=last.seq,
                    payload={
                        "event": "migrate",
                        "status_changed": True,
                        "dossier": dossier_object(d),
                        "progress": progress_row(d, last, actor_name=last.actor_label),
                    },
                )
            ]
        )


def _months(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    start = first
    while start <= last:
        following = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        out.append((start, min(last, following - dt.timedelta(days=1))))
        start = following
    return out


def _rebuild_counts(run: ImportRun) -> None:
    """The counts of the days the imported history covers, from the history (month by month:
    dossier transitions wait while a rebuild runs)."""
    if run.first_day is None or run.last_day is None:
        return
    for start, end in _months(run.first_day, run.last_day):
        counts_rebuild(start, end)


# ---------------------------------------------------------------------------------------------
# Export


@dataclass
class ExportResult:
    path: Path
    dossiers: int
    files: int


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value is not None else None


def _export_file(f: MigratedFile, out_dir: Path) -> dict[str, Any] | None:
    if not f.storage_name:
        return None
    rel = Path("files") / f.sha256[:2] / f.sha256 / (f.file_name or "file")
    target = out_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(f.storage_name, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return {"path": rel.as_posix(), "sha256": f.sha256, "size": f.size}


def dossier_record(d: Dossier, out_dir: Path | None = None) -> dict[str, Any]:
    """A dossier as one record of the format (files copied under `out_dir` when given)."""
    migrated = getattr(d, "migrated", None)  # RelatedObjectDoesNotExist is an AttributeError
    files = list(migrated.files.all()) if migrated is not None else []
    by_component = {f.component_id: f for f in files if f.component_id}

    def file_of(f: MigratedFile | None) -> dict[str, Any] | None:
        if f is None or out_dir is None:
            return None
        return _export_file(f, out_dir)

    return {
        "format": FORMAT,
        "old_code": d.code,
        "national_code": d.external_code or None,
        "procedure_code": d.procedure.code,
        "receiving_agency": identified_unit(d.receiving_agency).code,
        "competent_agency": identified_unit(d.competent_agency).code,
        "channel": d.channel,
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
            "address": d.applicant_address,
        },
        "summary": d.summary,
        "submitted_at": _iso(d.submitted_at),
        "received_at": _iso(d.received_at),
        # The deadline the on-time indicators judge against (never an extended appointment).
        "due_at": _iso(d.statutory_due_at or d.due_at),
        "finished_at": _iso(d.finished_at),
        "returned_at": _iso(d.returned_at),
        "status": d.status,
        "outcome": d.outcome,
        "closed_reason": d.closed_reason,
        "history": [
            {
                "at": _iso(e.at),
                "actor": e.actor_label,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in d.events.all()
        ],
        "components": [
            {
                "name": c.name,
                "originals": c.originals,
                "copies": c.copies,
                "file": file_of(by_component.get(c.pk)),
            }
            for c in d.components.all()
        ],
        "results": [
            {
                "name": f.name,
                "number": f.number,
                "signed_at": _iso(f.signed_at),
                "file": file_of(f),
            }
            for f in files
            if f.role == FileRole.RESULT
        ],
    }


def export_file(
    path: str | os.PathLike, *, agency_code: str, start: dt.date, end: dt.date
) -> ExportResult:
    """Write the dossiers received at or settled by the agency `agency_code`, submitted on
    local days `start`..`end`, to `path` (files beside it under `files/`); written to a
    temporary name and renamed, so a crash never leaves half a file under the name."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound(
            _("No agency has the electronic identifier %(code)s.") % {"code": agency_code}
        )
    if end < start:
        raise InvalidInput(_("The period ends before it starts."), errors={"to": [str(end)]})
    path = Path(path)
    out_dir = path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    since = dt.datetime.combine(start, dt.time(), tzinfo=TZ)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
    qs = (
        Dossier.objects.filter(
            Q(receiving_agency=agency) | Q(competent_agency=agency),
            submitted_at__gte=since,
            submitted_at__lt=until,
            is_sandbox=False,
        )
        .select_related("procedure", "receiving_agency", "competent_agency", "migrated")
        .prefetch_related("events", "components", "migrated__files")
        .order_by("submitted_at", "pk")
    )
    tmp = path.with_name(path.name + ".part")
    count = files = 0
    with tmp.open("w", encoding="utf-8") as out:
        for d in qs.iterator(chunk_size=500):
            record = dossier_record(d, out_dir)
            files += sum(1 for c in record["components"] if c["file"]) + sum(
                1 for r in record["results"] if r["file"]
            )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(path)
    return ExportResult(path, count, files)
