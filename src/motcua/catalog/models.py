"""The procedure catalog's stable identities: fields (lĩnh vực) and procedures (TTHC).

Grants can be scoped to a field or a procedure, so these identities exist from the foundation
on. A procedure's versioned content (fees, components, times, …) hangs off `Procedure`.
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# National procedure code N.NNNNNN (DOMAIN.md decision 5); province-specific procedures may get
# their own codes from the catalog administrator, so the pattern also admits a localized suffix.
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z.]+)?$")
procedure_code_validator = RegexValidator(
    PROCEDURE_CODE_RE,
    _("A procedure code looks like 1.001193 (N.NNNNNN)."),
    code="procedure_code",
)


class Field(models.Model):
    """Lĩnh vực: a sector of procedures, coded as the national database codes it (G15-TP07)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: the stable identity of a procedure across its published versions."""

    code = models.CharField(
        _("procedure code"), max_length=60, unique=True, validators=[procedure_code_validator]
    )
    name = models.TextField(_("name"))
    field = models.ForeignKey(
        Field,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("field"),
    )
    name_folded = models.TextField(editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
