from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalog")

    def ready(self) -> None:
        # Teach can() how to scope catalog objects.
        from . import permissions  # noqa: F401
