from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "motcua.workflows"
    label = "workflows"
    verbose_name = _("Processing workflows")

    def ready(self) -> None:
        from . import permissions  # noqa: F401
