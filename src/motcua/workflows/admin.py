"""Process definitions in the administration site (cấu hình quy trình giải quyết).

The list is the admin's own; a definition's page, the step editor, the lifecycle buttons, the
export and the import are the pages of `views`, which call the services. Nothing is edited by
the generic change form: a definition's content is a validated document, not model fields.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.admin_base import ScopedAdmin
from motcua.accounts.constants import Action
from motcua.core import converters  # noqa: F401 — the <id:…> path converter
from motcua.core.admin_site import site

from . import views
from .models import ProcessDefinition
from .selectors import definitions_list


class ScopeFilter(admin.SimpleListFilter):
    title = gettext_lazy("applies to")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [
            ("province", gettext_lazy("Province-wide")),
            ("agency", gettext_lazy("One competent agency")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "province":
            return queryset.filter(agency__isnull=True)
        if self.value() == "agency":
            return queryset.filter(agency__isnull=False)
        return queryset


@admin.register(ProcessDefinition, site=site)
class ProcessDefinitionAdmin(ScopedAdmin):
    """Quy trình giải quyết: listed here; shown, edited and moved by the pages of `views`."""

    view_action = Action.WORKFLOW_MANAGE
    manage_action = Action.WORKFLOW_MANAGE
    list_display = ["procedure_code", "name", "scope", "number", "status", "updated_at"]
    list_display_links = ["procedure_code", "name"]
    list_filter = ["status", ScopeFilter, "procedure__field", "province"]
    list_select_related = ["procedure", "province", "agency"]
    search_fields = ["procedure__code", "procedure__name", "name"]
    change_list_template = "workflows/definition_change_list.html"

    def get_queryset(self, request):
        # Only what the user may manage (selectors._visible), like every other list.
        return definitions_list(user=request.user)

    @admin.display(description=gettext_lazy("procedure"), ordering="procedure__code")
    def procedure_code(self, obj: ProcessDefinition) -> str:
        return obj.procedure.code

    @admin.display(description=gettext_lazy("applies to"), ordering="agency__name")
    def scope(self, obj: ProcessDefinition) -> str:
        return obj.agency.name if obj.agency_id else _("Province-wide")

    def _guard(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._guard(request)
        if not str(object_id).isdigit():
            raise Http404
        return views.definition_detail(request, int(object_id))

    def add_view(self, request, form_url="", extra_context=None):
        self._guard(request)
        return views.definition_create_view(request)

    def get_urls(self):
        page = views.workflow_page
        return [
            path("import/", page(views.definition_import_view), name="workflows_definition_import"),
            path("<id:pk>/steps/", page(views.definition_steps), name="workflows_definition_steps"),
            path(
                "<id:pk>/do/<str:name>/",
                page(views.definition_action),
                name="workflows_definition_action",
            ),
            path(
                "<id:pk>/export.json",
                page(views.definition_export_view),
                name="workflows_definition_export",
            ),
            *super().get_urls(),
        ]
