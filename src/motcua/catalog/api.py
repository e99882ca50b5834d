"""The procedure catalog over JSON, at /api/v1/catalog.

Citizens and portals read published procedures without logging in; catalog administrators
write through the same services the admin pages and importers use, which ask `can()`.
Agencies are referenced by their electronic identifier (mã định danh) where they have one, or
by id (desks usually have no identifier).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.accounts.authz import require
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.selectors import users_by_username
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import (
    AgencyRef,
    Code,
    CommuneCode,
    Id,
    PageNumbers,
    PositiveInt32,
    SearchText,
    Text,
    column,
    list_of,
    paginate,
)
from motcua.core.uploads import upload_read
from motcua.organizations.models import Agency
from motcua.organizations.selectors import agency_by_ref
from motcua.territory.models import Commune
from motcua.territory.selectors import commune_get

from . import importing, selectors, services
from .competence import CompetenceIndex
from .constants import AuthorityKind, ReceivingMode
from .content import ProcedureContent
from .exports import health_xlsx
from .models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    Procedure,
    ProcedureVersion,
    PublicService,
)
from .permissions import catalog_scope
from .views import attachment_header, form_template_response, xlsx_response

router = Router(tags=["catalog"])

# Schemas ---------------------------------------------------------------------------------------


class AgencyBrief(Schema):
    id: int
    code: str | None
    name: str


class CommuneBrief(Schema):
    code: int
    name: str


class DecisionOut(Schema):
    number: str
    date: dt.date | None
    issuer: str


class ProcedureItem(Schema):
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    online_level: str
    is_province_specific: bool

    @staticmethod
    def resolve_field_code(obj: Procedure) -> str:
        return obj.field.code if obj.field_id else ""

    @staticmethod
    def resolve_field_name(obj: Procedure) -> str:
        return obj.field.name if obj.field_id else ""


class FormTemplateLink(Schema):
    id: int
    code: str
    name: str
    file_name: str
    url: str


class CompetenceOut(Schema):
    commune: CommuneBrief | None
    agency: AgencyBrief
    authority: str
    authority_label: str
    delegated_by: AgencyBrief | None
    delegation_basis: str
    desks: list[AgencyBrief]


class UpcomingOut(Schema):
    version: int
    effective_from: dt.date | None


class ProcedureDetail(Schema):
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    online_level: str
    is_province_specific: bool
    version: int
    status: str
    effective_from: dt.date | None
    decision: DecisionOut
    upcoming: UpcomingOut | None
    content: dict[str, Any]
    form_templates: list[FormTemplateLink]
    competence: CompetenceOut | None
    competence_problem: str


class FieldOut(Schema):
    code: str
    name: str
    published: int


class LifeEventOut(Schema):
    code: str
    name: str
    description: str
    published: int


class FullOnlineListOut(Schema):
    id: int
    decision_number: str
    decision_date: dt.date
    issuer: str
    note: str
    procedures: list[ProcedureItem]

    @staticmethod
    def resolve_procedures(obj) -> list[Procedure]:
        return sorted(obj.procedures.all(), key=lambda p: p.code)


class VersionOut(Schema):
    procedure_code: str
    number: int
    status: str
    status_reason: str
    source: str
    effective_from: dt.date | None
    decision: DecisionOut
    content_hash: str
    created_at: dt.datetime
    approved_at: dt.datetime | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_procedure_code(obj: ProcedureVersion) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_decision(obj: ProcedureVersion) -> dict:
        return _decision(obj)


class GapOut(Schema):
    code: str
    message: str
    where: str


class VersionDetail(VersionOut):
    document: dict[str, Any]
    gaps: list[GapOut]


class ReasonIn(Schema):
    reason: column(ProcedureVersion, "status_reason") = ""


class CompetenceIn(Schema):
    commune: CommuneCode | None = None
    mode: Code
    agency: AgencyRef | None = None
    authority: Code = AuthorityKind.COMPETENT
    delegated_by: AgencyRef | None = None
    delegation_basis: column(CompetenceRule, "delegation_basis") = ""
    receiving: Code = ReceivingMode.COMPETENT_AGENCY
    desks: list_of(AgencyRef) = []


class CompetenceRuleOut(Schema):
    id: int
    procedure_code: str
    commune: CommuneBrief | None
    mode: str
    agency: AgencyBrief | None
    authority: str
    delegated_by: AgencyBrief | None
    delegation_basis: str
    receiving: str
    desks: list[AgencyBrief]

    @staticmethod
    def resolve_procedure_code(obj: CompetenceRule) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_desks(obj: CompetenceRule) -> list[Agency]:
        return list(obj.desks.all())


class PublicServiceIn(Schema):
    procedure: Code
    agency: AgencyRef
    channel: Code
    officials: list_of(column(User, "username")) = []


class PublicServiceOut(Schema):
    id: int
    procedure_code: str
    agency: AgencyBrief
    channel: str
    is_active: bool
    declared_at: dt.datetime
    officials: list[str]

    @staticmethod
    def resolve_procedure_code(obj: PublicService) -> str:
        return obj.procedure.code

    @staticmethod
    def resolve_officials(obj: PublicService) -> list[str]:
        grants = obj.grants.filter(revoked_at__isnull=True).select_related("user")
        return sorted(g.user.username for g in grants)


class NoteIn(Schema):
    note: Text = ""


class FullOnlineListIn(Schema):
    decision_number: column(FullOnlineList, "decision_number")
    decision_date: dt.date | None = None
    issuer: column(FullOnlineList, "issuer") = ""
    note: Text = ""
    # A province's list names its full-online procedures: a few hundred.
    procedures: list_of(Code, 5000) = []


class FormTemplateIn(Schema):
    code: column(FormTemplate, "code")
    name: column(FormTemplate, "name")
    legal_basis: column(FormTemplate, "legal_basis") = ""


class FormTemplateOut(Schema):
    id: int
    code: str
    name: str
    legal_basis: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return _template_url(obj.pk)


class HealthRowOut(Schema):
    code: str
    name: str
    field_code: str
    field_name: str
    version: int | None
    status: str | None
    gaps: list[GapOut]


class HealthOut(Schema):
    total: int
    complete: int
    incomplete: int
    percent: float
    published: int
    rows: list[HealthRowOut]


# Helpers ---------------------------------------------------------------------------------------


def _template_url(pk: int) -> str:
    return reverse("api:catalog_form_template_download", kwargs={"template_id": pk})


def _decision(version: ProcedureVersion) -> dict:
    return {
        "number": version.decision_number,
        "date": version.decision_date,
        "issuer": (version.document or {}).get("decision_issuer", ""),
    }


def _agency(ref: AgencyRef | None, field: str) -> Agency | None:
    return agency_by_ref(ref, field)


def _commune(code: int | None) -> Commune | None:
    if code is None:
        return None
    try:
        return commune_get(code)
    except NotFound as exc:
        raise InvalidInput(
            _("The request has errors."), errors={"commune": [exc.message]}
        ) from None


def _procedures(codes: list[str], field: str) -> list[Procedure]:
    found = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        message = _("Unknown procedure codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        raise InvalidInput(_("The request has errors."), errors={field: [message]})
    return [found[code] for code in dict.fromkeys(codes)]


def _version(procedure: Procedure, number: int) -> ProcedureVersion:
    version = procedure.versions.select_related("procedure", "field").filter(number=number).first()
    if version is None:
        raise NotFound(_("%(code)s has no version %(n)s.") % {"code": procedure.code, "n": number})
    return version


def _managed_procedure(user, code: str) -> Procedure:
    """A procedure whose versions the user may read: drafts are for its catalog managers."""
    procedure = selectors.procedure_get(code)
    require(user, Action.CATALOG_MANAGE, procedure)
    return procedure


def _competence(procedure: Procedure, commune: Commune) -> tuple[dict | None, str]:
    resolution = CompetenceIndex.load([procedure]).resolve(procedure.pk, commune.pk)
    competence = resolution.competence
    if competence is None:
        return None, resolution.problem
    return {
        "commune": commune,
        "agency": competence.agency,
        "authority": competence.authority,
        "authority_label": competence.authority_label,
        "delegated_by": competence.delegated_by,
        "delegation_basis": competence.delegation_basis,
        "desks": list(competence.desks),
    }, ""


def _content_schema() -> dict:
    """ProcedureContent's JSON Schema with its definitions inlined, for the OpenAPI page."""
    schema = ProcedureContent.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            siblings = {k: inline(v) for k, v in node.items() if k != "$ref"}
            if ref:
                return {**inline(definitions[ref.rsplit("/", 1)[-1]]), **siblings}
            return siblings
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


# Public reads ----------------------------------------------------------------------------------


@router.get("/procedures", response=list[ProcedureItem], auth=None)
@paginate(PageNumbers, page_size=20)
def list_procedures(
    request,
    q: SearchText = "",
    field: Code = "",
    agency: Code = "",
    level: Code = "",
    online_level: Code = "",
    life_event: Code = "",
):
    """Published procedures, best match first (words with or without diacritics, or a code)."""
    return selectors.procedure_search(
        query=q,
        field_code=field,
        agency=_agency(agency, "agency"),
        level=level,
        online_level=online_level,
        life_event=life_event,
    )


@router.get("/procedures/{code}", response=ProcedureDetail, auth=None)
def get_procedure(request, code: Code, commune: CommuneCode | None = None):
    """The version in force today; with `commune`, who settles it there and where to submit."""
    public = selectors.procedure_public_get(code)
    procedure, version = public.procedure, public.version
    competence, problem = None, ""
    if commune is not None:
        competence, problem = _competence(procedure, _commune(commune))
    templates = {
        c.form_template.pk: c.form_template for c in version.components.all() if c.form_template
    }
    return {
        "code": procedure.code,
        "name": version.name,
        "field_code": version.field.code,
        "field_name": version.field.name,
        "level": version.level,
        "online_level": version.online_level,
        "is_province_specific": version.is_province_specific,
        "version": version.number,
        "status": version.status,
        "effective_from": version.effective_from,
        "decision": _decision(version),
        "upcoming": public.upcoming
        and {"version": public.upcoming.number, "effective_from": public.upcoming.effective_from},
        "content": version.document,
        "form_templates": [
            {
                "id": t.pk,
                "code": t.code,
                "name": t.name,
                "file_name": t.file_name,
                "url": _template_url(t.pk),
            }
            for t in templates.values()
        ],
        "competence": competence,
        "competence_problem": problem,
    }


@router.get("/fields", response=list[FieldOut], auth=None)
def list_fields(request):
    return selectors.field_list()


@router.get("/life-events", response=list[LifeEventOut], auth=None)
def list_life_events(request):
    return selectors.life_event_list()


@router.get("/full-online-list", response=FullOnlineListOut, auth=None)
def get_full_online_list(request):
    """The province's latest decision listing its full-online procedures."""
    return selectors.full_online_list_get()


@router.get("/form-templates/{template_id}", auth=None, url_name="catalog_form_template_download")
def download_form_template(request, template_id: Id):
    """The template file (mẫu đơn, tờ khai) as uploaded."""
    return form_template_response(selectors.form_template_get(template_id))


# Versions --------------------------------------------------------------------------------------


@router.post(
    "/procedures",
    response={201: VersionOut},
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": _content_schema()}}}},
)
def save_procedure(request, payload: Body[dict[str, Any]]):
    """Save a content document as the procedure's open version (a new draft, or the draft
    updated). Validation errors come back per field path, e.g. `fees.0.amount_vnd`."""
    version = services.version_save(actor=request.user, content=payload)
    return Status(201, version)


@router.get("/procedures/{code}/versions", response=list[VersionOut])
def list_versions(request, code: Code):
    procedure = _managed_procedure(request.user, code)
    return procedure.versions.select_related("procedure").order_by("-number")


@router.get("/procedures/{code}/versions/{number}", response=VersionDetail)
def get_version(request, code: Code, number: PositiveInt32):
    """A version's document and what the completeness gate finds missing in it."""
    version = _version(_managed_procedure(request.user, code), number)
    version.gaps = [gap.as_dict() for gap in selectors.version_gaps(version)]
    return version


@router.put(
    "/procedures/{code}/versions/{number}",
    response=VersionDetail,
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": _content_schema()}}}},
)
def update_version(request, code: Code, number: PositiveInt32, payload: Body[dict[str, Any]]):
    """Replace a draft version's content document (what the edit page does). Only a draft:
    another status answers 409; change a published version by saving a new draft
    (`POST /procedures`). Validation errors come back per field path."""
    version = _version(selectors.procedure_get(code), number)
    version = services.version_update(actor=request.user, version=version, content=payload)
    version.gaps = [gap.as_dict() for gap in selectors.version_gaps(version)]
    return version


@router.post("/procedures/{code}/versions/{number}/approve", response=VersionOut)
def approve_version(request, code: Code, number: PositiveInt32):
    version = _version(selectors.procedure_get(code), number)
    return services.version_approve(actor=request.user, version=version)


@router.post("/procedures/{code}/versions/{number}/publish", response=VersionOut)
def publish_version(request, code: Code, number: PositiveInt32):
    version = _version(selectors.procedure_get(code), number)
    return services.version_publish(actor=request.user, version=version)


@router.post("/procedures/{code}/versions/{number}/suspend", response=VersionOut)
def suspend_version(request, code: Code, number: PositiveInt32, payload: ReasonIn):
    version = _version(selectors.procedure_get(code), number)
    return services.version_suspend(actor=request.user, version=version, reason=payload.reason)


@router.post("/procedures/{code}/versions/{number}/resume", response=VersionOut)
def resume_version(request, code: Code, number: PositiveInt32):
    version = _version(selectors.procedure_get(code), number)
    return services.version_resume(actor=request.user, version=version)


@router.post("/procedures/{code}/versions/{number}/abolish", response=VersionOut)
def abolish_version(request, code: Code, number: PositiveInt32, payload: ReasonIn):
    version = _version(selectors.procedure_get(code), number)
    return services.version_abolish(actor=request.user, version=version, reason=payload.reason)


# Competence ------------------------------------------------------------------------------------


@router.put("/procedures/{code}/competence", response=CompetenceRuleOut)
def set_competence(request, code: Code, payload: CompetenceIn):
    """Who settles the procedure for `commune` (null: the province-wide default)."""
    return services.competence_rule_set(
        actor=request.user,
        procedure=selectors.procedure_get(code),
        commune=_commune(payload.commune),
        mode=payload.mode,
        agency=_agency(payload.agency, "agency"),
        authority=payload.authority,
        delegated_by=_agency(payload.delegated_by, "delegated_by"),
        delegation_basis=payload.delegation_basis,
        receiving=payload.receiving,
        desks=[_agency(ref, "desks") for ref in payload.desks],
    )


@router.delete("/procedures/{code}/competence", response={204: None})
def delete_competence(request, code: Code, commune: CommuneCode | None = None):
    """Remove a commune's rule (the default applies there again), or the default itself."""
    procedure = selectors.procedure_get(code)
    rule = procedure.competence_rules.filter(commune_id=commune).first()
    if rule is None:
        raise NotFound(_("No competence rule for this locality."))
    services.competence_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


# Public services and the full-online list ------------------------------------------------------


@router.post("/public-services", response={201: PublicServiceOut})
def declare_public_service(request, payload: PublicServiceIn):
    """Declare that an agency offers a procedure on a channel; the officials named may receive
    it."""
    procedure = selectors.procedure_get(payload.procedure)
    # The service asks the same; asked first here so that only a catalog manager learns which
    # usernames exist.
    require(request.user, Action.CATALOG_MANAGE, procedure)
    officials, unknown = users_by_username(payload.officials)
    if unknown:
        raise InvalidInput(
            _("The request has errors."),
            errors={"officials": [_("Unknown users: %(u)s.") % {"u": ", ".join(unknown)}]},
        )
    service = services.public_service_declare(
        actor=request.user,
        procedure=procedure,
        agency=_agency(payload.agency, "agency"),
        channel=payload.channel,
        officials=officials,
    )
    return Status(201, service)


@router.post("/public-services/{service_id}/withdraw", response=PublicServiceOut)
def withdraw_public_service(request, service_id: Id, payload: NoteIn | None = None):
    service = (
        PublicService.objects.select_related("procedure", "agency").filter(pk=service_id).first()
    )
    if service is None:
        raise NotFound(_("Public service not found."))
    return services.public_service_withdraw(
        actor=request.user, service=service, note=payload.note if payload else ""
    )


@router.post("/full-online-lists", response={201: FullOnlineListOut})
def create_full_online_list(request, payload: FullOnlineListIn):
    decision = services.full_online_list_create(
        actor=request.user,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        issuer=payload.issuer,
        note=payload.note,
        procedures=_procedures(payload.procedures, "procedures"),
    )
    return Status(201, selectors.full_online_list_get(decision.pk))


@router.post("/form-templates", response={201: FormTemplateOut})
def upload_form_template(request, fields: Form[FormTemplateIn], file: File[UploadedFile]):
    """Store a form template file (replacing the one with the same code)."""
    template = services.form_template_save(
        actor=request.user,
        code=fields.code,
        name=fields.name,
        file_name=file.name or "",
        content=upload_read(file, max_bytes=services.MAX_TEMPLATE_BYTES),
        legal_basis=fields.legal_basis,
    )
    return Status(201, template)


# Health ----------------------------------------------------------------------------------------


@router.get("/health", response=HealthOut)
def get_health(request, only_gaps: bool = True):
    """Every procedure checked against the completeness gate: totals and what is missing."""
    require(request.user, Action.CATALOG_MANAGE, catalog_scope())
    health = selectors.catalog_health()
    rows = health.with_gaps if only_gaps else health.rows
    return {
        "total": health.total,
        "complete": health.complete,
        "incomplete": health.total - health.complete,
        "percent": health.percent,
        "published": health.published,
        "rows": [
            {
                "code": r.procedure.code,
                "name": r.procedure.name,
                "field_code": r.procedure.field.code if r.procedure.field_id else "",
                "field_name": r.procedure.field.name if r.procedure.field_id else "",
                "version": r.version.number if r.version else None,
                "status": r.version.status if r.version else None,
                "gaps": [gap.as_dict() for gap in r.gaps],
            }
            for r in rows
        ],
    }


@router.get("/health.xlsx")
def export_health(request):
    """The health review as a spreadsheet: one row per gap, and the totals."""
    require(request.user, Action.CATALOG_MANAGE, catalog_scope())
    return xlsx_response(health_xlsx(selectors.catalog_health()), "ra-soat-danh-muc-tthc.xlsx")


# Import and export -----------------------------------------------------------------------------


class ChangeOut(Schema):
    path: str
    before: Any = None
    after: Any = None


class ImportRowOut(Schema):
    code: str
    name: str
    status: str
    base_version: int | None = None
    changes: list[ChangeOut]


class CatalogImportOut(Schema):
    id: int
    source: str
    file_name: str
    status: str
    created_at: dt.datetime
    applied_at: dt.datetime | None = None
    diff: list[ImportRowOut]


class NationalImportIn(Schema):
    # Each code is one call to the national portal, one after the other.
    codes: list_of(Code, 20)


@router.post("/imports", response={201: CatalogImportOut})
def import_file(request, file: File[UploadedFile]):
    """Check an .xlsx, JSON or national-record file: the diff against each procedure's latest
    version. Nothing changes in the catalog until the import is applied."""
    batch = importing.catalog_import_preview(
        actor=request.user,
        filename=file.name or "",
        content=upload_read(file, max_bytes=importing.MAX_FILE_BYTES),
    )
    return Status(201, batch)


@router.post("/imports/national", response={201: CatalogImportOut})
def import_from_national_portal(request, payload: NationalImportIn):
    """Fetch procedures by code from the national procedure database and check them."""
    batch = importing.catalog_import_from_portal(actor=request.user, codes=payload.codes)
    return Status(201, batch)


@router.get("/imports/{import_id}", response=CatalogImportOut)
def get_import(request, import_id: Id):
    require(request.user, Action.CATALOG_MANAGE, catalog_scope())
    return selectors.catalog_import_get(import_id)


@router.post("/imports/{import_id}/apply", response=CatalogImportOut)
def apply_import(request, import_id: Id):
    """Save every new or changed procedure as a draft version, all or nothing."""
    batch = selectors.catalog_import_get(import_id)
    importing.catalog_import_apply(actor=request.user, batch=batch)
    return selectors.catalog_import_get(import_id)


@router.get("/export.json")
def export_json(request):
    """The latest version of every procedure as content documents (re-importable)."""
    require(request.user, Action.CATALOG_MANAGE, catalog_scope())
    response = HttpResponse(importing.catalog_export_json(), content_type="application/json")
    response["Content-Disposition"] = attachment_header("danh-muc-tthc.json")
    return response


@router.get("/export.xlsx")
def export_xlsx(request):
    """The latest version of every procedure in the import workbook's layout."""
    require(request.user, Action.CATALOG_MANAGE, catalog_scope())
    return xlsx_response(importing.catalog_export_xlsx(), "danh-muc-tthc.xlsx")
