from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Chứng thực bản sao điện tử từ bản chính: a commune's electronic certified copies and its
    certification book (issue 15, R21)."""

    name = "motcua.certification"
    verbose_name = _("Certified copies")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 — registers the entry's scope for can()
