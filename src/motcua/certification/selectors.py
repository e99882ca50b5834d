"""Reads of the certification book, filtered by who may read it (permissions.py): another
agency's line is "not found"."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import NotFound
from motcua.documents.storage import blob_open
from motcua.organizations.models import Agency

from .models import CertificationEntry
from .permissions import may_read, readable_agencies


def entries_list(
    *, user: User | None, agency: Agency | None = None, year: int | None = None
) -> QuerySet[CertificationEntry]:
    """The book's lines the user may read, newest first; one agency's and one year's if given."""
    entries = CertificationEntry.objects.filter(agency__in=readable_agencies(user))
    if agency is not None:
        entries = entries.filter(agency=agency)
    if year is not None:
        entries = entries.filter(year=year)
    return entries.select_related("agency", "certifier", "document", "signed", "dossier").order_by(
        "agency__name", "-year", "-number"
    )


def entry_get(*, user: User | None, pk: int) -> CertificationEntry:
    entry = (
        CertificationEntry.objects.select_related(
            "agency", "certifier", "document", "signed", "dossier"
        )
        .filter(pk=pk)
        .first()
    )
    if entry is None or not may_read(user, entry.agency):
        raise NotFound(_("Certification not found."))
    return entry


@dataclass(frozen=True)
class OpenedCopy:
    entry: CertificationEntry
    file: File


def certified_copy_open(*, user: User | None, entry: CertificationEntry) -> OpenedCopy:
    """The signed copy's bytes for a reader of the agency's book; the read of the requester's
    paper is audited (as documents.selectors.document_open does)."""
    if not may_read(user, entry.agency) or entry.document_id is None:
        raise NotFound(_("Certification not found."))
    document = entry.document
    with transaction.atomic():
        audit_record(
            actor=user,
            action="document.read",
            obj=document,
            agency=entry.agency,
            note=f"owner {document.owner_kind}:{document.owner_number}"[:255],
        )
    return OpenedCopy(entry, blob_open(document.storage_name))


def agency_for_certification(*, pk: int) -> Agency:
    """The agency named in a request (whether the user may certify there is the service's
    question, answered with 403)."""
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None:
        raise NotFound(_("Agency not found."))
    return agency


def dossier_for_certification(*, user: User | None, pk: int):
    """A dossier the user may see (dossiers.selectors.dossier_get), to link the line to."""
    from motcua.dossiers.selectors import dossier_get

    return dossier_get(user=user, pk=pk)
