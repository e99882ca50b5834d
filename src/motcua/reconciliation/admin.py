"""Reconciliation runs in the administration site: read-only, for the IT team."""

from __future__ import annotations

from django.contrib import admin

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.admin_site import site

from .models import Reconciliation


@admin.register(Reconciliation, site=site)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "start",
        "end",
        "state",
        "checked",
        "missing",
        "differing",
        "in_flight",
        "dead_letters",
        "resent",
    ]
    list_filter = ["state"]
    show_full_result_count = False
    readonly_fields = [f.name for f in Reconciliation._meta.fields]

    def _operator(self, request) -> bool:
        return has_any(request.user, {Action.SYSTEM_OPERATE})

    def has_module_permission(self, request) -> bool:
        return self._operator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._operator(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
