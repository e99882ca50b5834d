from django.contrib import admin
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.admin_base import ScopedAdmin, ServiceForm
from motcua.accounts.authz import agencies_where, can, has_any
from motcua.accounts.constants import Action
from motcua.accounts.selectors import audit_list

from .admin_site import site
from .models import AuditEntry, CalendarOverride, OfficeHours
from .services import (
    calendar_override_delete,
    calendar_override_set,
    may_manage_calendar,
    office_hours_set,
)


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


# Working-time calendar -------------------------------------------------------------------------


class CalendarSetForm(ServiceForm):
    """The service alone decides uniqueness: setting a date again replaces that level's row."""

    def _get_validation_exclusions(self):
        return {f.name for f in self._meta.model._meta.get_fields()}


class CalendarAdmin(ScopedAdmin):
    """Rows of one agency, or of the whole installation (no agency): readable by those who may
    view agencies, writable as `services.may_manage_calendar` says."""

    view_action = Action.AGENCY_VIEW
    manage_action = Action.AGENCY_MANAGE
    form = CalendarSetForm
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]

    def get_queryset(self, request):
        visible = agencies_where(request.user, Action.AGENCY_VIEW)
        return (
            super()
            .get_queryset(request)
            .filter(Q(agency__isnull=True) | Q(agency__in=visible))
            .select_related("agency")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None or obj.agency_id is None:
            return has_any(request.user, {self.view_action, self.manage_action})
        return can(request.user, self.view_action, obj.agency) or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return has_any(request.user, {self.manage_action})
        return may_manage_calendar(request.user, obj.agency)

    def get_readonly_fields(self, request, obj=None):
        # Another date or agency is another row: add it instead.
        return ["date", "agency"] if obj is not None else []

    @admin.display(description=gettext_lazy("applies to"), ordering="agency__path")
    def scope(self, obj) -> str:
        return str(obj.agency) if obj.agency_id else _("Whole province")


@admin.register(CalendarOverride, site=site)
class CalendarOverrideAdmin(CalendarAdmin):
    """Extra days off and make-up working days (ngày nghỉ thêm, ngày làm bù)."""

    list_display = ["date", "weekday", "kind", "scope", "reason", "legal_basis", "created_by"]
    list_filter = ["kind", ("agency", admin.EmptyFieldListFilter)]
    search_fields = ["reason", "legal_basis", "agency__name", "agency__code"]
    date_hierarchy = "date"
    fields = ["date", "kind", "agency", "reason", "legal_basis"]
    ordering = ["-date"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        instance = form.instance
        return calendar_override_set(
            actor=request.user,
            date=instance.date if instance.pk else data.get("date"),
            kind=data.get("kind"),
            agency=instance.agency if instance.pk else data.get("agency"),
            reason=data.get("reason") or "",
            legal_basis=data.get("legal_basis") or "",
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def delete_model(self, request, obj) -> None:
        calendar_override_delete(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset) -> None:
        for override in queryset.select_related("agency"):
            calendar_override_delete(actor=request.user, override=override)


@admin.register(OfficeHours, site=site)
class OfficeHoursAdmin(CalendarAdmin):
    """Office hours (giờ làm việc) of an agency and its sub-tree, or the default."""

    list_display = [
        "scope",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "updated_at",
    ]
    list_filter = [("agency", admin.EmptyFieldListFilter)]
    search_fields = ["agency__name", "agency__code"]
    fields = ["agency", "morning_start", "morning_end", "afternoon_start", "afternoon_end"]

    def get_readonly_fields(self, request, obj=None):
        return ["agency"] if obj is not None else []

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        instance = form.instance
        return office_hours_set(
            actor=request.user,
            agency=instance.agency if instance.pk else data.get("agency"),
            morning_start=data.get("morning_start"),
            morning_end=data.get("morning_end"),
            afternoon_start=data.get("afternoon_start"),
            afternoon_end=data.get("afternoon_end"),
        )
