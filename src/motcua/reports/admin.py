"""The counts in the administration site, read-only, for the provincial IT team
(`system.operate`): rows are written only by the dossier transitions and by `counts_rebuild` /
`counts_rollup`; a wrong row is repaired by a rebuild, never by hand."""

from __future__ import annotations

from django.contrib import admin

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.admin_site import site

from .models import CountedMonth, DailyCount, MonthlyCount
from .rules import FLOWS


class ReadOnlyCountsAdmin(admin.ModelAdmin):
    list_select_related = ["agency", "procedure"]
    list_per_page = 100
    show_full_result_count = False  # millions of rows

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


@admin.register(DailyCount, site=site)
class DailyCountAdmin(ReadOnlyCountsAdmin):
    list_display = ["day", "agency", "procedure", *FLOWS, "in_progress_change"]
    search_fields = ["=agency__code", "=procedure__code"]
    date_hierarchy = "day"
    fields = ["day", "agency", "procedure", *FLOWS, "in_progress_change"]
    readonly_fields = fields


@admin.register(MonthlyCount, site=site)
class MonthlyCountAdmin(ReadOnlyCountsAdmin):
    list_display = ["month", "agency", "procedure", *FLOWS, "in_progress"]
    search_fields = ["=agency__code", "=procedure__code"]
    date_hierarchy = "month"
    fields = ["month", "agency", "procedure", *FLOWS, "in_progress"]
    readonly_fields = fields


@admin.register(CountedMonth, site=site)
class CountedMonthAdmin(ReadOnlyCountsAdmin):
    list_select_related = []
    list_display = ["month", "rolled_up_at"]
    fields = ["month", "rolled_up_at"]
    readonly_fields = fields
