"""The outbox in the administration site: what waits to be delivered, what failed and why.

Read-only, for the provincial IT team (`system.operate`): rows are written only by the services
in the transaction of the change they report, and only the dispatcher changes their status —
except the action "Replay", which puts the chosen dead letters back in the queue through
`outbox_replay` (audited), as the API does.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.admin_site import site
from motcua.core.errors import DomainError

from .models import OutboxEvent
from .services import outbox_replay


@admin.register(OutboxEvent, site=site)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "destination",
        "kind",
        "aggregate",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "destination", "kind"]
    search_fields = ["=aggregate_id", "=idempotency_key"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False  # counting millions of rows on every page is not free
    fields = [
        "destination",
        "kind",
        "aggregate_type",
        "aggregate_id",
        "aggregate_seq",
        "idempotency_key",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "claimed_until",
        "last_error",
        "payload_pretty",
    ]
    readonly_fields = fields
    actions = ["replay", "rebuild"]

    @admin.action(description=_("Replay the chosen dead letters"), permissions=["operate"])
    def replay(self, request, queryset) -> None:
        try:
            count = outbox_replay(
                actor=request.user, ids=list(queryset.values_list("id", flat=True))
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d dead letter put back in the queue.",
                "%(count)d dead letters put back in the queue.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Rebuild the chosen dead letters from their dossier and replay them"),
        permissions=["operate"],
    )
    def rebuild(self, request, queryset) -> None:
        from motcua.dossiers.services.resend import national_dead_letters_rebuild

        try:
            count = national_dead_letters_rebuild(
                actor=request.user, ids=list(queryset.values_list("id", flat=True))
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d dead letter rebuilt and put back in the queue.",
                "%(count)d dead letters rebuilt and put back in the queue.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_operate_permission(self, request) -> bool:
        return self._operator(request)

    @admin.display(description=_("object"), ordering="aggregate_id")
    def aggregate(self, obj: OutboxEvent) -> str:
        return f"{obj.aggregate_type} {obj.aggregate_id} #{obj.aggregate_seq}"

    @admin.display(description=_("payload"))
    def payload_pretty(self, obj: OutboxEvent) -> str:
        text = json.dumps(obj.payload, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre class="outbox-payload">{}</pre>', text)

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
