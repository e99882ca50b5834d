"""Verifying signed PDFs (xác thực văn bản điện tử) and reading the registry; public reads.

`verify_pdf(pdf)` answers, for any PDF, whether its signatures are valid: each intact (the
signed bytes hash to the signed digest), cryptographically valid, trusted (its certificate
chains to the configured roots, signing.pki.trust_roots: the local test CA in the demo and the
tests), with its timestamp checked the same way; whether the document was changed after its
last signature; and, from the registry (`SignedDocument`), which dossier it belongs to: by the
SHA-256 of the whole file, or else by the key of its QR code (then the file is not the one
that was signed here). Revocation is not checked: the local PKI publishes no CRL or OCSP, and
production roots are checked the same way (soft-fail, no fetching; UNCONFIRMED whether the
province requires online revocation checks).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.core.errors import NotFound

from . import pki
from .aio import run
from .models import SignedDocument
from .services import INFO_KEY, pdf_check

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureReport:
    """One signature of a PDF, as the verification found it."""

    field_name: str
    signer_name: str
    organization: str
    identifier: str  # the certificate subject's UID: an agency's code, "USER:<username>"
    serial: str  # the certificate's serial number, hex
    issuer: str
    signing_time: datetime | None  # as the signer claims it
    timestamp_time: datetime | None  # from the TSA's token
    timestamp_valid: bool
    intact: bool  # the signed bytes are those the signature covers
    valid: bool  # intact and the cryptographic signature checks
    trusted: bool  # the certificate chains to a trusted root
    covers_whole_file: bool
    changed_after: bool  # the file was changed after this signature in a way not allowed

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.changed_after


@dataclass(frozen=True)
class VerificationReport:
    """The answer of the verification page and API."""

    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    record: SignedDocument | None = None
    # "exact": this very file is in the registry; "key": its QR key is, but the file differs.
    registry_match: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.intact and s.valid for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted for s in self.signatures)

    @property
    def modified_after_signing(self) -> bool:
        """Were bytes changed or added after the last signature (or any not allowed after an
        earlier one), or does the file differ from the one registered under its QR key?"""
        if not self.signed:
            return False
        last = self.signatures[-1]
        return (
            not last.covers_whole_file
            or any(s.changed_after for s in self.signatures)
            or self.registry_match == "key"
        )

    @property
    def valid(self) -> bool:
        return (
            self.signed and all(s.ok for s in self.signatures) and not self.modified_after_signing
        )

    @property
    def dossier_code(self) -> str:
        return self.record.dossier_code if self.record else ""

    @property
    def problems(self) -> list[str]:
        """Why it is not valid, for people."""
        found = []
        if not self.signed:
            found.append(_("The document carries no digital signature."))
        if self.signed and not self.intact:
            found.append(
                _(
                    "The document was changed after it was signed: a signature no longer "
                    "matches its content."
                )
            )
        elif self.modified_after_signing:
            found.append(_("The document was changed after it was signed."))
        if self.signed and not self.trusted:
            found.append(
                _("A signer's certificate is not issued by a trusted certification authority.")
            )
        return found


def _name_attr(cert: asn1_x509.Certificate, attr: str) -> str:
    value = cert.subject.native.get(attr, "")
    if isinstance(value, list):
        value = ", ".join(value)
    return str(value)


def validation_context() -> ValidationContext:
    """Trust the configured roots; no fetching of revocation information (none is published
    for the local PKI)."""
    roots = [pki.asn1_cert(c) for c in pki.trust_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _timestamp_context() -> ValidationContext:
    roots = [pki.asn1_cert(c) for c in pki.tsa_trust_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _report(embedded, vc: ValidationContext, ts_vc: ValidationContext) -> SignatureReport:
    cert = embedded.signer_cert
    try:
        status = run(
            async_validate_pdf_signature(
                embedded, signer_validation_context=vc, ts_validation_context=ts_vc
            )
        )
    except (SignatureValidationError, PdfError, ValueError) as exc:
        log.info("signature %s cannot be validated: %s", embedded.field_name, exc)
        return SignatureReport(
            field_name=embedded.field_name or "",
            signer_name=_name_attr(cert, "common_name"),
            organization=_name_attr(cert, "organization_name"),
            identifier=_name_attr(cert, "user_id"),
            serial=format(cert.serial_number, "X"),
            issuer=cert.issuer.human_friendly,
            signing_time=None,
            timestamp_time=None,
            timestamp_valid=False,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            changed_after=True,
        )
    ts = status.timestamp_validity
    covers_whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    changed = status.coverage not in (
        SignatureCoverageLevel.ENTIRE_FILE,
        SignatureCoverageLevel.ENTIRE_REVISION,
    ) or (status.docmdp_ok is False)
    return SignatureReport(
        field_name=embedded.field_name or "",
        signer_name=_name_attr(cert, "common_name"),
        organization=_name_attr(cert, "organization_name"),
        identifier=_name_attr(cert, "user_id"),
        serial=format(cert.serial_number, "X"),
        issuer=cert.issuer.human_friendly,
        signing_time=status.signer_reported_dt,
        timestamp_time=ts.timestamp if ts else None,
        timestamp_valid=bool(ts and ts.intact and ts.valid and ts.trusted),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_file=covers_whole,
        changed_after=changed,
    )


def _info_key(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer_view["/Info"]
        value = info.get(INFO_KEY)
    except (PdfError, KeyError, ValueError, AttributeError):
        return ""
    return str(value)[:24] if value else ""


def verify_pdf(pdf: bytes) -> VerificationReport:
    """Verify the signatures of `pdf` (see the module docstring). InvalidInput when it is not
    a readable PDF; an unsigned PDF is a report without signatures (not valid)."""
    pdf_check(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        log.info("unreadable signatures: %s", exc)
        reader, embedded = None, []
    vc, ts_vc = validation_context(), _timestamp_context()
    signatures = [_report(e, vc, ts_vc) for e in embedded]
    record = SignedDocument.objects.select_related("agency", "signer").filter(sha256=digest).first()
    match = "exact" if record else ""
    if record is None and reader is not None:
        key = _info_key(reader)
        if key:
            record = signed_document_get(key, missing_ok=True)
            match = "key" if record else ""
    return VerificationReport(
        sha256=digest, signatures=signatures, record=record, registry_match=match
    )


def signed_document_get(key: str, *, missing_ok: bool = False) -> SignedDocument | None:
    """The registry row of a QR key (public: the key is random and unguessable)."""
    record = (
        SignedDocument.objects.select_related("agency", "signer")
        .filter(lookup_key=key[:24])
        .first()
    )
    if record is None and not missing_ok:
        raise NotFound(_("No signed document has this verification key."))
    return record
