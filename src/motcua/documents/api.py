"""Papers of dossiers over JSON, at /api/v1/documents: list a dossier's papers, upload
(multipart), replace by a new version, digitize, download. Every operation calls the service
or selector the dossier page does, under the same rule (permissions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import Id, Moment
from motcua.dossiers.models import DossierComponent
from motcua.dossiers.selectors import dossier_get

from . import selectors, services
from .constants import DocumentKind, DocumentType, OwnerKind
from .models import Document
from .views import file_response
from .warehouse import warehouse_list

router = Router(tags=["documents"])

Kind = Literal[tuple(DocumentKind.values)]  # type: ignore[valid-type]
TypeCode = Literal[tuple(DocumentType.values)]  # type: ignore[valid-type]
Owner = Literal[tuple(OwnerKind.values)]  # type: ignore[valid-type]


class DocumentOut(Schema):
    id: int
    dossier_id: int | None
    component_id: int | None
    kind: str
    source: str
    original_name: str
    size: int
    content_type: str
    sha256: str
    page_count: int | None
    version: int
    replaces_id: int | None
    reused_from_id: int | None
    national_reference: str
    is_current: bool
    owner_kind: str
    owner_number: str
    owner_name: str
    document_type: str
    number: str
    issued_on: dt.date | None
    issuer: str
    valid_until: dt.date | None
    digitized: bool
    digitized_by: str | None = Field(None, alias="digitized_by.username")
    digitized_at: Moment | None
    uploaded_at: Moment


class UploadIn(Schema):
    dossier_id: Id
    component_id: Id | None = None
    kind: Kind = DocumentKind.COMPONENT.value


class DigitizeIn(Schema):
    document_type: TypeCode
    number: str = Field("", max_length=100)
    issued_on: dt.date | None = None
    issuer: str = Field("", max_length=255)
    valid_until: dt.date | None = None
    owner_kind: Owner | None = None
    owner_number: str | None = Field(None, max_length=20)
    owner_name: str | None = Field(None, max_length=255)


@router.get("", response=list[DocumentOut])
def list_documents(request: HttpRequest, dossier_id: Id):
    """Every paper of the dossier, all versions (`is_current` marks the ones in force)."""
    dossier = dossier_get(user=request.user, pk=dossier_id)
    return list(selectors.documents_of_dossier(user=request.user, dossier=dossier))


class WarehouseItemOut(Schema):
    document: DocumentOut
    expired: bool
    dossier_code: str


class ReuseIn(Schema):
    dossier_id: Id
    component_id: Id
    document_id: Id


class NationalLookupIn(Schema):
    dossier_id: Id
    component_id: Id


class WarehouseQuery(Schema):
    owner_kind: Owner
    owner_number: str = Field(..., min_length=1, max_length=20)


@router.get("/warehouse", response=list[WarehouseItemOut])
def warehouse(request: HttpRequest, query: Query[WarehouseQuery]):
    """Kho dữ liệu điện tử of a person or organization: their digitized papers, results and
    certified copies in force, newest first, `expired` marking a validity that has ended. For
    officials who receive dossiers (to offer them at reception) and the owner; 403 otherwise."""
    return warehouse_list(
        user=request.user, owner_kind=query.owner_kind, owner_number=query.owner_number
    )


def _dossier_component(request: HttpRequest, dossier_id: int, component_id: int):
    dossier = dossier_get(user=request.user, pk=dossier_id)
    component = DossierComponent.objects.filter(pk=component_id, dossier=dossier).first()
    if component is None:
        message = _("The component is not one of this dossier's.")
        raise InvalidInput(message, errors={"component_id": [message]})
    return dossier, component


@router.post("/reuse", response={201: DocumentOut})
def reuse_document(request: HttpRequest, payload: ReuseIn):
    """Satisfy a component with a paper of the applicant's data warehouse, without uploading it
    again: a new paper sharing the stored bytes (same SHA-256), `source` "reused",
    `reused_from_id` the original. Another person's paper answers 404; an expired one 409
    (`expired`)."""
    dossier, component = _dossier_component(request, payload.dossier_id, payload.component_id)
    document = Document.objects.filter(pk=payload.document_id).first()
    if document is None:
        raise NotFound(_("Document not found."))
    new = services.document_reuse(
        actor=request.user, dossier=dossier, component=component, document=document
    )
    return Status(201, new)


@router.post("/national-lookup", response={201: DocumentOut})
def national_lookup(request: HttpRequest, payload: NationalLookupIn):
    """Satisfy a component from the national population database (a citizen) or the business
    register (an organization), looked up by the applicant's number: a generated PDF extract
    becomes its paper (`source` "national_database"). Not found, or the register unavailable:
    409 (`register_not_found`, `register_unavailable`) and nothing is stored."""
    dossier, component = _dossier_component(request, payload.dossier_id, payload.component_id)
    new = services.document_from_national_database(
        actor=request.user, dossier=dossier, component=component
    )
    return Status(201, new)


class ResultDraftIn(Schema):
    dossier_id: Id
    text: Annotated[str, StringConstraints(max_length=20_000)]
    title: Annotated[str, StringConstraints(max_length=255)] = ""


@router.post("/result-draft", response={201: DocumentOut})
def make_result_draft(request: HttpRequest, payload: ResultDraftIn):
    """Lập dự thảo kết quả từ mẫu: `text` (the agency's decision, a paragraph per line) laid
    out as the competent agency's document, titled `title` or the catalog's result, stored as
    the dossier's draft result (a new version of the one in force) for its signing step to
    sign. 409 `no_signing_step` when the dossier's process has no signing step."""
    from motcua.dossiers.services.results import result_draft_generate

    dossier = dossier_get(user=request.user, pk=payload.dossier_id)
    document = result_draft_generate(
        actor=request.user, dossier=dossier, text=payload.text, title=payload.title
    )
    return Status(201, document)


@router.post("", response={201: DocumentOut})
def upload_document(request: HttpRequest, fields: Form[UploadIn], file: File[UploadedFile]):
    """Add a paper to the dossier (to one of its components), checked by its content first:
    a refused file answers 422 with the reason in `code` (file_type, file_too_large,
    file_malformed, file_encrypted, file_too_many_pages, file_bomb, file_macros, file_infected,
    file_antivirus_unavailable) and nothing is stored."""
    dossier = dossier_get(user=request.user, pk=fields.dossier_id)
    component = None
    if fields.component_id is not None:
        component = DossierComponent.objects.filter(pk=fields.component_id, dossier=dossier).first()
        if component is None:
            message = _("The component is not one of this dossier's.")
            raise InvalidInput(message, errors={"component_id": [message]})
    document = services.document_add(
        actor=request.user,
        dossier=dossier,
        component=component,
        content=file,
        name=file.name or "",
        kind=fields.kind,
    )
    return Status(201, document)


@router.get("/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: Id):
    return selectors.document_get(user=request.user, pk=document_id)


@router.get("/{document_id}/content")
def download_document(request: HttpRequest, document_id: Id):
    """The paper's bytes (its own media type), for whoever may open it; audited."""
    document = selectors.document_get(user=request.user, pk=document_id)
    return file_response(selectors.document_open(user=request.user, document=document))


@router.post("/{document_id}/replace", response={201: DocumentOut})
def replace_document(request: HttpRequest, document_id: Id, file: File[UploadedFile]):
    """A new version of the paper; the old one stays (no longer current). 409 when it was
    already replaced."""
    document = selectors.document_get(user=request.user, pk=document_id)
    new = services.document_replace(
        actor=request.user, document=document, content=file, name=file.name or ""
    )
    return Status(201, new)


@router.post("/{document_id}/digitize", response=DocumentOut)
def digitize_document(request: HttpRequest, document_id: Id, payload: DigitizeIn):
    """Record what the paper is (type from the controlled list, number, dates, issuer, owner)
    and mark it digitized."""
    document = selectors.document_get(user=request.user, pk=document_id)
    return services.document_digitize(
        actor=request.user,
        document=document,
        data=services.Digitization(**payload.dict()),
    )
