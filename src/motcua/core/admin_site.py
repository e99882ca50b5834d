"""The back-office administration site, guarded by `can()` instead of Django model permissions.

Officials get in when one of their grants allows an administrative action; each model admin then
asks `can` for the object at hand, and its saves go through the services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class MotCuaAdminSite(admin.AdminSite):
    site_header = _("MộtCửa administration")
    site_title = _("MộtCửa")
    index_title = _("Provincial one-stop system administration")

    def has_permission(self, request) -> bool:
        from motcua.accounts.authz import has_any
        from motcua.accounts.constants import ADMIN_SITE_ACTIONS

        return has_any(request.user, ADMIN_SITE_ACTIONS)


site = MotCuaAdminSite(name="admin")
