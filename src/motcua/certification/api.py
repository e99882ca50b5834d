"""Certified copies over JSON, at /api/v1/certifications: certify (multipart: the scan and the
details), the agency's book (list, one line) and the signed copy's PDF. Every operation calls the
service or selector the pages do, under the same rule (permissions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pydantic
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from motcua.core.schemas import ErrorOut, Id, Moment
from motcua.documents.constants import DocumentType, OwnerKind

from . import selectors, services
from .constants import MAX_COPIES
from .views import copy_response

router = Router(tags=["certifications"])

TypeCode = Literal[tuple(DocumentType.values)]  # type: ignore[valid-type]
Owner = Literal[tuple(OwnerKind.values)]  # type: ignore[valid-type]
Year = Annotated[int, pydantic.Field(ge=2000, le=9999)]
# The signing of the copy: the time-stamping authority or remote signing service is down (503)
# or refused the request (502); the number taken is then voided in the book.
SIGNING = {502: ErrorOut, 503: ErrorOut}


class CertificationIn(Schema):
    agency_id: Id
    requester_name: str = Field(max_length=255)
    requester_number: str = Field(max_length=20)
    requester_kind: Owner = OwnerKind.PERSON.value
    document_type: TypeCode
    original_number: str = Field("", max_length=100)
    issuer: str = Field("", max_length=255)
    issued_on: dt.date | None = None
    copies: int = Field(1, ge=1, le=MAX_COPIES)
    dossier_id: Id | None = None


class CertificationOut(Schema):
    id: int
    agency_id: int
    agency_name: str = Field(alias="agency.name")
    book: str
    number: int
    date: dt.date
    status: str
    void_reason: str
    certifier_name: str
    certifier_title: str
    requester_kind: str
    requester_name: str
    requester_number: str
    original_type: str
    original_number: str
    original_issuer: str
    original_issued_on: dt.date | None
    pages: int
    copies: int
    fee_vnd: int
    document_id: int | None
    dossier_id: int | None
    verification_url: str | None
    certified_at: Moment | None

    @staticmethod
    def resolve_verification_url(entry) -> str | None:
        from motcua.signing.services import verification_url

        return verification_url(entry.signed.lookup_key) if entry.signed_id else None


@router.post("", response={201: CertificationOut, **SIGNING})
def certify(request: HttpRequest, fields: Form[CertificationIn], scan: File[UploadedFile]):
    """Certify a copy from its original: the scan (PDF, JPEG or PNG, checked by its content;
    a refused file answers 422 with `code` file_… and nothing is stored), the requester and the
    original's details. The answer holds the book's number, the fee and the verification link."""
    agency = selectors.agency_for_certification(pk=fields.agency_id)
    dossier = None
    if fields.dossier_id is not None:
        dossier = selectors.dossier_for_certification(user=request.user, pk=fields.dossier_id)
    entry = services.copy_certify(
        actor=request.user,
        agency=agency,
        scan=scan,
        scan_name=scan.name or "",
        requester=services.Requester(
            name=fields.requester_name, number=fields.requester_number, kind=fields.requester_kind
        ),
        original=services.Original(
            document_type=fields.document_type,
            number=fields.original_number,
            issuer=fields.issuer,
            issued_on=fields.issued_on,
        ),
        copies=fields.copies,
        dossier=dossier,
    )
    return Status(201, selectors.entry_get(user=request.user, pk=entry.pk))


@router.get("", response=list[CertificationOut])
def list_certifications(
    request: HttpRequest,
    agency_id: Id | None = None,
    year: Year | None = None,
):
    """The lines of the certification books the user may read, newest first."""
    agency = selectors.agency_for_certification(pk=agency_id) if agency_id else None
    return list(selectors.entries_list(user=request.user, agency=agency, year=year)[:1000])


@router.get("/{entry_id}", response=CertificationOut)
def get_certification(request: HttpRequest, entry_id: Id):
    return selectors.entry_get(user=request.user, pk=entry_id)


@router.get("/{entry_id}/pdf")
def certified_copy_pdf(request: HttpRequest, entry_id: Id) -> FileResponse:
    """The signed certified copy (application/pdf); the read is audited."""
    entry = selectors.entry_get(user=request.user, pk=entry_id)
    return copy_response(selectors.certified_copy_open(user=request.user, entry=entry))
