"""Reads of the documents app: a dossier's papers, one paper for someone allowed to see it,
opening a paper's bytes (audited), and the share of digitized dossiers and results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.constants import TERMINAL
from motcua.dossiers.models import Dossier, DossierComponent

from .constants import DocumentKind
from .models import Document
from .permissions import OPEN, WRITE, document_allows, dossier_allows
from .storage import blob_open

_RELATED = (
    "dossier__procedure",
    "dossier__receiving_agency",
    "dossier__competent_agency",
    "dossier__step_agency",
    "digitized_by",
    "uploaded_by",
)


def document_get(*, user: User | None, pk: int) -> Document:
    """One paper the user may open; "not found" for one they may not (STYLE rule 3)."""
    document = (
        Document.objects.select_related(*_RELATED)
        .defer("dossier__form_data", "dossier__search_folded")
        .filter(pk=pk)
        .first()
    )
    if document is None or not document_allows(user, OPEN, document):
        raise NotFound(_("Document not found."))
    return document


def documents_of_dossier(*, user: User | None, dossier: Dossier) -> QuerySet[Document]:
    """Every paper of the dossier (all versions), for someone allowed to open them."""
    if not dossier_allows(user, OPEN, dossier):
        raise NotFound(_("Dossier not found."))
    return (
        Document.objects.filter(dossier=dossier)
        .select_related("digitized_by", "uploaded_by", "reused_from__dossier")
        .order_by("component_id", "pk")
    )


@dataclass
class ComponentPapers:
    """A component of the dossier (None: papers of the dossier itself) with its papers."""

    component: DossierComponent | None
    current: list[Document]
    older: list[Document]
    # The catalog's reuse marking of the component (catalog.constants.ReuseSource), its
    # source's name, and the applicant's warehouse papers offered for it (R10).
    reuse_kind: str = ""
    reuse_source: str = ""
    offers: list = field(default_factory=list)


def dossier_papers(*, user: User | None, dossier: Dossier) -> dict[str, Any]:
    """The dossier page's "Giấy tờ" section: each component with its current papers and the
    versions they replaced, and whether the user may add and change them."""
    documents = list(documents_of_dossier(user=user, dossier=dossier))
    components = list(dossier.components.order_by("order", "pk"))
    by_component: dict[int | None, ComponentPapers] = {
        c.pk: ComponentPapers(c, [], []) for c in components
    }
    applicants = (User.Kind.CITIZEN, User.Kind.ORGANIZATION)
    for document in documents:
        # "Nộp bổ sung trực tuyến": a supplement the applicant uploaded from "Hồ sơ của tôi".
        document.online_supplement = (
            document.kind == DocumentKind.SUPPLEMENT
            and document.uploaded_by_id is not None
            and document.uploaded_by.kind in applicants
        )
        row = by_component.get(document.component_id)
        if row is None:
            row = by_component.setdefault(None, ComponentPapers(None, [], []))
        (row.current if document.is_current else row.older).append(document)
    can_write = dossier_allows(user, WRITE, dossier)
    if can_write and dossier.status not in TERMINAL:
        _reuse_offers(user, dossier, by_component)
    return {
        "rows": list(by_component.values()),
        "can_write": can_write,
        "count": len(documents),
    }


def _reuse_offers(
    user: User | None, dossier: Dossier, rows: dict[int | None, ComponentPapers]
) -> None:
    from motcua.catalog.constants import ReuseSource

    from . import warehouse

    marks = warehouse.reuse_marks(dossier.procedure_version.document.get("components") or [])
    items = None
    for key, row in rows.items():
        if key is None:
            continue
        row.reuse_kind, row.reuse_source = warehouse.reuse_mark(
            marks, row.component.code, row.component.name
        )
        if row.reuse_kind != ReuseSource.DATA_WAREHOUSE or row.current:
            continue
        if items is None:
            try:
                items = warehouse.warehouse_list(
                    user=user,
                    owner_kind=warehouse.owner_kind_of(dossier.applicant_kind),
                    owner_number=dossier.applicant_id_number,
                )
            except DomainError:
                items = []
        row.offers = warehouse.offers(items, row.component.name)


@dataclass
class Opened:
    document: Document
    file: File


def document_open(*, user: User | None, document: Document) -> Opened:
    """The paper's bytes for someone `document_allows` to open it (NotFound otherwise). Every
    read of a citizen's or organization's paper is written to the audit trail (who read whose
    paper, when) before the bytes are handed out."""
    if not document_allows(user, OPEN, document):
        raise NotFound(_("Document not found."))
    if document.owner_number or document.dossier_id:
        with transaction.atomic():
            audit_record(
                actor=user,
                action="document.read",
                obj=document,
                agency=document.dossier.competent_agency if document.dossier_id else None,
                note=f"owner {document.owner_kind}:{document.owner_number}"[:255],
            )
    return Opened(document, blob_open(document.storage_name))


@dataclass(frozen=True)
class Share:
    total: int
    digitized: int

    @property
    def percent(self) -> float:
        return round(100 * self.digitized / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class DigitizationFigures:
    dossiers: Share  # dossiers with papers, and those whose every current paper is digitized
    results: Share  # current result papers, and those digitized


def digitization_share(
    *, start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> DigitizationFigures:
    """Tỷ lệ số hóa hồ sơ và kết quả (R9) for the dossiers submitted in [start, end) (received at,
    or settled by, `agency_ids` when given): of the dossiers with at least one paper, how many
    have every current paper digitized; of the current result papers, how many are digitized.
    Two aggregate queries, for reports."""
    dossiers = Dossier.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if agency_ids is not None:
        dossiers = dossiers.filter(
            Q(receiving_agency_id__in=agency_ids) | Q(competent_agency_id__in=agency_ids)
        )
    current = Document.objects.filter(dossier=OuterRef("pk"), is_current=True)
    counted = dossiers.filter(Exists(current)).aggregate(
        total=Count("pk"),
        digitized=Count("pk", filter=~Exists(current.filter(digitized=False))),
    )
    results = Document.objects.filter(
        dossier__in=dossiers, kind=DocumentKind.RESULT, is_current=True
    ).aggregate(total=Count("pk"), digitized=Count("pk", filter=Q(digitized=True)))
    return DigitizationFigures(
        dossiers=Share(counted["total"], counted["digitized"]),
        results=Share(results["total"], results["digitized"]),
    )
