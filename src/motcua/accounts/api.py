"""Officials, grants, roles, import/export and the audit trail over JSON."""

from datetime import datetime

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.catalog.models import Field, Procedure
from motcua.core.errors import NotFound
from motcua.core.schemas import (
    Code,
    Cursors,
    Id,
    LimitOffset,
    SearchText,
    Unchanged,
    column,
    paginate,
)
from motcua.core.uploads import upload_read
from motcua.organizations.selectors import agency_get

from . import importing, selectors, services
from .models import Grant, ImportBatch, User
from .views import export_response

router = Router()


class GrantOut(Schema):
    id: int
    user_id: int
    role: str
    agency_id: int
    agency_code: str | None
    include_subtree: bool
    field_code: str | None
    procedure_code: str | None
    granted_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.role.code

    @staticmethod
    def resolve_agency_code(obj) -> str | None:
        return obj.agency.code

    @staticmethod
    def resolve_field_code(obj) -> str | None:
        return obj.field.code if obj.field_id else None

    @staticmethod
    def resolve_procedure_code(obj) -> str | None:
        return obj.procedure.code if obj.procedure_id else None


class OfficialOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    agency_id: int | None
    position: str
    is_active: bool


class OfficialIn(Schema):
    username: column(User, "username")
    full_name: column(User, "full_name")
    agency_id: Id
    email: column(User, "email") = ""
    phone: column(User, "phone") = ""
    position: column(User, "position") = ""


class OfficialPatch(Schema):
    """Only the fields sent change; none of them can be cleared with null."""

    full_name: column(User, "full_name") = Unchanged()
    email: column(User, "email") = Unchanged()
    phone: column(User, "phone") = Unchanged()
    agency_id: Id = Unchanged()
    position: column(User, "position") = Unchanged()
    is_active: bool = Unchanged()


class GrantIn(Schema):
    user_id: Id
    role: Code
    agency_id: Id
    include_subtree: bool = False
    field_code: Code | None = None
    procedure_code: Code | None = None
    note: column(Grant, "note") = ""


class RoleOut(Schema):
    code: str
    name: str
    name_en: str
    actions: list[str]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    kind: str
    agency_id: int | None
    is_superuser: bool
    grants: list[GrantOut]


class ImportRowError(Schema):
    row: int
    column: str
    message: str


class ImportBatchOut(Schema):
    id: int
    filename: str
    status: str
    rows: int
    summary: dict
    errors: list[ImportRowError]


class AuditOut(Schema):
    id: int
    at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    agency_id: int | None
    before: dict | None
    after: dict | None
    note: str


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "kind": user.kind,
        "agency_id": user.agency_id,
        "is_superuser": user.is_superuser,
        "grants": user.grants.filter(revoked_at__isnull=True).select_related(
            "role", "agency", "field", "procedure"
        ),
    }


@router.get("/roles", response=list[RoleOut])
def list_roles(request):
    return selectors.role_list()


@router.get("/officials", response=list[OfficialOut])
@paginate(LimitOffset)
def list_officials(request, q: SearchText = "", agency_id: Id | None = None):
    return selectors.official_list(user=request.user, query=q, agency_id=agency_id)


@router.get("/officials/export")
def export_officials(request, fmt: Code = "xlsx"):
    content = importing.officials_export(actor=request.user, fmt=fmt)
    return export_response(content, fmt)


@router.post("/officials/import", response=ImportBatchOut)
def import_officials(request, file: File[UploadedFile]):
    """Step 1: upload and check the file (dry run). A file that may be applied is stored; a
    rejected one only with its errors; one over 10 MB is refused unread (422)."""
    return importing.officials_import_preview(
        actor=request.user,
        filename=file.name or "upload",
        content=upload_read(file, max_bytes=importing.MAX_BYTES),
    )


@router.post("/officials/import/{batch_id}/apply", response=ImportBatchOut)
def apply_import(request, batch_id: Id):
    """Step 2: apply a previewed file, all rows or none."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("import batch")
    return importing.officials_import_apply(actor=request.user, batch=batch)


@router.get("/officials/{official_id}", response=OfficialOut)
def get_official(request, official_id: Id):
    return selectors.official_get(user=request.user, official_id=official_id)


@router.post("/officials", response={201: OfficialOut})
def create_official(request, payload: OfficialIn):
    agency = agency_get(user=request.user, agency_id=payload.agency_id)
    official = services.official_create(
        actor=request.user,
        username=payload.username,
        full_name=payload.full_name,
        agency=agency,
        email=payload.email,
        phone=payload.phone,
        position=payload.position,
    )
    return Status(201, official)


@router.patch("/officials/{official_id}", response=OfficialOut)
def update_official(request, official_id: Id, payload: OfficialPatch):
    official = selectors.official_get(user=request.user, official_id=official_id)
    changes = payload.dict(exclude_unset=True)
    if "agency_id" in changes:
        changes["agency"] = agency_get(user=request.user, agency_id=changes.pop("agency_id"))
    return services.official_update(actor=request.user, official=official, **changes)


@router.get("/officials/{official_id}/grants", response=list[GrantOut])
def list_grants(request, official_id: Id, include_revoked: bool = False):
    official = selectors.official_get(user=request.user, official_id=official_id)
    grants = official.grants.select_related("role", "agency", "field", "procedure")
    return grants if include_revoked else grants.filter(revoked_at__isnull=True)


def _by_code(model, code: str | None, label: str):
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise NotFound(f"{label} {code}")
    return obj


@router.post("/grants", response={201: GrantOut})
def create_grant(request, payload: GrantIn):
    grant = services.grant_create(
        actor=request.user,
        user=selectors.official_get(user=request.user, official_id=payload.user_id),
        role=selectors.role_get(payload.role),
        agency=agency_get(user=request.user, agency_id=payload.agency_id),
        include_subtree=payload.include_subtree,
        field=_by_code(Field, payload.field_code, "field"),
        procedure=_by_code(Procedure, payload.procedure_code, "procedure"),
        note=payload.note,
    )
    return Status(201, grant)


@router.post("/grants/{grant_id}/revoke", response=GrantOut)
def revoke_grant(request, grant_id: Id):
    grant = selectors.grant_get(user=request.user, grant_id=grant_id)
    return services.grant_revoke(actor=request.user, grant=grant)


@router.get("/audit", response=list[AuditOut])
@paginate(Cursors)
def list_audit(
    request, object_type: SearchText = "", object_id: SearchText = "", action: SearchText = ""
):
    return selectors.audit_list(
        user=request.user, object_type=object_type, object_id=object_id, action=action
    )
