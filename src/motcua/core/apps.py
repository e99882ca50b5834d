from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .audit import sqlite_register_audit_guard

        # Infrastructure, not business logic: the SQL function the SQLite audit trigger asks.
        connection_created.connect(sqlite_register_audit_guard, dispatch_uid="motcua-audit-guard")
