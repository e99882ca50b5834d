"""Model admins that ask `can()` and write through services."""

from django import forms
from django.contrib import admin

from motcua.core.errors import DomainError, InvalidInput

from .authz import can, has_any


class ServiceForm(forms.ModelForm):
    """A model form whose clean() runs the service that will save it (`admin.run_service`), in a
    savepoint that is rolled back, so every rule's message shows on the form and nothing is
    written until the admin saves for real."""

    admin_instance = None
    request = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        from django.db import transaction

        class _DryRun(Exception):
            pass

        try:
            with transaction.atomic():
                self.admin_instance.run_service(self.request, self, dry_run=True)
                raise _DryRun
        except _DryRun:
            pass
        except InvalidInput as exc:
            for key, messages in exc.errors.items():
                target = key if key in self.fields else None
                for message in messages:
                    self.add_error(target, message)
            if not exc.errors:
                self.add_error(None, exc.message)
        except DomainError as exc:
            self.add_error(None, exc.message)
        return cleaned


class ScopedAdmin(admin.ModelAdmin):
    """View with `view_action`, add and change with `manage_action`; never delete.

    Subclasses define `run_service(request, form, *, dry_run)`, which calls the service that
    creates or changes the object and returns it.
    """

    view_action: str = ""
    manage_action: str = ""
    form = ServiceForm

    def has_module_permission(self, request) -> bool:
        return has_any(request.user, {self.view_action, self.manage_action})

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return has_any(request.user, {self.view_action, self.manage_action})
        return can(request.user, self.view_action, obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return has_any(request.user, {self.manage_action})

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return has_any(request.user, {self.manage_action})
        return can(request.user, self.manage_action, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(
            form_class.__name__, (form_class,), {"admin_instance": self, "request": request}
        )

    def save_model(self, request, obj, form, change) -> None:
        saved = self.run_service(request, form, dry_run=False)
        # The admin reads obj.pk afterwards for its messages and redirect.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change) -> None:
        # Relations are written by the service; the read-only inlines save nothing, but the
        # admin's change message still reads what they "saved".
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
