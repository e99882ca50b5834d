"""Public verification of signed documents: POST /signatures/verify, GET /signatures/{key}.

Both are open to anyone (no session), as the verification page is: a citizen, a bank or
another agency checks a document it was handed. Verifications are rate-limited per client
address (429, signing.throttling)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from motcua.core.schemas import ErrorOut
from motcua.core.uploads import upload_read

from .models import SignedDocument
from .selectors import SignatureReport, VerificationReport, signed_document_get
from .throttling import verify_upload

router = Router(tags=["signatures"])


class SignedDocumentOut(Schema):
    key: str
    sha256: str
    kind: str
    dossier_code: str
    agency_code: str | None
    agency_name: str
    signer_name: str
    signed_at: dt.datetime

    @staticmethod
    def build(record: SignedDocument) -> SignedDocumentOut:
        return SignedDocumentOut(
            key=record.lookup_key,
            sha256=record.sha256,
            kind=record.kind,
            dossier_code=record.dossier_code,
            agency_code=record.agency.code,
            agency_name=record.agency.name,
            signer_name=record.signer.full_name or record.signer.username,
            signed_at=record.signed_at,
        )


class SignatureOut(Schema):
    field_name: str
    signer_name: str
    organization: str
    identifier: str
    serial: str
    issuer: str
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    timestamp_valid: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool


class VerificationOut(Schema):
    valid: bool
    signed: bool
    intact: bool
    trusted: bool
    modified_after_signing: bool
    problems: list[str]
    sha256: str
    signatures: list[SignatureOut]
    # "exact": this file is registered; "key": its QR key is, but the file differs; "": neither.
    registry_match: str
    dossier_code: str
    document: SignedDocumentOut | None

    @staticmethod
    def build(report: VerificationReport) -> VerificationOut:
        def signature(s: SignatureReport) -> SignatureOut:
            return SignatureOut(**{name: getattr(s, name) for name in SignatureOut.model_fields})

        return VerificationOut(
            valid=report.valid,
            signed=report.signed,
            intact=report.intact,
            trusted=report.trusted,
            modified_after_signing=report.modified_after_signing,
            problems=[str(p) for p in report.problems],
            sha256=report.sha256,
            signatures=[signature(s) for s in report.signatures],
            registry_match=report.registry_match,
            dossier_code=report.dossier_code,
            document=SignedDocumentOut.build(report.record) if report.record else None,
        )


@router.post("/verify", response={200: VerificationOut, 429: ErrorOut}, auth=None)
def verify(request: HttpRequest, file: File[UploadedFile]):
    """Verify the digital signatures of a PDF (multipart, field `file`): valid or not, who
    signed, when (the timestamps), whether it was changed after signing, and for which dossier
    (from the registry of documents signed here). An unsigned PDF is "not valid"; a file that
    is not a PDF answers 422."""
    pdf = upload_read(file, max_bytes=settings.SIGNING_VERIFY_MAX_BYTES)
    return VerificationOut.build(verify_upload(request, pdf))


@router.get("/{key}", response=SignedDocumentOut, auth=None)
def registry_lookup(request: HttpRequest, key: str):
    """The registry's record of a signed document by the key of its QR code."""
    return SignedDocumentOut.build(signed_document_get(key))
