"""Sổ chứng thực bản sao từ bản chính: the book of copies a commune certified, one line each.

Numbers run per agency and year from 1, without gaps and never reused (Decree 23/2015/NĐ-CP,
art. 13 on the books of certification; UNCONFIRMED article number): `CertificationCounter` holds
the last one given, and the line that takes a number is written in the same transaction that
moves the counter, so a number exists exactly when its line does."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.documents.constants import DocumentType, OwnerKind

from .constants import EntryStatus


class CertificationCounter(models.Model):
    """The last number given in an agency's book of a year."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="certification_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.last}"


class CertificationEntry(models.Model):
    """Một dòng của Sổ chứng thực bản sao từ bản chính: one certification (of one or more copies
    of one original)."""

    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="certifications",
        verbose_name=_("certifying agency"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("certification number"))
    book = models.CharField(_("book"), max_length=30)
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.RESERVED
    )
    void_reason = models.CharField(_("reason voided"), max_length=255, blank=True)
    certifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("certifier"),
    )
    certifier_name = models.CharField(_("certifier's name"), max_length=255)
    certifier_title = models.CharField(_("certifier's title"), max_length=255, blank=True)

    requester_kind = models.CharField(
        _("requester kind"), max_length=15, choices=OwnerKind.choices, default=OwnerKind.PERSON
    )
    requester_name = models.CharField(_("requester"), max_length=255)
    requester_number = models.CharField(
        _("requester's identity number or organization code"), max_length=20
    )

    original_type = models.CharField(
        _("type of the original"), max_length=40, choices=DocumentType.choices
    )
    original_number = models.CharField(_("number of the original"), max_length=100, blank=True)
    original_issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    original_issued_on = models.DateField(_("issued on"), null=True, blank=True)

    pages = models.PositiveIntegerField(_("pages"))
    copies = models.PositiveIntegerField(_("copies"), default=1)
    fee_vnd = models.PositiveIntegerField(_("fee (đồng)"))

    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("certified copy"),
    )
    signed = models.ForeignKey(
        "signing.SignedDocument",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("signed document"),
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("dossier"),
    )
    created_at = models.DateTimeField(_("created at"))
    certified_at = models.DateTimeField(_("certified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certification book")
        ordering = ["agency", "-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "number"], name="certification_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="certification_number_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="certified")
                | models.Q(document__isnull=False, signed__isnull=False),
                name="certification_certified_has_copy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.book}"
