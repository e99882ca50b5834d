from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = gettext_lazy("Citizen portal")
