"""Payments in the administration site: the exemption categories for the catalog's
administrators; payments and the message log read-only for the IT team."""

from __future__ import annotations

from django.contrib import admin

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.admin_site import site

from .models import ExemptionCategory, Payment, PaymentMessage


class _Holders(admin.ModelAdmin):
    action: str = Action.SYSTEM_OPERATE

    def _holds(self, request) -> bool:
        return has_any(request.user, {self.action})

    def has_module_permission(self, request) -> bool:
        return self._holds(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._holds(request)


@admin.register(ExemptionCategory, site=site)
class ExemptionCategoryAdmin(_Holders):
    action = Action.CATALOG_MANAGE
    list_display = ["key", "name", "percent", "is_active"]
    search_fields = ["key", "name", "basis"]

    def has_add_permission(self, request) -> bool:
        return self._holds(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._holds(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: payments name the keys


class _ReadOnly(_Holders):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment, site=site)
class PaymentAdmin(_ReadOnly):
    list_display = ["reference", "dossier", "amount_vnd", "status", "paid_at"]
    list_filter = ["status"]
    list_select_related = ["dossier"]
    search_fields = ["reference", "transaction_id", "dossier__code"]
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(PaymentMessage, site=site)
class PaymentMessageAdmin(_ReadOnly):
    list_display = ["at", "kind", "direction", "reference", "checksum_valid", "outcome"]
    list_filter = ["kind", "outcome"]
    search_fields = ["reference"]
    readonly_fields = [f.name for f in PaymentMessage._meta.fields]
