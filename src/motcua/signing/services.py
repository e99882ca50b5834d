"""Signing PDFs (ký số): bytes in, signed bytes out, and a registry row of what was signed.

`sign_pdf` is the one entry point: the workflow's signing step (results, R28) and the
certified copies (R21) call it with the PDF they made. It

1. refuses when the actor may not sign for the agency (`may_sign`), when the bytes are not a
   PDF, or when the PDF is encrypted or malformed (InvalidInput, nothing recorded);
2. stamps a QR code and a short line on the first page pointing to the public verification
   page (`PUBLIC_BASE_URL/xac-thuc/<key>/`), before any signature, so the stamp is covered;
3. signs twice, incrementally, PAdES baseline B-T (CAdES detached, ETSI.CAdES.detached, each
   signature with an RFC 3161 timestamp from SIGNING_TSA_URL): first the official's personal
   signature (field ChuKyCaNhan), then the agency's seal (field DauCoQuan) over it. B-LT is
   not produced: the local test PKI publishes no CRL or OCSP, so there is no revocation
   information to embed;
4. records a `SignedDocument` (SHA-256 of the output, kind, dossier code, agency, signer,
   serials) and an audit entry in one transaction.

The keys come from signing.pki (SIGNING_MODE: local-test-ca or pkcs12), or stay in a remote
signing service (SIGNING_MODE=remote: signing.remote, adapters/remote_signing), where each of
the two signatures waits for the signer's confirmation; declined, expired or unreachable, the
signing is refused and nothing is recorded.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.adapters import remote_signing
from motcua.adapters.errors import GatewayError
from motcua.adapters.tsa import timestamper_from_settings
from motcua.core.audit import audit_record
from motcua.core.errors import DomainError, InvalidInput, NotAllowed

from . import pki
from .aio import run
from .constants import OFFICIAL_FIELD, SEAL_FIELD, SignedKind
from .models import SignedDocument

# The key printed in the QR code, also kept in the document information dictionary so the
# verification finds it without reading the QR image.
INFO_KEY = "/MotCuaVerificationKey"


class SigningUnavailable(DomainError):
    """A service signing depends on (the time-stamping authority) failed; retry later."""

    status = 503
    code = "signing_unavailable"


class SigningRefused(DomainError):
    """The signer declined the signature on their device, or did not confirm it in time
    (code signature_declined / signature_expired)."""

    status = 409
    code = "signature_declined"


class SigningFailed(DomainError):
    """The remote signing service refused the request (not a passing failure)."""

    status = 502
    code = "signing_failed"


class SigningNotConfigured(DomainError):
    """No certificate is configured for this agency or official."""

    status = 409
    code = "no_certificate"


# Permission -------------------------------------------------------------------------------------


def may_sign(actor, *, agency, signer) -> bool:
    """The one rule of who may sign for an agency: the signer signs themselves (a personal
    signature is never made on someone else's behalf) and holds the "sign results and letters"
    permission (Action.DOSSIER_SIGN, the permission of the workflow's signing step) over the
    agency."""
    return (
        actor is not None
        and signer is not None
        and actor.pk == signer.pk
        and can(signer, Action.DOSSIER_SIGN, agency)
    )


# PDF checks and the QR stamp --------------------------------------------------------------------


def _not_a_pdf(message: str) -> InvalidInput:
    return InvalidInput(message, errors={"file": [message]})


def pdf_check(pdf: bytes) -> PdfReader:
    """The PDF, read; InvalidInput when it is not one, is encrypted or cannot be read."""
    if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in bytes(pdf[:1024]):
        raise _not_a_pdf(_("The file is not a PDF document."))
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise _not_a_pdf(_("The PDF is encrypted or password-protected; send it unprotected."))
        if len(reader.pages) == 0:
            raise _not_a_pdf(_("The PDF has no pages."))
        reader.pages[0].mediabox  # noqa: B018 — the first page must be readable
    except (PdfReadError, PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_a_pdf(_("The PDF is damaged and cannot be read.")) from exc
    return reader


def verification_url(key: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("signing:verify_key", args=[key])


def _stamp_text(dossier_code: str) -> str:
    text = _("Electronically signed document. Verify it by scanning the QR code or at:")
    if dossier_code:
        text = _("Dossier %(code)s.") % {"code": dossier_code} + " " + text
    return text


def qr_stamp(reader: PdfReader, *, key: str, dossier_code: str) -> bytes:
    """The PDF with a QR code and a short line at the bottom left of its first page (drawn by
    WeasyPrint with the bundled font, merged with pypdf), a link over it, and the key in the
    document information."""
    from motcua.printing.pdf import qr_svg, render_pdf

    url = verification_url(key)
    first = reader.pages[0]
    box = first.mediabox
    overlay_pdf = render_pdf(
        "signing/qr_overlay.html",
        {
            # As text: a float in the template would print with the Vietnamese decimal comma.
            "width": f"{float(box.width):.2f}",
            "height": f"{float(box.height):.2f}",
            "qr": qr_svg(url),
            "url": url,
            "text": _stamp_text(dossier_code),
        },
    )
    overlay = PdfReader(io.BytesIO(overlay_pdf)).pages[0]
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    page.merge_translated_page(overlay, float(box.left), float(box.bottom), over=True)
    # A link over the stamp (bottom-left 14 mm + 8 mm, about 17 mm tall).
    mm = 72 / 25.4
    from pypdf.annotations import Link

    left, bottom = float(box.left) + 14 * mm, float(box.bottom) + 8 * mm
    writer.add_annotation(0, Link(rect=(left, bottom, left + 17 * mm, bottom + 17 * mm), url=url))
    writer.add_metadata({INFO_KEY: key})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Signing ----------------------------------------------------------------------------------------


def _remote_error(exc: remote_signing.RemoteSigningError) -> DomainError:
    if isinstance(exc, remote_signing.SignatureRefused):
        if exc.outcome == "declined":
            return SigningRefused(_("The signer declined the signature on their device."))
        return SigningRefused(
            _("The signer did not confirm the signature in time; sign again."),
            code="signature_expired",
        )
    if isinstance(exc, remote_signing.NoRemoteCredential):
        return SigningNotConfigured(
            _("No signing certificate is configured for %(who)s.") % {"who": exc.user_id}
        )
    if exc.permanent:
        return SigningFailed(_("The signing service refused the request."))
    return SigningUnavailable(
        _("The signing service cannot be reached; try again in a few minutes.")
    )


def pyhanko_signer(credential: pki.Credential) -> signers.SimpleSigner:
    return signers.SimpleSigner(
        signing_cert=credential.asn1_cert(),
        signing_key=credential.asn1_key(),
        cert_registry=SimpleCertificateStore.from_certs(credential.asn1_chain()),
    )


def signature_metadata(field_name: str, reason: str, name: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason[:200] or None,
        name=name[:100],
        location=settings.SIGNING_LOCATION or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )


def sign_field(
    pdf: bytes,
    *,
    signer: signers.Signer,
    field_name: str,
    reason: str,
    name: str,
    timestamper: TimeStamper | None,
) -> bytes:
    """One more signature (an incremental update) in a new invisible field."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = signers.PdfSigner(
        signature_metadata(field_name, reason, name), signer=signer, timestamper=timestamper
    )
    try:
        out = run(pdf_signer.async_sign_pdf(writer))
    except remote_signing.RemoteSigningError as exc:
        raise _remote_error(exc) from exc
    except GatewayError as exc:
        raise SigningUnavailable(
            _("The time-stamping service cannot be reached; try again in a few minutes.")
        ) from exc
    return out.getvalue()


@dataclass(frozen=True)
class SignedPdf:
    """What `sign_pdf_record` returns: the signed bytes and their registry row."""

    pdf: bytes
    record: SignedDocument


def sign_pdf(
    *,
    actor,
    pdf: bytes,
    agency,
    signer,
    reason: str,
    dossier_code: str = "",
    kind: str,
) -> bytes:
    """Sign `pdf` with `signer`'s personal signature and `agency`'s seal (PAdES B-T); the
    signed PDF. See the module docstring; `sign_pdf_record` also gives the registry row."""
    return sign_pdf_record(
        actor=actor,
        pdf=pdf,
        agency=agency,
        signer=signer,
        reason=reason,
        dossier_code=dossier_code,
        kind=kind,
    ).pdf


def _check_request(*, actor, agency, signer, kind: str, dossier_code: str) -> None:
    if not may_sign(actor, agency=agency, signer=signer):
        raise NotAllowed(_("You may not sign documents for this agency."))
    if kind not in SignedKind.values:
        raise InvalidInput(_("Unknown kind of document."), errors={"kind": [_("Unknown kind.")]})
    if len(dossier_code) > 40:
        message = _("At most %(n)s characters.") % {"n": 40}
        raise InvalidInput(message, errors={"dossier_code": [message]})


def _credentials(*, agency, signer, reason: str) -> tuple[signers.Signer, str, signers.Signer, str]:
    """The official's and the seal's pyHanko signers, each with its certificate serial."""
    if pki.mode() == pki.REMOTE:
        return _remote_credentials(agency=agency, signer=signer, reason=reason)
    official, seal = _local_credentials(agency=agency, signer=signer)
    return pyhanko_signer(official), official.serial_hex, pyhanko_signer(seal), seal.serial_hex


def _remote_credentials(*, agency, signer, reason: str):
    from .remote import RemoteSigner

    client = remote_signing.client_from_settings()
    try:
        official = client.credential(pki.official_key(signer))
        seal = client.credential(pki.agency_key(agency))
    except remote_signing.RemoteSigningError as exc:
        raise _remote_error(exc) from exc
    return (
        RemoteSigner(client, official, description=reason),
        official.serial_hex,
        RemoteSigner(client, seal, description=f"{agency.name}: {reason}"),
        seal.serial_hex,
    )


def _local_credentials(*, agency, signer) -> tuple[pki.Credential, pki.Credential]:
    try:
        return pki.official_credential(signer), pki.agency_credential(agency)
    except pki.NoCredential as exc:
        raise SigningNotConfigured(
            _("No signing certificate is configured for %(who)s.") % {"who": str(exc)}
        ) from exc


def sign_pdf_record(
    *,
    actor,
    pdf: bytes,
    agency,
    signer,
    reason: str,
    dossier_code: str = "",
    kind: str,
) -> SignedPdf:
    """`sign_pdf`, also returning the `SignedDocument` row."""
    _check_request(actor=actor, agency=agency, signer=signer, kind=kind, dossier_code=dossier_code)
    reader = pdf_check(pdf)
    key = secrets.token_urlsafe(12)
    stamped = qr_stamp(reader, key=key, dossier_code=dossier_code)
    timestamper = timestamper_from_settings()
    official, official_serial, seal, seal_serial = _credentials(
        agency=agency, signer=signer, reason=reason
    )
    official_signed = sign_field(
        stamped,
        signer=official,
        field_name=OFFICIAL_FIELD,
        reason=reason,
        name=signer.full_name or signer.username,
        timestamper=timestamper,
    )
    signed = sign_field(
        official_signed,
        signer=seal,
        field_name=SEAL_FIELD,
        reason=reason,
        name=agency.name,
        timestamper=timestamper,
    )
    return SignedPdf(
        signed,
        _record(
            actor=actor,
            signed=signed,
            key=key,
            kind=kind,
            dossier_code=dossier_code,
            reason=reason,
            agency=agency,
            signer=signer,
            signer_serial=official_serial,
            seal_serial=seal_serial,
        ),
    )


def _record(
    *,
    actor,
    signed: bytes,
    key: str,
    kind: str,
    dossier_code: str,
    reason: str,
    agency,
    signer,
    signer_serial: str,
    seal_serial: str,
) -> SignedDocument:
    with transaction.atomic():
        record = SignedDocument.objects.create(
            lookup_key=key,
            sha256=hashlib.sha256(signed).hexdigest(),
            size=len(signed),
            kind=kind,
            dossier_code=dossier_code,
            reason=reason[:255],
            agency=agency,
            signer=signer,
            signed_at=timezone.now(),
            signer_serial=signer_serial,
            seal_serial=seal_serial,
            mode=pki.mode(),
        )
        audit_record(
            actor=actor,
            action="signing.sign",
            obj=record,
            agency=agency,
            after={
                "sha256": record.sha256,
                "kind": kind,
                "dossier_code": dossier_code,
                "signer_serial": signer_serial,
                "seal_serial": seal_serial,
            },
        )
    return record
