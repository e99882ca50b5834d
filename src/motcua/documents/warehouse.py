"""Kho quản lý dữ liệu điện tử của tổ chức, cá nhân (R10): the reads of a person's or an
organization's electronic data warehouse, and what reception needs to offer from it.

The warehouse is not a table: it is every current paper owned by the identity number (an
organization's code) that an official digitized, and every result and certified copy issued to
that owner, with its metadata and validity. A reused row or a national-database extract is not
listed again (the original is). Who may read it: the owner, logged in with VNeID (an
organization by its code, through its representative's login), and officials who may receive
dossiers (to offer its papers at reception); nobody else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.catalog.constants import ReuseSource
from motcua.core.errors import NotAllowed
from motcua.dossiers.constants import ApplicantKind
from motcua.dossiers.models import Dossier

from .constants import DocumentKind, DocumentType, OwnerKind, Source
from .models import Document

# What the warehouse holds besides digitized papers.
ISSUED_KINDS = (DocumentKind.RESULT, DocumentKind.CERTIFIED_COPY)
# Rows that repeat a paper held elsewhere: never listed as a paper of their own.
NOT_LISTED_SOURCES = (Source.REUSED, Source.NATIONAL_DATABASE)


def owner_kind_of(applicant_kind: str) -> str:
    return (
        OwnerKind.ORGANIZATION if applicant_kind == ApplicantKind.ORGANIZATION else OwnerKind.PERSON
    )


def account_owner(user: User | None) -> tuple[str, str] | None:
    """(owner kind, number) of a citizen or organization logged in with VNeID; None otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.kind not in (User.Kind.CITIZEN, User.Kind.ORGANIZATION):
        return None
    account = getattr(user, "citizen_account", None)
    if account is None:
        return None
    return owner_kind_of(account.kind), account.number


def warehouse_allows(user: User | None, owner_kind: str, owner_number: str) -> bool:
    """May `user` read this owner's warehouse? The owner, and officials who receive dossiers."""
    if not owner_number:
        return False
    if account_owner(user) == (owner_kind, owner_number):
        return True
    return has_any(user, {Action.DOSSIER_RECEIVE})


def _held(owner_kind: str, owner_number: str) -> QuerySet[Document]:
    return (
        Document.objects.filter(owner_kind=owner_kind, owner_number=owner_number, is_current=True)
        .filter(Q(digitized=True) | Q(kind__in=ISSUED_KINDS))
        .exclude(source__in=NOT_LISTED_SOURCES)
    )


@dataclass(frozen=True)
class WarehouseItem:
    document: Document
    expired: bool
    dossier_code: str


def warehouse_list(
    *,
    user: User | None,
    owner_kind: str,
    owner_number: str,
    document_type: str = "",
    today: dt.date | None = None,
) -> list[WarehouseItem]:
    """The owner's papers, newest first, each marked expired when its validity ended before
    `today` (Asia/Ho_Chi_Minh). NotAllowed for anyone `warehouse_allows` refuses."""
    owner_number = owner_number.strip()
    if not warehouse_allows(user, owner_kind, owner_number):
        raise NotAllowed(_("You may not see this data warehouse."))
    today = today or timezone.localdate()
    documents = _held(owner_kind, owner_number)
    if document_type:
        documents = documents.filter(document_type=document_type)
    documents = documents.select_related("dossier").order_by("-uploaded_at", "-pk")
    return [
        WarehouseItem(
            document=d,
            expired=d.valid_until is not None and d.valid_until < today,
            dossier_code=d.dossier.code if d.dossier_id else "",
        )
        for d in documents
    ]


def my_warehouse(*, user: User | None, today: dt.date | None = None) -> list[WarehouseItem]:
    """Kho dữ liệu của tôi: the logged-in citizen's or organization's own warehouse."""
    owner = account_owner(user)
    if owner is None:
        raise NotAllowed(_("This page is for citizens and organizations logged in with VNeID."))
    return warehouse_list(user=user, owner_kind=owner[0], owner_number=owner[1], today=today)


def in_warehouse_of(document: Document, dossier: Dossier, today: dt.date) -> bool:
    """Is `document` a current, unexpired paper of the dossier's applicant's warehouse?"""
    return (
        _held(owner_kind_of(dossier.applicant_kind), dossier.applicant_id_number)
        .filter(pk=document.pk)
        .exclude(valid_until__lt=today)
        .exists()
    )


# Which document type a component asks for, read from its name (the catalog has no field for
# it): the common papers, by the words their names use. First match wins; none: any paper.
_TYPE_KEYWORDS: list[tuple[tuple[str, ...], str]] = [
    (("căn cước", "cccd", "chứng minh nhân dân"), DocumentType.CCCD),
    (("hộ chiếu",), DocumentType.PASSPORT),
    (("giấy chứng sinh",), DocumentType.BIRTH_NOTICE),
    (("khai sinh",), DocumentType.BIRTH_CERTIFICATE),
    (("tình trạng hôn nhân",), DocumentType.MARITAL_STATUS),
    (("kết hôn",), DocumentType.MARRIAGE_CERTIFICATE),
    (("trích lục khai tử", "giấy chứng tử", "khai tử"), DocumentType.DEATH_CERTIFICATE),
    (("quyền sử dụng đất",), DocumentType.LAND_USE_RIGHTS),
    (("đăng ký doanh nghiệp",), DocumentType.BUSINESS_REGISTRATION),
    (("hộ kinh doanh",), DocumentType.HOUSEHOLD_BUSINESS),
    (("giấy phép xây dựng",), DocumentType.CONSTRUCTION_PERMIT),
    (("giấy phép lái xe",), DocumentType.DRIVING_LICENCE),
    (("văn bằng", "bằng tốt nghiệp", "chứng chỉ"), DocumentType.DIPLOMA),
    (("cư trú",), DocumentType.RESIDENCE_CONFIRMATION),
    (("ủy quyền", "uỷ quyền"), DocumentType.POWER_OF_ATTORNEY),
]


def document_type_for(component_name: str) -> str:
    """The document type a component's name asks for ("" when none is recognized)."""
    name = component_name.lower()
    for words, code in _TYPE_KEYWORDS:
        if any(w in name for w in words):
            return str(code)
    return ""


def reuse_marks(components: list[dict]) -> dict[tuple[str, str], tuple[str, str]]:
    """(code, name) of each catalog component → (reuse source, source name), from a procedure
    version's content ("components": [{code, name, reuse, reuse_source_name}])."""
    return {
        (c.get("code") or "", c.get("name") or ""): (
            c.get("reuse") or ReuseSource.NONE,
            c.get("reuse_source_name") or "",
        )
        for c in components
    }


def reuse_mark(marks: dict, code: str, name: str) -> tuple[str, str]:
    """The catalog's reuse marking of a component (by code when it has one, else by name)."""
    if code:
        for (c, _n), mark in marks.items():
            if c == code:
                return mark
    for (_c, n), mark in marks.items():
        if n == name:
            return mark
    return (ReuseSource.NONE, "")


def offers(items: list[WarehouseItem], component_name: str) -> list[WarehouseItem]:
    """What to offer for a component: the unexpired papers of its document type, or every
    unexpired paper when its name maps to no type (or none of that type is held)."""
    current = [i for i in items if not i.expired]
    wanted = document_type_for(component_name)
    if wanted:
        typed = [i for i in current if i.document.document_type == wanted]
        if typed:
            return typed
    return current


# Figure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReuseShare:
    received: int
    reused: int

    @property
    def percent(self) -> float:
        return round(100 * self.reused / self.received, 1) if self.received else 0.0


def reuse_share(
    *, start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None = None
) -> ReuseShare:
    """Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa (Decision 766/QĐ-TTg, "digitised data reused"):
    of the dossiers received (accepted) in [start, end), at or by `agency_ids` when given, how
    many have at least one component taken from a data warehouse or a national database rather
    than handed in again. One aggregate query."""
    dossiers = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if agency_ids is not None:
        dossiers = dossiers.filter(
            Q(receiving_agency_id__in=agency_ids) | Q(competent_agency_id__in=agency_ids)
        )
    reused = Document.objects.filter(dossier=OuterRef("pk"), source__in=NOT_LISTED_SOURCES)
    counted = dossiers.aggregate(received=Count("pk"), reused=Count("pk", filter=Exists(reused)))
    return ReuseShare(counted["received"], counted["reused"])
