from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    """Citizens and organizations: their login through the national identity provider (VNeID)
    and their own dossiers ("Hồ sơ của tôi")."""

    name = "motcua.citizens"
    verbose_name = _("Citizens")
