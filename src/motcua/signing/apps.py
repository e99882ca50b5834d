from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    """Digital signatures (ký số): signed results and certified copies as PAdES PDFs, their
    registry and their public verification (issue 15, R28)."""

    name = "motcua.signing"
    verbose_name = _("Digital signatures")
