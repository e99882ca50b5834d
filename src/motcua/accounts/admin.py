from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import converters  # noqa: F401 — the <id:…> path converter
from motcua.core.admin_site import site
from motcua.core.errors import DomainError
from motcua.core.uploads import upload_read

from .admin_base import ScopedAdmin
from .authz import agencies_where, has_any
from .constants import Action
from .importing import (
    COLUMNS,
    MAX_BYTES,
    officials_export,
    officials_import_apply,
    officials_import_preview,
)
from .models import Grant, ImportBatch, Role, User
from .selectors import official_list
from .services import grant_create, grant_revoke, official_create, official_update
from .views import export_response


class GrantInline(admin.TabularInline):
    model = Grant
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ["role", "agency", "include_subtree", "field", "procedure", "granted_at", "revoked_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Grants (add them under Grants)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        help_text=gettext_lazy("One row per official and role; see the column list below."),
    )


@admin.register(User, site=site)
class OfficialAdmin(ScopedAdmin):
    """Officials (cán bộ, công chức). Citizens' accounts come through VNeID and are not here."""

    view_action = Action.OFFICIAL_VIEW
    manage_action = Action.OFFICIAL_MANAGE
    list_display = ["username", "full_name", "agency", "position", "email", "phone", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["agency"]
    search_fields = ["username", "full_name", "email", "phone"]
    autocomplete_fields = ["agency"]
    inlines = [GrantInline]
    change_list_template = "admin/accounts/user/change_list.html"

    def get_fields(self, request, obj=None):
        fields = ["username", "full_name", "agency", "position", "email", "phone"]
        return [*fields, "is_active"] if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        return ["username"] if obj is not None else []

    def get_queryset(self, request):
        return official_list(user=request.user)

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        if form.instance.pk is None:
            return official_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                agency=data["agency"],
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                position=data.get("position", ""),
            )
        editable = {"full_name", "agency", "position", "email", "phone", "is_active"}
        changes = {name: data[name] for name in form.changed_data if name in editable}
        current = User.objects.get(pk=form.instance.pk)
        return official_update(actor=request.user, official=current, **changes)

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_user_import",
            ),
            path(
                "import/<id:batch_id>/",
                self.admin_site.admin_view(self.import_batch_view),
                name="accounts_user_import_batch",
            ),
            path(
                "export.<str:fmt>",
                self.admin_site.admin_view(self.export_view),
                name="accounts_user_export",
            ),
        ]
        return extra + super().get_urls()

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "columns": COLUMNS,
            **extra,
        }

    def import_view(self, request):
        if not has_any(request.user, {Action.OFFICIAL_MANAGE}):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = officials_import_preview(
                    actor=request.user,
                    filename=upload.name,
                    content=upload_read(upload, max_bytes=MAX_BYTES),
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(reverse("admin:accounts_user_import_batch", args=[batch.pk]))
        return TemplateResponse(
            request,
            "admin/accounts/user/import.html",
            self._context(request, form=form, title=_("Import officials and grants")),
        )

    def import_batch_view(self, request, batch_id: int):
        batch = get_object_or_404(ImportBatch, pk=batch_id, created_by=request.user)
        if request.method == "POST":
            try:
                officials_import_apply(actor=request.user, batch=batch)
            except DomainError as exc:
                messages.error(request, exc.message)
                for row_messages in getattr(exc, "errors", {}).values():
                    for message in row_messages:
                        messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("Imported %(officials)d officials and %(grants)d grants.")
                    % ImportBatch.objects.get(pk=batch.pk).summary,
                )
                return redirect(reverse("admin:accounts_user_changelist"))
            batch.refresh_from_db()
        return TemplateResponse(
            request,
            "admin/accounts/user/import_batch.html",
            self._context(request, batch=batch, title=_("Import preview")),
        )

    def export_view(self, request, fmt: str):
        try:
            content = officials_export(actor=request.user, fmt=fmt)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("admin:accounts_user_changelist"))
        return export_response(content, fmt)


@admin.register(Grant, site=site)
class GrantAdmin(ScopedAdmin):
    """Grants: added through the service, revoked by the action, never edited or deleted."""

    view_action = Action.OFFICIAL_VIEW
    manage_action = Action.OFFICIAL_MANAGE
    list_display = ["user", "role", "agency", "include_subtree", "field", "procedure", "revoked_at"]
    list_filter = ["role", "include_subtree"]
    list_select_related = ["user", "role", "agency", "field", "procedure"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    fields = ["user", "role", "agency", "include_subtree", "field", "procedure", "note"]
    actions = ["revoke_selected"]

    def get_queryset(self, request):
        return Grant.objects.filter(
            agency__in=agencies_where(request.user, Action.OFFICIAL_VIEW)
        ).select_related("user", "role", "agency", "field", "procedure")

    def has_change_permission(self, request, obj=None) -> bool:
        # A grant is never edited: revoke it and grant anew, so history stays exact.
        return obj is None and super().has_change_permission(request)

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        return grant_create(
            actor=request.user,
            user=data["user"],
            role=data["role"],
            agency=data["agency"],
            include_subtree=data.get("include_subtree", False),
            field=data.get("field"),
            procedure=data.get("procedure"),
            note=data.get("note", ""),
        )

    @admin.action(description=gettext_lazy("Revoke the selected grants"))
    def revoke_selected(self, request, queryset):
        revoked = 0
        for grant in queryset.filter(revoked_at__isnull=True):
            try:
                grant_revoke(actor=request.user, grant=grant)
            except DomainError as exc:
                messages.error(request, f"{grant}: {exc.message}")
            else:
                revoked += 1
        messages.success(request, _("%(n)d grants revoked.") % {"n": revoked})


@admin.register(Role, site=site)
class RoleAdmin(admin.ModelAdmin):
    """The built-in roles and the actions each allows (read-only)."""

    list_display = ["code", "name", "name_en", "action_list"]
    readonly_fields = ["code", "name", "name_en", "actions", "is_builtin"]

    @admin.display(description=gettext_lazy("actions"))
    def action_list(self, obj: Role) -> str:
        return "; ".join(obj.action_labels())

    def has_module_permission(self, request) -> bool:
        return has_any(request.user, {Action.OFFICIAL_VIEW, Action.OFFICIAL_MANAGE})

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
