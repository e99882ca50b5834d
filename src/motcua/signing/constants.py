"""Vocabulary of digital signatures (chữ ký số)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedKind(models.TextChoices):
    RESULT = "result", _("Result of a dossier")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    OTHER = "other", _("Other document")


# The signature fields each signed document gets, in signing order: the official's personal
# signature first, then the issuing agency's seal over it.
OFFICIAL_FIELD = "ChuKyCaNhan"
SEAL_FIELD = "DauCoQuan"
