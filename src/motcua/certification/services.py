"""Certifying a copy from its original (chứng thực bản sao từ bản chính điện tử, R21).

`copy_certify` is the one write; the page, the API and any command call it. The book must
never have a silent gap, and the statement on the copy carries the book's number, so the number
is taken before signing. In order:

1. refuse before anything is written: the actor may not certify at the agency (permissions.py),
   the requester or the original's details are wrong, the scan is not a sound PDF, JPEG or PNG
   (documents.inspection), the dossier is not one of this procedure at this agency;
2. reserve: one transaction moves the agency's counter for the year and writes the book's line
   (status RESERVED) with the fee, and its audit entry. The counter row is locked only until
   this short transaction commits, and no lock is held while the time-stamping authority or the
   remote signing service is called;
3. make the PDF (scan + statement page with the number) and sign it (signing.sign_pdf_record:
   the certifier's signature, then the commune's seal, a QR to the verification page);
4. complete: one transaction stores the signed copy in the requester's data warehouse (a
   Document of kind certified_copy, source generated, owner = the requester) and marks the line
   CERTIFIED with the copy and the signature, and its audit entry.

If 3 or 4 fails (the signer declined, the TSA is down, storage failed), the line is VOIDED with
the reason in its own transaction and the error is raised again: the number stays in the book,
visibly voided, and is never given again. A process killed between 2 and 4 leaves the line
RESERVED ("in progress"), also visible in the book, until `certifications_void_stale` (the
beat task every ten minutes, and a command) voids it once it is older than
CERTIFICATION_STALE_MINUTES — longer than any signing may take — so the book never keeps a
line "in progress" that nothing will finish. A process that was only slow and finishes after
that finds its line voided and stores nothing (`_complete` checks under the line's lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.audit import audit_record, snapshot
from motcua.core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from motcua.documents.constants import DocumentKind, DocumentType, OwnerKind
from motcua.documents.inspection import PDF, SCAN_TYPES, Inspected, inspect
from motcua.documents.services import document_issue, read_content
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Agency
from motcua.signing.constants import SignedKind
from motcua.signing.services import sign_pdf_record

from . import copies as pdfs
from .constants import BOOK_SUFFIX, MAX_COPIES, PROCEDURE_CODE, EntryStatus
from .fees import copy_fee_vnd
from .models import CertificationCounter, CertificationEntry
from .permissions import CERTIFYING_KINDS, may_certify

ENTRY_FIELDS = ["status", "number", "book", "fee_vnd", "pages", "copies", "requester_number"]


@dataclass(frozen=True)
class Requester:
    """Người yêu cầu chứng thực: whose copy it is (the owner in the data warehouse)."""

    name: str
    number: str  # the 12-digit personal identification number, or the organization's code
    kind: str = OwnerKind.PERSON


@dataclass(frozen=True)
class Original:
    """Bản chính: what the official checked the scan against."""

    document_type: str
    number: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None


def book_name(year: int) -> str:
    """Quyển số: one book a year, "01/2026-SCT/BS"."""
    return f"01/{year}-{BOOK_SUFFIX}"


def _next_number(agency_id: int, year: int) -> int:
    """The next number of the agency's book of `year`, inside the caller's transaction: the
    counter row stays locked until it commits (PostgreSQL's row lock from the upsert, SQLite's
    database lock), so two certifications never get the same number, and a rolled-back one
    gives its number back (no gap)."""
    table = connection.ops.quote_name(CertificationCounter._meta.db_table)
    with connection.cursor() as cursor:
        # INSERT … ON CONFLICT … RETURNING, as dossiers/codes.py: PostgreSQL and SQLite alike.
        cursor.execute(
            f"INSERT INTO {table} (agency_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency_id, year],
        )
        return cursor.fetchone()[0]


def _check_actor(actor: User | None, agency: Agency) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("You do not have permission for this action."))
    if agency.kind not in CERTIFYING_KINDS:
        message = _("Copies are certified by a commune People's Committee.")
        raise InvalidInput(message, errors={"agency": [message]})
    if not may_certify(actor, agency):
        raise NotAllowed(_("You may not certify copies for this agency."))


def _details_errors(
    requester: Requester, original: Original, copies: int, today: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not requester.name.strip():
        errors["requester_name"] = [_("Enter the requester's name.")]
    elif len(requester.name.strip()) > 255:
        errors["requester_name"] = [_("At most %(n)s characters.") % {"n": 255}]
    number = requester.number.strip()
    if requester.kind not in OwnerKind.values:
        errors["requester_kind"] = [_("Unknown kind of owner.")]
    elif requester.kind == OwnerKind.PERSON and not (number.isdigit() and len(number) == 12):
        errors["requester_number"] = [_("A personal identification number has 12 digits.")]
    elif not number or len(number) > 20:
        errors["requester_number"] = [_("Enter the organization's code (at most 20 characters).")]
    if original.document_type not in DocumentType.values:
        errors["document_type"] = [_("Choose the type of the paper from the list.")]
    if original.issued_on and original.issued_on > today:
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    for key, value, limit in (
        ("original_number", original.number, 100),
        ("issuer", original.issuer, 255),
    ):
        if len(value.strip()) > limit:
            errors[key] = [_("At most %(n)s characters.") % {"n": limit}]
    if not 1 <= copies <= MAX_COPIES:
        errors["copies"] = [_("Between 1 and %(n)s copies.") % {"n": MAX_COPIES}]
    return errors


def _check_dossier(actor: User, agency: Agency, dossier: Dossier | None) -> None:
    if dossier is None:
        return
    if not can(actor, Action.DOSSIER_VIEW, dossier) and not can(
        actor, Action.DOSSIER_SIGN, dossier
    ):
        raise NotFound(_("Dossier not found."))
    if dossier.procedure.code != PROCEDURE_CODE or dossier.competent_agency_id != agency.pk:
        message = _(
            "The dossier is not one of the procedure %(code)s (certifying copies from originals) "
            "at this agency."
        ) % {"code": PROCEDURE_CODE}
        raise InvalidInput(message, errors={"dossier": [message]})


def _reserve(
    *,
    actor: User,
    agency: Agency,
    requester: Requester,
    original: Original,
    pages: int,
    copies: int,
    dossier: Dossier | None,
    now: dt.datetime,
) -> CertificationEntry:
    today = timezone.localdate(now)
    with transaction.atomic():
        number = _next_number(agency.pk, today.year)
        entry = CertificationEntry.objects.create(
            agency=agency,
            year=today.year,
            number=number,
            book=book_name(today.year),
            date=today,
            status=EntryStatus.RESERVED,
            certifier=actor,
            certifier_name=(actor.full_name or actor.username)[:255],
            certifier_title=(actor.position or "")[:255],
            requester_kind=requester.kind,
            requester_name=requester.name.strip(),
            requester_number=requester.number.strip(),
            original_type=original.document_type,
            original_number=original.number.strip(),
            original_issuer=original.issuer.strip(),
            original_issued_on=original.issued_on,
            pages=pages,
            copies=copies,
            fee_vnd=copy_fee_vnd(pages=pages, copies=copies),
            dossier=dossier,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="certification.reserve",
            obj=entry,
            agency=agency,
            after=snapshot(entry, ENTRY_FIELDS),
        )
    return entry


def _void_line(actor: User | None, entry: CertificationEntry, reason: str) -> bool:
    """Void a line still reserved, with its reason and audit entry (inside the caller's
    transaction); False when it is no longer reserved."""
    reason = reason[:255]
    done = CertificationEntry.objects.filter(pk=entry.pk, status=EntryStatus.RESERVED).update(
        status=EntryStatus.VOIDED, void_reason=reason
    )
    if done:
        audit_record(
            actor=actor,
            action="certification.void",
            obj=entry,
            agency=entry.agency,
            before={"status": EntryStatus.RESERVED},
            after={"status": EntryStatus.VOIDED, "void_reason": reason},
        )
    return bool(done)


def _void(actor: User, entry: CertificationEntry, exc: BaseException) -> None:
    is_domain = isinstance(exc, DomainError)
    reason = f"{exc.code}: {exc.message}" if is_domain else type(exc).__name__
    with transaction.atomic():
        _void_line(actor, entry, reason)


def certifications_void_stale(
    *, now: dt.datetime | None = None, older_than_minutes: int | None = None
) -> int:
    """Void the book's lines still reserved longer than `older_than_minutes` (the setting
    CERTIFICATION_STALE_MINUTES): the process that took the number ended before the copy was
    signed and stored. The system's own act (no actor), audited per line; lines a finishing
    process holds are skipped and met again next time. Returns how many were voided."""
    from django.conf import settings

    now = now or timezone.now()
    minutes = older_than_minutes or settings.CERTIFICATION_STALE_MINUTES
    cutoff = now - dt.timedelta(minutes=minutes)
    why = _("the certification ended before the copy was signed and stored")
    voided = 0
    with transaction.atomic():
        stale = (
            CertificationEntry.objects.select_for_update(skip_locked=True)
            .select_related("agency")
            .filter(status=EntryStatus.RESERVED, created_at__lt=cutoff)
            .order_by("pk")[:1000]
        )
        for entry in stale:
            voided += _void_line(None, entry, f"abandoned: {why}")
    return voided


def _complete(
    *, actor: User, entry: CertificationEntry, signed_pdf: bytes, signed, now: dt.datetime
) -> CertificationEntry:
    # Made here from a PDF pypdf and pyHanko just wrote: described, not inspected again (an
    # inspection would refuse a copy of a scan at the upload limit for the few kB signing adds).
    checked = Inspected(
        name=f"ban-sao-chung-thuc-{entry.year}-{entry.number:05d}.pdf",
        content_type=PDF,
        size=len(signed_pdf),
        sha256=hashlib.sha256(signed_pdf).hexdigest(),
        pages=len(PdfReader(io.BytesIO(signed_pdf)).pages),
        content=signed_pdf,
    )
    with transaction.atomic():
        locked = CertificationEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != EntryStatus.RESERVED:
            raise Conflict(_("This certification was voided meanwhile."), code="wrong_status")
        document = document_issue(
            actor=actor,
            checked=checked,
            kind=DocumentKind.CERTIFIED_COPY,
            owner_kind=locked.requester_kind,
            owner_number=locked.requester_number,
            owner_name=locked.requester_name,
            document_type=locked.original_type,
            number=locked.original_number,
            issuer=locked.original_issuer,
            issued_on=locked.original_issued_on,
            now=now,
        )
        locked.status = EntryStatus.CERTIFIED
        locked.document = document
        locked.signed = signed
        locked.certified_at = now
        locked.save(update_fields=["status", "document", "signed", "certified_at"])
        audit_record(
            actor=actor,
            action="certification.certify",
            obj=locked,
            agency=locked.agency,
            before={"status": EntryStatus.RESERVED},
            after={
                **snapshot(locked, ENTRY_FIELDS),
                "document": document.pk,
                "sha256": document.sha256,
            },
        )
    return locked


def copy_certify(
    *,
    actor: User | None,
    agency: Agency,
    scan: bytes | UploadedFile,
    scan_name: str = "",
    requester: Requester,
    original: Original,
    copies: int = 1,
    dossier: Dossier | None = None,
    now: dt.datetime | None = None,
) -> CertificationEntry:
    """Chứng thực bản sao từ bản chính: `actor` (the commune's chairman or vice-chairman) has
    checked the paper original against `scan`; the certified copy is made, numbered in the
    book, signed and stored in the requester's data warehouse. See the module docstring."""
    _check_actor(actor, agency)
    now = now or timezone.now()
    errors = _details_errors(requester, original, copies, timezone.localdate(now))
    if errors:
        raise InvalidInput(
            _("Some details of the certification are missing or wrong."), errors=errors
        )
    _check_dossier(actor, agency, dossier)
    checked = inspect(
        read_content(scan, field="scan"),
        name=scan_name or "ban-chinh",
        types=SCAN_TYPES,
        field="scan",
    )
    scan_pdf, pages = pdfs.scan_pdf(checked)

    entry = _reserve(
        actor=actor,
        agency=agency,
        requester=requester,
        original=original,
        pages=pages,
        copies=copies,
        dossier=dossier,
        now=now,
    )
    try:
        statement = pdfs.statement_pdf(entry=entry, agency=agency)
        made = pdfs.certified_copy_pdf(scan_pdf, statement)
        result = sign_pdf_record(
            actor=actor,
            pdf=made,
            agency=agency,
            signer=actor,
            reason=f"Chứng thực bản sao số {entry.number}, quyển số {entry.book}",
            dossier_code=dossier.code if dossier is not None else "",
            kind=SignedKind.CERTIFIED_COPY,
        )
        return _complete(
            actor=actor, entry=entry, signed_pdf=result.pdf, signed=result.record, now=now
        )
    except BaseException as exc:
        _void(actor, entry, exc)
        raise
