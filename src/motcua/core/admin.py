from django.contrib import admin

from motcua.accounts.authz import can, has_any
from motcua.accounts.constants import Action
from motcua.accounts.selectors import audit_list

from .admin_site import site
from .models import AuditEntry


@admin.register(AuditEntry, site=site)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only, limited to the agencies the reader may audit."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "agency"]
    list_filter = ["action", "object_type"]
    list_select_related = ["agency"]
    search_fields = ["actor_label", "object_repr", "object_id", "note"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def get_queryset(self, request):
        return audit_list(user=request.user)

    def has_module_permission(self, request) -> bool:
        return has_any(request.user, {Action.AUDIT_VIEW})

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return has_any(request.user, {Action.AUDIT_VIEW})
        return can(request.user, Action.AUDIT_VIEW, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
