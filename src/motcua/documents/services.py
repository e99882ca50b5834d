"""Writes of the documents app: add a paper, replace it by a new version, digitize it.

Each checks the paper by its content (inspection.py) before its transaction, so a refusal
stores nothing; stores the bytes under their SHA-256 (storage.py); writes the row and an audit
entry in one transaction. Content fields are written once: no function here updates them, and
nothing deletes a paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.audit import audit_record, snapshot
from motcua.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from motcua.core.uploads import upload_read
from motcua.dossiers.constants import TERMINAL, ApplicantKind
from motcua.dossiers.models import Dossier, DossierComponent

from .constants import DocumentKind, DocumentType, OwnerKind, Source
from .inspection import Inspected, inspect
from .models import CONTENT_FIELDS, Document
from .permissions import OPEN, WRITE, dossier_allows
from .storage import blob_put

METADATA_FIELDS = [
    "document_type",
    "number",
    "issued_on",
    "issuer",
    "valid_until",
    "owner_kind",
    "owner_number",
    "owner_name",
    "digitized",
    "digitized_by",
    "digitized_at",
]


def read_content(content: bytes | UploadedFile, *, field: str = "file") -> bytes:
    """The bytes of an upload, refused on its size before reading (core/uploads.py)."""
    if isinstance(content, bytes):
        return content
    return upload_read(content, max_bytes=settings.DOCUMENTS_COMPONENT_MAX_BYTES, field=field)


def _check_dossier(actor: User | None, dossier: Dossier) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("You do not have permission for this action."))
    if not dossier_allows(actor, WRITE, dossier):
        if dossier_allows(actor, OPEN, dossier):
            raise NotAllowed(_("You may not add or change the papers of this dossier."))
        raise NotFound(_("Dossier not found."))
    if dossier.status in TERMINAL:
        raise Conflict(
            _("Dossier %(code)s is closed: its papers can no longer change.")
            % {"code": dossier.code},
            code="wrong_status",
        )


def document_write_check(actor: User | None, dossier: Dossier) -> None:
    """Raise unless `actor` may add or change `dossier`'s papers now: the rule of every write
    here, for a caller that prepares a paper before adding it (a generated draft result)."""
    _check_dossier(actor, dossier)


def _owner_of(dossier: Dossier) -> dict[str, str]:
    kind = (
        OwnerKind.ORGANIZATION
        if dossier.applicant_kind == ApplicantKind.ORGANIZATION
        else OwnerKind.PERSON
    )
    return {
        "owner_kind": kind,
        "owner_number": dossier.applicant_id_number[:20],
        "owner_name": dossier.applicant_name[:255],
    }


def _new(
    *,
    actor: User | None,
    checked: Inspected,
    dossier: Dossier | None,
    component: DossierComponent | None,
    kind: str,
    source: str,
    now: dt.datetime,
    replaces: Document | None = None,
    extra: dict | None = None,
) -> Document:
    """Store the bytes and create the row (inside the caller's transaction)."""
    name = blob_put(sha256=checked.sha256, content=checked.content)
    owner = _owner_of(dossier) if dossier is not None else {}
    if replaces is not None:
        owner = {k: getattr(replaces, k) for k in ("owner_kind", "owner_number", "owner_name")}
    return Document.objects.create(
        dossier=dossier,
        component=component,
        kind=kind,
        source=source,
        storage_name=name,
        sha256=checked.sha256,
        size=checked.size,
        content_type=checked.content_type,
        page_count=checked.pages,
        original_name=checked.name,
        replaces=replaces,
        version=replaces.version + 1 if replaces is not None else 1,
        uploaded_by=actor if actor is not None and actor.pk else None,
        uploaded_at=now,
        **owner,
        **(extra or {}),
    )


def _audit(actor: User | None, action: str, document: Document, **extra) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=document,
        agency=document.dossier.competent_agency if document.dossier_id else None,
        after=snapshot(document, ["kind", "sha256", "size", "content_type", "version"]),
        **extra,
    )


def document_add(
    *,
    actor: User | None,
    dossier: Dossier,
    component: DossierComponent | None = None,
    content: bytes | UploadedFile,
    name: str,
    kind: str = DocumentKind.COMPONENT,
    source: str = Source.DESK,
    now: dt.datetime | None = None,
) -> Document:
    """Thêm giấy tờ: a checked paper added to a dossier (to one of its components)."""
    _check_dossier(actor, dossier)
    if kind not in DocumentKind.values:
        raise InvalidInput(_("Unknown kind of paper."), errors={"kind": [_("Unknown kind.")]})
    if component is not None and component.dossier_id != dossier.pk:
        raise InvalidInput(
            _("The component is not one of this dossier's."),
            errors={"component": [_("The component is not one of this dossier's.")]},
        )
    checked = inspect(read_content(content), name=name)
    now = now or timezone.now()
    with transaction.atomic():
        document = _new(
            actor=actor,
            checked=checked,
            dossier=dossier,
            component=component,
            kind=kind,
            source=source,
            now=now,
        )
        _audit(actor, "document.add", document)
    return document


def document_replace(
    *,
    actor: User | None,
    document: Document,
    content: bytes | UploadedFile,
    name: str,
    now: dt.datetime | None = None,
) -> Document:
    """Thay thế giấy tờ: a new version of the paper; the one it replaces stays, no longer
    current. Only the current version is replaced (Conflict otherwise)."""
    if document.dossier_id is None:
        raise NotAllowed(_("You do not have permission for this action."))
    _check_dossier(actor, document.dossier)
    checked = inspect(read_content(content), name=name)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            old = Document.objects.select_for_update().get(pk=document.pk)
            if not old.is_current:
                raise Conflict(
                    _("This paper was already replaced by a newer version."), code="stale"
                )
            new = _new(
                actor=actor,
                checked=checked,
                dossier=document.dossier,
                component=old.component,
                kind=old.kind,
                source=Source.DESK,
                now=now,
                replaces=old,
            )
            old.is_current = False
            old.save(update_fields=["is_current"])
            _audit(actor, "document.replace", new, note=f"replaces {old.pk}")
    except IntegrityError:
        # Replaced at the same moment by someone else (one replacement per version).
        raise Conflict(
            _("This paper was already replaced by a newer version."), code="stale"
        ) from None
    return new


@dataclass(frozen=True)
class Digitization:
    document_type: str
    number: str = ""
    issued_on: dt.date | None = None
    issuer: str = ""
    valid_until: dt.date | None = None
    owner_kind: str | None = None  # None: keep the owner
    owner_number: str | None = None
    owner_name: str | None = None


def _digitization_errors(data: Digitization, today: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.document_type not in DocumentType.values:
        errors["document_type"] = [_("Choose the type of the paper from the list.")]
    if data.issued_on and data.issued_on > today:
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    if data.issued_on and data.valid_until and data.valid_until < data.issued_on:
        errors["valid_until"] = [_("The paper cannot expire before it was issued.")]
    if data.owner_kind is not None and data.owner_kind not in OwnerKind.values:
        errors["owner_kind"] = [_("Unknown kind of owner.")]
    if data.owner_number is not None:
        number = data.owner_number.strip()
        person = (data.owner_kind or OwnerKind.PERSON) == OwnerKind.PERSON
        if person and number and not (number.isdigit() and len(number) == 12):
            errors["owner_number"] = [_("A personal identification number has 12 digits.")]
        if len(number) > 20:
            errors["owner_number"] = [_("At most %(n)s characters.") % {"n": 20}]
    for key, value, limit in (("number", data.number, 100), ("issuer", data.issuer, 255)):
        if len(value) > limit:
            errors[key] = [_("At most %(n)s characters.") % {"n": limit}]
    return errors


def document_digitize(
    *,
    actor: User | None,
    document: Document,
    data: Digitization,
    now: dt.datetime | None = None,
) -> Document:
    """Số hóa: the official records what the paper is (type from the controlled list, number,
    dates, issuer, owner) and marks it digitized, with who and when. Content is untouched."""
    if document.dossier_id is None:
        raise NotAllowed(_("You do not have permission for this action."))
    _check_dossier(actor, document.dossier)
    now = now or timezone.now()
    errors = _digitization_errors(data, timezone.localdate(now))
    if errors:
        raise InvalidInput(_("Some details of the paper are missing or wrong."), errors=errors)
    with transaction.atomic():
        d = Document.objects.select_for_update().get(pk=document.pk)
        before = snapshot(d, METADATA_FIELDS)
        d.document_type = data.document_type
        d.number = data.number.strip()
        d.issued_on = data.issued_on
        d.issuer = data.issuer.strip()
        d.valid_until = data.valid_until
        if data.owner_kind is not None:
            d.owner_kind = data.owner_kind
        if data.owner_number is not None:
            d.owner_number = data.owner_number.strip()
        if data.owner_name is not None:
            d.owner_name = data.owner_name.strip()[:255]
        d.digitized = True
        d.digitized_by = actor
        d.digitized_at = now
        d.save(update_fields=METADATA_FIELDS)
        audit_record(
            actor=actor,
            action="document.digitize",
            obj=d,
            agency=d.dossier.competent_agency,
            before=before,
            after=snapshot(d, METADATA_FIELDS),
        )
    assert not set(METADATA_FIELDS) & set(CONTENT_FIELDS)
    return d


def documents_attach(
    *,
    actor: User | None,
    dossier: Dossier,
    items: Iterable[tuple[DossierComponent, Inspected]],
    source: str,
    kind: str = DocumentKind.COMPONENT,
    now: dt.datetime | None = None,
) -> list[Document]:
    """The checked files of a dossier being registered or supplemented, kept as its components'
    papers. Called by the dossier's own service (`dossier_submit`,
    `dossier_supplement_received`) inside its transaction, after that service authorized the
    actor: the papers exist exactly when the dossier (or the supplement) does."""
    now = now or timezone.now()
    documents = []
    for component, checked in items:
        document = _new(
            actor=actor,
            checked=checked,
            dossier=dossier,
            component=component,
            kind=kind,
            source=source,
            now=now,
        )
        _audit(actor, "document.add", document)
        documents.append(document)
    return documents


# Reuse (R10): a paper of the applicant's data warehouse, or an extract of a national database,
# instead of asking for the paper again (Decree 45/2020/NĐ-CP art. 15; Decree 107/2021).

# What a reused row takes over from the warehouse paper besides its content.
_CARRIED = (
    "document_type",
    "number",
    "issued_on",
    "issuer",
    "valid_until",
    "digitized",
    "digitized_by",
    "digitized_at",
)


def _check_component(dossier: Dossier, component: DossierComponent) -> None:
    if component.dossier_id != dossier.pk:
        message = _("The component is not one of this dossier's.")
        raise InvalidInput(message, errors={"component": [message]})


def _reuse_row(
    *,
    actor: User | None,
    dossier: Dossier,
    component: DossierComponent,
    document: Document,
    now: dt.datetime,
) -> Document:
    """The component's new row sharing the warehouse paper's stored bytes (nothing is stored
    again), inside the caller's transaction, after it authorized the actor."""
    from .warehouse import in_warehouse_of, owner_kind_of

    today = timezone.localdate(now)
    if not in_warehouse_of(document, dossier, today):
        mine = (document.owner_kind, document.owner_number) == (
            owner_kind_of(dossier.applicant_kind),
            dossier.applicant_id_number,
        )
        if mine and document.valid_until is not None and document.valid_until < today:
            raise Conflict(
                _("%(name)s expired on %(date)s: ask for a valid paper.")
                % {
                    "name": document.original_name,
                    "date": document.valid_until.strftime("%d/%m/%Y"),
                },
                code="expired",
            )
        # Another person's paper, or one outside the warehouse: as if it did not exist.
        raise NotFound(_("Document not found."))
    original = document.reused_from or document
    row = Document.objects.create(
        dossier=dossier,
        component=component,
        kind=DocumentKind.COMPONENT,
        source=Source.REUSED,
        reused_from=original,
        uploaded_by=actor if actor is not None and actor.pk else None,
        uploaded_at=now,
        **{f: getattr(document, f) for f in CONTENT_FIELDS},
        **{f: getattr(document, f) for f in _CARRIED},
        **_owner_of(dossier),
    )
    _audit(
        actor,
        "document.reuse",
        row,
        note=(
            f"reused {original.pk}"
            + (f" of dossier {original.dossier.code}" if original.dossier_id else "")
        )[:255],
    )
    return row


def document_reuse(
    *,
    actor: User | None,
    dossier: Dossier,
    component: DossierComponent,
    document: Document,
    now: dt.datetime | None = None,
) -> Document:
    """Tái sử dụng giấy tờ: the component is satisfied by a paper of the applicant's electronic
    data warehouse, without uploading it again: a new row with the same stored bytes and
    SHA-256, source "reused", pointing to the original. Only a current, unexpired paper of the
    dossier's own applicant (NotFound for anyone else's; Conflict "expired")."""
    _check_dossier(actor, dossier)
    _check_component(dossier, component)
    now = now or timezone.now()
    with transaction.atomic():
        return _reuse_row(
            actor=actor, dossier=dossier, component=component, document=document, now=now
        )


def documents_reuse_attach(
    *,
    actor: User | None,
    dossier: Dossier,
    items: Iterable[tuple[DossierComponent, int]],
    now: dt.datetime | None = None,
) -> list[Document]:
    """The warehouse papers chosen for the components of a dossier being registered (the desk
    form), by id. Called by `dossier_submit` inside its transaction, after it authorized the
    actor: a paper that is not the applicant's refuses the whole registration."""
    now = now or timezone.now()
    documents = []
    for component, document_id in items:
        document = (
            Document.objects.select_related("reused_from__dossier", "dossier")
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            raise NotFound(_("Document not found."))
        documents.append(
            _reuse_row(
                actor=actor, dossier=dossier, component=component, document=document, now=now
            )
        )
    return documents


def _extract_pdf(context: dict) -> bytes:
    from motcua.printing.pdf import render_pdf

    return render_pdf("documents/national_extract.html", context)


def document_from_national_database(
    *,
    actor: User | None,
    dossier: Dossier,
    component: DossierComponent,
    now: dt.datetime | None = None,
) -> Document:
    """Tra cứu CSDL quốc gia: the component is satisfied from the national population database
    (a citizen applicant) or the business registration system (an organization), looked up by
    the applicant's number through the adapters (people.services, recorded and audited there).
    Found: a generated one-page PDF extract of what the register answered becomes the
    component's paper (source "national_database", `national_reference` register:number).
    Not found or the register unavailable: Conflict, nothing stored (the desk asks for the
    paper instead)."""
    from motcua.people import services as people
    from motcua.people.models import Register

    _check_dossier(actor, dossier)
    _check_component(dossier, component)
    now = now or timezone.now()
    if dossier.applicant_kind == ApplicantKind.ORGANIZATION:
        result = people.business_lookup(
            actor=actor, tax_code=dossier.applicant_id_number, procedure_code=dossier.procedure.code
        )
    else:
        result = people.citizen_lookup(
            actor=actor,
            id_number=dossier.applicant_id_number,
            procedure_code=dossier.procedure.code,
        )
    if not result.found:
        raise Conflict(result.message, code=f"register_{result.outcome}")
    register = str(Register(result.register).label)
    content = _extract_pdf(
        {
            "register": register,
            "result": result,
            "dossier": dossier,
            "component": component,
            "actor": actor,
            "at": now,
        }
    )
    file_name = f"trich-xuat-{result.register}-{result.number}.pdf"
    checked = inspect(content, name=file_name)
    from .warehouse import document_type_for

    with transaction.atomic():
        document = _new(
            actor=actor,
            checked=checked,
            dossier=dossier,
            component=component,
            kind=DocumentKind.COMPONENT,
            source=Source.NATIONAL_DATABASE,
            now=now,
            extra={
                "national_reference": f"{result.register}:{result.number}"[:100],
                # Already digital: what it is and who issued it are the register's answer.
                "document_type": document_type_for(component.name) or DocumentType.OTHER,
                "issuer": register[:255],
                "issued_on": timezone.localdate(now),
                "digitized": True,
                "digitized_by": actor,
                "digitized_at": now,
            },
        )
        _audit(actor, "document.national_database", document, note=document.national_reference)
    return document


def document_issue(
    *,
    actor: User | None,
    checked: Inspected,
    kind: str,
    owner_kind: str,
    owner_number: str,
    owner_name: str,
    document_type: str = "",
    number: str = "",
    issuer: str = "",
    issued_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """A paper the system made for its owner outside any dossier (a certified copy, R21), kept in
    the owner's data warehouse (source "generated"), described as the paper it is a copy of and
    marked digitized by `actor`. Called by the issuing app's own service (certification's
    `copy_certify`) inside its transaction, after that service authorized the actor: the paper
    exists exactly when what issued it does."""
    if kind not in DocumentKind.values or owner_kind not in OwnerKind.values or not owner_number:
        raise InvalidInput(_("Some details of the paper are missing or wrong."))
    now = now or timezone.now()
    name = blob_put(sha256=checked.sha256, content=checked.content)
    with transaction.atomic():
        document = Document.objects.create(
            kind=kind,
            source=Source.GENERATED,
            storage_name=name,
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            page_count=checked.pages,
            original_name=checked.name,
            owner_kind=owner_kind,
            owner_number=owner_number[:20],
            owner_name=owner_name[:255],
            document_type=document_type,
            number=number[:100],
            issuer=issuer[:255],
            issued_on=issued_on,
            digitized=True,
            digitized_by=actor if actor is not None and actor.pk else None,
            digitized_at=now,
            uploaded_by=actor if actor is not None and actor.pk else None,
            uploaded_at=now,
        )
        _audit(actor, "document.issue", document)
    return document


def document_result_add(
    *,
    actor: User | None,
    dossier: Dossier,
    checked: Inspected,
    now: dt.datetime | None = None,
) -> Document:
    """The dossier's signed result (kết quả giải quyết, R28), generated by the signing step:
    kind result, source generated, owned by the applicant (so it is in their data warehouse).
    A result signed again (the step done a second time after a send-back) is a new version of
    the one before, which stays. Called by the dossier's signing service inside its
    transaction, after that service authorized the actor and checked the draft it signed."""
    now = now or timezone.now()
    previous = (
        Document.objects.select_for_update()
        .filter(dossier=dossier, kind=DocumentKind.RESULT, is_current=True)
        .order_by("-version", "-pk")
        .first()
    )
    document = _new(
        actor=actor,
        checked=checked,
        dossier=dossier,
        component=None,
        kind=DocumentKind.RESULT,
        source=Source.GENERATED,
        now=now,
        replaces=previous,
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    _audit(actor, "document.add", document, note="signed result")
    return document
