"""Process definitions over JSON, at /api/v1/workflows.

Catalog administrators (WORKFLOW_MANAGE) configure, test-run and activate each procedure's
processing workflow here, through the same services the pages use. A definition another
province's administrator may not manage answers 404. Export and import use the portable
format "motcua.workflow/1" (selectors.definition_export), so a province can share a workflow.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_get
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import (
    AgencyRef,
    Code,
    CommuneCode,
    Id,
    ProvinceCode,
    Text,
    Unchanged,
    column,
)
from motcua.organizations.models import Agency
from motcua.organizations.selectors import agency_by_ref
from motcua.territory.models import Province

from . import selectors, services
from .models import ProcessDefinition, TestRun
from .validation import definition_problems

router = Router(tags=["workflows"])

# Schemas ---------------------------------------------------------------------------------------


class AgencyBrief(Schema):
    id: int
    code: str | None
    name: str


class DefinitionOut(Schema):
    id: int
    procedure_code: str
    procedure_name: str
    province: int
    agency: AgencyBrief | None
    number: int
    name: str
    status: str
    content_hash: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    activated_at: dt.datetime | None
    retired_at: dt.datetime | None

    @staticmethod
    def resolve_procedure_code(obj: ProcessDefinition) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_procedure_name(obj: ProcessDefinition) -> str:
        return obj.procedure.name

    @staticmethod
    def resolve_province(obj: ProcessDefinition) -> int:
        return obj.province_id


class TestRunBrief(Schema):
    id: int
    passed: bool
    content_hash: str
    ran_at: dt.datetime
    ran_by: str

    @staticmethod
    def resolve_ran_by(obj: TestRun) -> str:
        return obj.ran_by.username


class DefinitionDetail(DefinitionOut):
    document: dict[str, Any]
    test_runs: list[TestRunBrief]

    @staticmethod
    def resolve_test_runs(obj: ProcessDefinition) -> list[TestRun]:
        return list(selectors.definition_test_runs(obj)[:10])


class TestRunOut(TestRunBrief):
    definition_status: str
    report: dict[str, Any]

    @staticmethod
    def resolve_definition_status(obj: TestRun) -> str:
        return obj.definition.status


class ProblemOut(Schema):
    step_key: str | None
    code: str
    message: str


class DefinitionIn(Schema):
    procedure: Code
    province: ProvinceCode | None = None
    agency: AgencyRef | None = None
    name: column(ProcessDefinition, "name")
    document: dict[str, Any]
    note: Text = ""


class DefinitionPatch(Schema):
    """Only the fields sent change; none of them can be cleared with null."""

    name: column(ProcessDefinition, "name") = Unchanged()
    document: dict[str, Any] = Unchanged()
    note: Text = Unchanged()


class TestRunIn(Schema):
    commune: CommuneCode | None = None
    start: dt.datetime | None = None


class ImportIn(Schema):
    procedure: Code
    province: ProvinceCode | None = None
    agency: AgencyRef | None = None
    data: dict[str, Any]


class ImportOut(Schema):
    definition: DefinitionOut
    notes: list[str]


# Helpers ---------------------------------------------------------------------------------------


def _agency(ref: AgencyRef | None) -> Agency | None:
    return agency_by_ref(ref, "agency")


def _scope(province_code: int | None, agency: Agency | None, user) -> Province:
    """The province: given, else the agency's, else the user's home agency's."""
    if province_code is not None:
        province = Province.objects.filter(pk=province_code).first()
        if province is None:
            raise InvalidInput(
                _("The request has errors."), errors={"province": [_("Unknown province.")]}
            )
        return province
    if agency is not None:
        return agency.province
    if getattr(user, "agency_id", None):
        return user.agency.province
    raise InvalidInput(
        _("The request has errors."), errors={"province": [_("This value is required.")]}
    )


def _procedure(code: str) -> Procedure:
    try:
        return procedure_get(code)
    except NotFound:
        raise InvalidInput(
            _("The request has errors."),
            errors={"procedure": [_("Unknown procedure codes: %(codes)s.") % {"codes": code}]},
        ) from None


# Endpoints -------------------------------------------------------------------------------------


@router.get("", response=list[DefinitionOut])
def list_definitions(request, procedure: Code = "", status: Code = ""):
    """The definitions the user may manage; filter by procedure code and status."""
    return selectors.definitions_list(
        user=request.user,
        procedure=_procedure(procedure) if procedure else None,
        status=status or None,
    )


@router.post("", response={201: DefinitionDetail})
def create_definition(request, payload: DefinitionIn):
    """A new draft. Validation errors come back per path, e.g. `steps.2.limit_amount`."""
    agency = _agency(payload.agency)
    definition = services.definition_create(
        actor=request.user,
        procedure=_procedure(payload.procedure),
        province=_scope(payload.province, agency, request.user),
        agency=agency,
        name=payload.name,
        document=payload.document,
        note=payload.note,
    )
    return Status(201, definition)


@router.post("/import", response={201: ImportOut})
def import_definition(request, payload: ImportIn):
    """A new draft from an export ("motcua.workflow/1"); named units are mapped into the
    target province by electronic identifier, then by exact name."""
    agency = _agency(payload.agency)
    definition, notes = services.definition_import(
        actor=request.user,
        procedure=_procedure(payload.procedure),
        province=_scope(payload.province, agency, request.user),
        agency=agency,
        data=payload.data,
    )
    return Status(201, {"definition": definition, "notes": notes})


@router.get("/{definition_id}", response=DefinitionDetail)
def get_definition(request, definition_id: Id):
    return selectors.definition_get(user=request.user, pk=definition_id)


@router.patch("/{definition_id}", response=DefinitionDetail)
def update_definition(request, definition_id: Id, payload: DefinitionPatch):
    """Change a draft or tested version; new steps send a tested one back to draft."""
    return services.definition_update(
        actor=request.user,
        definition=selectors.definition_get(user=request.user, pk=definition_id),
        name=payload.name,
        document=payload.document,
        note=payload.note,
    )


@router.post("/{definition_id}/new-version", response={201: DefinitionDetail})
def new_version(request, definition_id: Id):
    definition = services.definition_new_version(
        actor=request.user,
        definition=selectors.definition_get(user=request.user, pk=definition_id),
    )
    return Status(201, definition)


@router.post("/{definition_id}/test-run", response={201: TestRunOut})
def run_test(request, definition_id: Id, payload: TestRunIn | None = None):
    """Kiểm thử: the sandbox run's report (officials and deadline per step, problems)."""
    payload = payload or TestRunIn()
    run = services.definition_test_run(
        actor=request.user,
        definition=selectors.definition_get(user=request.user, pk=definition_id),
        commune_id=payload.commune,
        start=payload.start,
    )
    return Status(201, run)


@router.post("/{definition_id}/activate", response=DefinitionDetail)
def activate(request, definition_id: Id):
    return services.definition_activate(
        actor=request.user,
        definition=selectors.definition_get(user=request.user, pk=definition_id),
    )


@router.post("/{definition_id}/retire", response=DefinitionDetail)
def retire(request, definition_id: Id):
    return services.definition_retire(
        actor=request.user,
        definition=selectors.definition_get(user=request.user, pk=definition_id),
    )


@router.get("/{definition_id}/problems", response=list[ProblemOut])
def problems(request, definition_id: Id):
    """What validation finds today (the same checks as activation)."""
    definition = selectors.definition_get(user=request.user, pk=definition_id)
    return [p.as_dict() for p in definition_problems(definition)]


@router.get("/{definition_id}/export")
def export_definition(request, definition_id: Id):
    """The portable JSON ("motcua.workflow/1"), as a file another province can import."""
    definition = selectors.definition_get(user=request.user, pk=definition_id)
    body = json.dumps(selectors.definition_export(definition), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"quy-trinh-{definition.procedure.code}-v{definition.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
