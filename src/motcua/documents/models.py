"""Giấy tờ: every paper of a dossier, kept immutably (issue 15).

A `Document` is one file's bytes (stored under their SHA-256 in the "documents" storage) and
what is known of it. Its content fields never change once written; replacing a paper creates a
new version that points to the one it replaces, which stays. The owner (a person's identity
number, an organization's code) and the digitization metadata are what the electronic data
warehouse, reuse and certified copies will find papers by (R9, R10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import DocumentKind, DocumentType, OwnerKind, Source

# The fields written once, when the row is created: no service ever updates them.
CONTENT_FIELDS = (
    "storage_name",
    "sha256",
    "size",
    "content_type",
    "page_count",
    "original_name",
)


class Document(models.Model):
    """Giấy tờ (tệp) của hồ sơ: a paper's file and its metadata."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    component = models.ForeignKey(
        "dossiers.DossierComponent",
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)

    # Content: written once.
    storage_name = models.CharField(max_length=255, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255, editable=False)

    # Versions: a replaced paper stays; its replacement points to it (at most one).
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        null=True,
        blank=True,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Reused (source "reused"): the warehouse paper this row shares its stored bytes with; the
    # applicant was not asked for it again (R10, Decree 45/2020 art. 15).
    reused_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="reuses",
        null=True,
        blank=True,
        editable=False,
    )
    # From a national database (source "national_database"): which register answered, for whom
    # ("population_db:087190001234"); the row's file is the extract generated from the answer.
    national_reference = models.CharField(
        _("national database reference"), max_length=100, blank=True, editable=False
    )
    is_current = models.BooleanField(_("current"), default=True)

    # Whose paper it is (the data warehouse's key).
    owner_kind = models.CharField(
        _("owner kind"), max_length=15, choices=OwnerKind.choices, blank=True
    )
    owner_number = models.CharField(
        _("owner's identity number or organization code"), max_length=20, blank=True
    )
    owner_name = models.CharField(_("owner"), max_length=255, blank=True)

    # Digitization (số hóa): what the paper is, read from it by an official.
    document_type = models.CharField(
        _("document type"), max_length=40, choices=DocumentType.choices, blank=True
    )
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issuer = models.CharField(_("issuing agency"), max_length=255, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    digitized = models.BooleanField(_("digitized"), default=False)
    digitized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    digitized_at = models.DateTimeField(_("digitized at"), null=True, blank=True)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["dossier", "is_current"], name="document_dossier_current"),
            models.Index(fields=["owner_number", "owner_kind"], name="document_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="document_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True, version=1)
                | models.Q(replaces__isnull=False, version__gt=1),
                name="document_version_chain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.version})"

    @property
    def short_sha(self) -> str:
        return self.sha256[:12]
