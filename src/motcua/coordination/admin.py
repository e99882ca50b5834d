"""The IT team's view of hand-overs and the reports that came back (read-only, system.operate)."""

from django.contrib import admin

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.admin_site import site

from .models import ExternalReport, Handover


class OperatorReadOnly(admin.ModelAdmin):
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


@admin.register(Handover, site=site)
class HandoverAdmin(OperatorReadOnly):
    list_display = ("accept_key", "system", "step_key", "handed_at", "last_status", "result")
    list_filter = ("system", "result")
    search_fields = ("accept_key", "dossier__code")
    list_select_related = ("dossier",)


@admin.register(ExternalReport, site=site)
class ExternalReportAdmin(OperatorReadOnly):
    list_display = ("key", "system", "status_id", "reported_at", "received_at", "via", "outcome")
    list_filter = ("system", "via", "outcome")
    search_fields = ("key", "handover__accept_key")
    list_select_related = ("handover",)
