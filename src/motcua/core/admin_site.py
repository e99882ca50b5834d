"""The back-office administration site, guarded by `can()` instead of Django model permissions.

Officials get in when one of their grants allows an administrative action; each model admin then
asks `can` for the object at hand, and its saves go through the services.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


def _may_administer(user) -> bool:
    from motcua.accounts.authz import has_any
    from motcua.accounts.constants import ADMIN_SITE_ACTIONS

    return has_any(user, ADMIN_SITE_ACTIONS)


class AdminLoginForm(AuthenticationForm):
    """Django's admin login admits `is_staff` accounts; ours admits officials whose grants
    open the administration (officials are never flagged staff by hand)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not _may_administer(user):
            raise forms.ValidationError(
                _("This account has no administrative role."), code="no_admin_role"
            )


class MotCuaAdminSite(admin.AdminSite):
    site_header = _("MộtCửa administration")
    site_title = _("MộtCửa")
    index_title = _("Provincial one-stop system administration")
    login_form = AdminLoginForm

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Pages that belong to no single model (a report, an export): an app's admin module
        # appends `path()`s here, each view asking `can` itself.
        self.extra_urls: list = []

    def has_permission(self, request) -> bool:
        return _may_administer(request.user)

    def get_urls(self):
        return [*self.extra_urls, *super().get_urls()]


site = MotCuaAdminSite(name="admin")
