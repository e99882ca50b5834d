"""Writes of process definitions (quy trình giải quyết). Each asks `can`, audits, and runs in one
transaction.

Lifecycle: draft → (test-run passes) tested → (activated) active → retired. Changing a tested
definition's steps sends it back to draft; activation needs a passed test-run of exactly the
content being activated, and retires the version it replaces in the same transaction, so a
procedure and agency (or province) never has two active versions nor, in between, none.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from motcua.accounts.authz import require
from motcua.accounts.constants import Action
from motcua.catalog.content import errors_from_validation
from motcua.catalog.models import Procedure
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict, InvalidInput
from motcua.organizations.models import Agency, AgencyKind
from motcua.territory.models import Province

from .constants import DefinitionStatus, UnitRefKind
from .models import ProcessDefinition, TestRun
from .selectors import EXPORT_FORMAT, definition_last_passed_run
from .spec import UnitRef, WorkflowSpec, spec_hash, spec_parse
from .testrun import test_run
from .validation import Problem, definition_problems

MANAGE = Action.WORKFLOW_MANAGE
EDITABLE = {DefinitionStatus.DRAFT, DefinitionStatus.TESTED}


# Parsing -----------------------------------------------------------------------------------


def _special_message(error: dict) -> str | None:
    kind, text = error["type"], str(error.get("msg", ""))
    if kind == "value_error" and "duplicate step key" in text:
        return _("Two steps have the same key; each step needs its own key.")
    if kind == "value_error" and "agency_id or agency_code" in text:
        return _("A named unit needs its id or electronic identifier.")
    if kind == "string_pattern_mismatch":
        return _("Use lower-case letters without diacritics, digits, _ and - only.")
    if kind == "too_short" and error["loc"] == ("steps",):
        return _("A workflow needs at least one step.")
    return None


def _spec_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors keyed by path ("steps.2.limit_amount"), in Vietnamese."""
    generic = {key: iter(msgs) for key, msgs in errors_from_validation(exc).items()}
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "__all__"
        message = next(generic[path], "")
        special = _special_message(error)
        key = "steps" if path == "__all__" and special else path
        errors.setdefault(key, []).append(special or message)
    return errors


def _parse(document: dict[str, Any]) -> WorkflowSpec:
    if not isinstance(document, dict):
        raise InvalidInput(
            _("The workflow has errors."), errors={"document": [_("Wrong kind of value.")]}
        )
    try:
        return spec_parse(document)
    except ValidationError as exc:
        raise InvalidInput(_("The workflow has errors."), errors=_spec_errors(exc)) from exc


def _fill_units(spec: WorkflowSpec, province: Province) -> dict[str, Any]:
    """The document with every named unit's id, identifier and name filled in from the
    database (relative references carry none); an unknown unit is an error on its path."""
    errors: dict[str, list[str]] = {}

    def fill(ref: UnitRef, path: str, step_name: str) -> None:
        if ref.ref != UnitRefKind.AGENCY:
            ref.agency_id, ref.agency_code, ref.agency_name = None, "", ""
            return
        qs = Agency.objects.filter(province=province)
        agency = (
            qs.filter(pk=ref.agency_id).first()
            if ref.agency_id is not None
            else qs.filter(code=ref.agency_code).first()
        )
        if agency is None:
            errors.setdefault(path, []).append(
                _('Step "%(step)s": no unit %(unit)s in %(province)s.')
                % {
                    "step": step_name,
                    "unit": ref.agency_code or ref.agency_id,
                    "province": province.name,
                }
            )
            return
        ref.agency_id, ref.agency_code, ref.agency_name = agency.pk, agency.code or "", agency.name

    for i, step in enumerate(spec.steps):
        fill(step.unit, f"steps.{i}.unit", step.name)
        for j, ref in enumerate(step.consult_units):
            fill(ref, f"steps.{i}.consult_units.{j}", step.name)
    if errors:
        raise InvalidInput(_("The workflow has errors."), errors=errors)
    return spec.as_document()


def _document(document: dict[str, Any], province: Province) -> tuple[dict[str, Any], str]:
    normalized = _fill_units(_parse(document), province)
    return normalized, spec_hash(normalized)


# Helpers -----------------------------------------------------------------------------------


def _state(definition: ProcessDefinition) -> dict[str, Any]:
    return {"status": definition.status, "content_hash": definition.content_hash}


def _wrong_status(definition: ProcessDefinition) -> Conflict:
    return Conflict(
        _("Version %(n)s is %(s)s; this action is not possible.")
        % {"n": definition.number, "s": DefinitionStatus(definition.status).label},
        code="wrong_status",
    )


def _transition(
    definition: ProcessDefinition, old: set[str], new: str, **changes: Any
) -> ProcessDefinition:
    """Move `definition` from one of `old` to `new`, refusing if someone moved it first."""
    if definition.status not in old:
        raise _wrong_status(definition)
    updated = ProcessDefinition.objects.filter(
        pk=definition.pk, status=definition.status, content_hash=definition.content_hash
    ).update(status=new, updated_at=timezone.now(), **changes)
    if updated != 1:
        raise Conflict(_("Someone else changed this workflow first. Reload and try again."))
    definition.refresh_from_db()
    return definition


def _problems_error(problems: list[Problem]) -> InvalidInput:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.step_key or "definition", []).append(problem.message)
    return InvalidInput(
        _("The workflow has %(n)s problem(s).") % {"n": len(problems)},
        errors=errors,
        code="problems",
    )


def _check_scope(province: Province, agency: Agency | None) -> None:
    if agency is not None and agency.province_id != province.pk:
        raise InvalidInput(
            _("The workflow has errors."),
            errors={"agency": [_("The agency belongs to another province.")]},
        )


def _create(
    *,
    actor,
    procedure: Procedure,
    province: Province,
    agency: Agency | None,
    name: str,
    document: dict[str, Any],
    note: str,
    action: str,
    audit_note: str = "",
) -> ProcessDefinition:
    _check_scope(province, agency)
    require(actor, MANAGE, ProcessDefinition(procedure=procedure, province=province, agency=agency))
    if not name.strip():
        raise InvalidInput(
            _("The workflow has errors."), errors={"name": [_("This value is required.")]}
        )
    normalized, content_hash = _document(document, province)
    with transaction.atomic():
        # Numbering: one writer at a time per procedure.
        Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
        latest = ProcessDefinition.objects.filter(
            procedure=procedure, province=province, agency=agency
        ).aggregate(m=Max("number"))["m"]
        definition = ProcessDefinition(
            procedure=procedure,
            province=province,
            agency=agency,
            number=(latest or 0) + 1,
            name=name.strip()[:255],
            document=normalized,
            content_hash=content_hash,
            note=note,
            created_by=actor if actor is not None and actor.pk else None,
        )
        try:
            with transaction.atomic():
                definition.save()
        except IntegrityError as exc:
            raise Conflict(_("Someone else created a version first. Reload.")) from exc
        audit_record(
            actor=actor,
            action=action,
            obj=definition,
            agency=agency,
            after=_state(definition),
            note=audit_note,
        )
    return definition


# Services ----------------------------------------------------------------------------------


def definition_create(
    *,
    actor,
    procedure: Procedure,
    province: Province,
    agency: Agency | None = None,
    name: str,
    document: dict[str, Any],
    note: str = "",
) -> ProcessDefinition:
    """A new draft for `procedure` in `province` (for `agency`, or province-wide), numbered
    after the last version of the same scope."""
    return _create(
        actor=actor,
        procedure=procedure,
        province=province,
        agency=agency,
        name=name,
        document=document,
        note=note,
        action="workflows.definition.create",
    )


def definition_update(
    *,
    actor,
    definition: ProcessDefinition,
    name: str | None = None,
    document: dict[str, Any] | None = None,
    note: str | None = None,
) -> ProcessDefinition:
    """Change a draft or tested definition. New steps send a tested one back to draft: its
    test-run was of other content."""
    require(actor, MANAGE, definition)
    if definition.status not in EDITABLE:
        raise Conflict(
            _("Version %(n)s is %(s)s and can no longer change; make a new version.")
            % {"n": definition.number, "s": DefinitionStatus(definition.status).label},
            code="wrong_status",
        )
    changes: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise InvalidInput(
                _("The workflow has errors."), errors={"name": [_("This value is required.")]}
            )
        changes["name"] = name.strip()[:255]
    if note is not None:
        changes["note"] = note
    if document is not None:
        normalized, content_hash = _document(document, definition.province)
        if content_hash != definition.content_hash:
            changes.update(
                document=normalized, content_hash=content_hash, status=DefinitionStatus.DRAFT
            )
    if not changes:
        return definition
    with transaction.atomic():
        before = _state(definition)
        updated = ProcessDefinition.objects.filter(
            pk=definition.pk, status=definition.status, content_hash=definition.content_hash
        ).update(updated_at=timezone.now(), **changes)
        if updated != 1:
            raise Conflict(_("Someone else changed this workflow first. Reload and try again."))
        definition.refresh_from_db()
        definition.__dict__.pop("_spec", None)
        audit_record(
            actor=actor,
            action="workflows.definition.update",
            obj=definition,
            agency=definition.agency,
            before=before,
            after=_state(definition),
        )
    return definition


def definition_new_version(*, actor, definition: ProcessDefinition) -> ProcessDefinition:
    """A draft copy of any version (active, retired…), to change and test again."""
    require(actor, MANAGE, definition)
    return _create(
        actor=actor,
        procedure=definition.procedure,
        province=definition.province,
        agency=definition.agency,
        name=definition.name,
        document=definition.document,
        note=definition.note,
        action="workflows.definition.new_version",
        audit_note=f"v{definition.number}",
    )


def definition_test_run(
    *,
    actor,
    definition: ProcessDefinition,
    commune_id: int | None = None,
    start: dt.datetime | None = None,
) -> TestRun:
    """Kiểm thử: run the definition in the sandbox and keep the report with the content hash it
    ran on. A pass makes a draft tested; a failure sends a tested one back to draft."""
    require(actor, MANAGE, definition)
    with transaction.atomic():
        current = (
            ProcessDefinition.objects.select_for_update()
            .filter(pk=definition.pk)
            .order_by()  # the default ordering joins nullable relations: not lockable
            .first()
        )
        if current is None or current.content_hash != definition.content_hash:
            raise Conflict(_("Someone else changed this workflow first. Reload and try again."))
        report = test_run(current, commune_id=commune_id, start=start)
        run = TestRun.objects.create(
            definition=current,
            content_hash=current.content_hash,
            passed=report["passed"],
            report=report,
            ran_by=actor,
        )
        before = current.status
        if run.passed and current.status == DefinitionStatus.DRAFT:
            _transition(current, {DefinitionStatus.DRAFT}, DefinitionStatus.TESTED)
        elif not run.passed and current.status == DefinitionStatus.TESTED:
            _transition(current, {DefinitionStatus.TESTED}, DefinitionStatus.DRAFT)
        audit_record(
            actor=actor,
            action="workflows.definition.test_run",
            obj=current,
            agency=current.agency,
            before={"status": before},
            after={
                "status": current.status,
                "passed": run.passed,
                "test_run": run.pk,
                "problems": len(report["problems"]),
            },
        )
    definition.status = current.status
    return run


def definition_activate(*, actor, definition: ProcessDefinition) -> ProcessDefinition:
    """Tested → active, retiring the version active for the same procedure and agency (or the
    same procedure and province) in the same transaction. Needs a passed test-run of exactly
    this content, and the checks must still pass today (officials or the catalog may have
    changed since the run)."""
    require(actor, MANAGE, definition)
    if definition.status != DefinitionStatus.TESTED:
        raise Conflict(
            _("Only a version whose test-run passed can be activated; version %(n)s is %(s)s.")
            % {"n": definition.number, "s": DefinitionStatus(definition.status).label},
            code="not_tested",
        )
    run = definition_last_passed_run(definition)
    if run is None or run.content_hash != definition.content_hash:
        raise Conflict(
            _("The steps changed after the last passed test-run; run the test again."),
            code="not_tested",
        )
    problems = definition_problems(definition)
    if problems:
        raise _problems_error(problems)
    with transaction.atomic():
        Procedure.objects.select_for_update().filter(pk=definition.procedure_id).first()
        current = (
            ProcessDefinition.objects.select_for_update()
            .filter(procedure=definition.procedure_id, status=DefinitionStatus.ACTIVE)
            .order_by("pk")
        )
        if definition.agency_id is None:
            current = current.filter(agency__isnull=True, province=definition.province_id)
        else:
            current = current.filter(agency=definition.agency_id)
        now = timezone.now()
        for previous in current.exclude(pk=definition.pk):
            _transition(
                previous, {DefinitionStatus.ACTIVE}, DefinitionStatus.RETIRED, retired_at=now
            )
            audit_record(
                actor=actor,
                action="workflows.definition.retire",
                obj=previous,
                agency=previous.agency,
                before={"status": DefinitionStatus.ACTIVE},
                after={"status": previous.status},
                note=_("Replaced by version %(n)s.") % {"n": definition.number},
            )
        try:
            with transaction.atomic():
                _transition(
                    definition,
                    {DefinitionStatus.TESTED},
                    DefinitionStatus.ACTIVE,
                    activated_by=actor if actor is not None and actor.pk else None,
                    activated_at=now,
                )
        except IntegrityError as exc:
            raise Conflict(_("Someone else activated a version first. Reload.")) from exc
        audit_record(
            actor=actor,
            action="workflows.definition.activate",
            obj=definition,
            agency=definition.agency,
            before={"status": DefinitionStatus.TESTED},
            after={**_state(definition), "test_run": run.pk},
        )
    return definition


def definition_retire(*, actor, definition: ProcessDefinition) -> ProcessDefinition:
    """Stop using a version (or abandon a draft). Dossiers already on it keep it."""
    require(actor, MANAGE, definition)
    with transaction.atomic():
        before = definition.status
        _transition(
            definition,
            {DefinitionStatus.ACTIVE, DefinitionStatus.TESTED, DefinitionStatus.DRAFT},
            DefinitionStatus.RETIRED,
            retired_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="workflows.definition.retire",
            obj=definition,
            agency=definition.agency,
            before={"status": before},
            after={"status": definition.status},
        )
    return definition


# Import ------------------------------------------------------------------------------------

_CODE_PREFIX = re.compile(r"^(\d{3}\.\d{2}\.\d{2})\.[A-Z]\d{2}$")


def _province_group(province: Province) -> str | None:
    """The province's letter group of electronic identifiers (H20), from its root agency."""
    root = (
        Agency.objects.filter(province=province, parent__isnull=True, kind=AgencyKind.PROVINCE_PC)
        .exclude(code__isnull=True)
        .values_list("code", flat=True)
        .first()
    )
    return root.rsplit(".", 1)[-1] if root else None


def _map_unit(unit: dict[str, Any], province: Province, group: str | None) -> Agency | None:
    """The target province's agency for an exported unit: same identifier (its province group
    replaced by the target's), else exactly the same name (when only one has it)."""
    agencies = Agency.objects.filter(province=province, is_active=True)
    code = str(unit.get("agency_code") or "").strip()
    if code:
        found = agencies.filter(code=code).first()
        match = _CODE_PREFIX.match(code)
        if found is None and match and group:
            found = agencies.filter(code=f"{match.group(1)}.{group}").first()
        if found is not None:
            return found
    name = str(unit.get("agency_name") or "").strip()
    if name:
        named = list(agencies.filter(name=name)[:2])
        if len(named) == 1:
            return named[0]
    return None


def definition_import(
    *,
    actor,
    procedure: Procedure,
    province: Province,
    agency: Agency | None = None,
    data: dict[str, Any],
) -> tuple[ProcessDefinition, list[str]]:
    """A new draft from another installation's or province's export (selectors.definition_export).

    Named units are re-mapped into `province` by electronic identifier, then by exact name;
    one that cannot be mapped is an error naming the step and the unit, and nothing is saved.
    Returns the draft and notes for people (each mapping made, warnings).
    """
    _check_scope(province, agency)
    require(actor, MANAGE, ProcessDefinition(procedure=procedure, province=province, agency=agency))
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidInput(
            _("This is not a workflow export."),
            errors={"format": [_("Expected the format %(f)s.") % {"f": EXPORT_FORMAT}]},
        )
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise InvalidInput(
            _("The workflow has errors."), errors={"steps": [_("Wrong kind of value.")]}
        )
    notes: list[str] = []
    if data.get("procedure_code") and data["procedure_code"] != procedure.code:
        notes.append(
            _("The export was made for procedure %(src)s; it is imported for %(dst)s.")
            % {"src": data["procedure_code"], "dst": procedure.code}
        )
    group = _province_group(province)
    errors: dict[str, list[str]] = {}
    mapped_steps = []
    for i, raw in enumerate(steps):
        if not isinstance(raw, dict):
            mapped_steps.append(raw)
            continue
        step = {**raw}
        step_name = str(step.get("name") or step.get("key") or i + 1)

        def mapped(unit: Any, path: str, step_name: str = step_name) -> Any:
            if not isinstance(unit, dict) or unit.get("ref") != UnitRefKind.AGENCY:
                return unit
            target = _map_unit(unit, province, group)
            label = unit.get("agency_name") or unit.get("agency_code") or "?"
            if target is None:
                errors.setdefault(path, []).append(
                    _(
                        'Step "%(step)s": the unit "%(unit)s" (%(code)s) has no match in '
                        "%(province)s."
                    )
                    % {
                        "step": step_name,
                        "unit": label,
                        "code": unit.get("agency_code") or "—",
                        "province": province.name,
                    }
                )
                return unit
            notes.append(
                _('Step "%(step)s": the unit "%(unit)s" is mapped to %(target)s.')
                % {"step": step_name, "unit": label, "target": str(target)}
            )
            return {
                **unit,
                "agency_id": target.pk,
                "agency_code": target.code or "",
                "agency_name": target.name,
            }

        if "unit" in step:
            step["unit"] = mapped(step["unit"], f"steps.{i}.unit")
        if isinstance(step.get("consult_units"), list):
            step["consult_units"] = [
                mapped(u, f"steps.{i}.consult_units.{j}")
                for j, u in enumerate(step["consult_units"])
            ]
        mapped_steps.append(step)
    if errors:
        raise InvalidInput(
            _("Some units of the workflow have no match in %(province)s.")
            % {"province": province.name},
            errors=errors,
            code="unmapped_units",
        )
    definition = _create(
        actor=actor,
        procedure=procedure,
        province=province,
        agency=agency,
        name=str(data.get("name") or procedure.name),
        document={"steps": mapped_steps},
        note=str(data.get("note") or ""),
        action="workflows.definition.import",
        audit_note=str((data.get("source") or {}).get("province", ""))[:255]
        if isinstance(data.get("source"), dict)
        else "",
    )
    return definition, notes
