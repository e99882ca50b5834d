"""The registry of what this installation signed (sổ văn bản đã ký số)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import SignedKind


class SignedDocument(models.Model):
    """Văn bản đã ký số: one signed PDF, by the SHA-256 of its bytes as they left the signer.

    The bytes themselves are not kept here (the documents app stores files); the row is what the
    public verification page answers from: for which dossier, by whom, when. `lookup_key` is the
    random key printed in the document's QR code (/xac-thuc/<key>/)."""

    lookup_key = models.CharField(_("lookup key"), max_length=24, unique=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    kind = models.CharField(_("kind"), max_length=20, choices=SignedKind.choices)
    dossier_code = models.CharField(_("dossier code"), max_length=40, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="signed_documents",
        verbose_name=_("agency"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signed_documents",
        verbose_name=_("signer"),
    )
    signed_at = models.DateTimeField(_("signed at"))
    signer_serial = models.CharField(_("signer's certificate serial"), max_length=64)
    seal_serial = models.CharField(_("agency's certificate serial"), max_length=64)
    mode = models.CharField(_("signing mode"), max_length=20)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier_code or self.lookup_key}"
