"""The procedure catalog in the administration site.

Every page asks `can()` and every write goes through the catalog services (`ScopedAdmin`), so
the admin enforces exactly what the API and the importers enforce. Procedures and their versions
come in by import or the API; a draft's content is edited on its own page (`edit_view`, saved by
`version_update`), a frozen version's content starts a new draft (`new_draft_view`,
`version_save`). A version moves through its statuses with the actions, which show the
completeness gate's findings when it refuses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.admin_base import ScopedAdmin, ServiceForm
from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.selectors import users_by_username
from motcua.core import converters  # noqa: F401 — the <id:…> path converter
from motcua.core.admin_site import site
from motcua.core.errors import DomainError, InvalidInput, NotFound
from motcua.core.uploads import upload_read

from . import forms as editforms
from .constants import (
    FROZEN_STATUSES,
    OPEN_STATUSES,
    Channel,
    FeeKind,
    Level,
    OnlineLevel,
    Requirement,
    ReuseSource,
    TimeUnit,
    VersionStatus,
)
from .exports import full_online_list_xlsx, health_xlsx
from .importing import MAX_FILE_BYTES as IMPORT_MAX_BYTES
from .importing import (
    batch_summary,
    catalog_export_json,
    catalog_export_xlsx,
    catalog_import_apply,
    catalog_import_from_portal,
    catalog_import_preview,
)
from .models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    PublicService,
)
from .permissions import catalog_scope
from .selectors import (
    catalog_health,
    catalog_import_get,
    full_online_list_get,
    procedure_search,
    version_gaps,
    version_in_force,
)
from .services import (
    MAX_TEMPLATE_BYTES,
    RULE_FIELDS,
    competence_rule_delete,
    competence_rule_set,
    form_template_save,
    full_online_list_create,
    life_event_save,
    public_service_declare,
    public_service_withdraw,
    version_abolish,
    version_approve,
    version_publish,
    version_resume,
    version_save,
    version_suspend,
    version_update,
)
from .views import attachment_header, xlsx_response

MANAGE = Action.CATALOG_MANAGE


def may_review_catalog(user) -> bool:
    """The catalog-wide pages (health, exports) are for province-level catalog managers."""
    return can(user, MANAGE, catalog_scope())


def _error_messages(request, prefix: str, exc: DomainError) -> None:
    """A service's refusal as admin messages: the summary, then each listed problem."""
    messages.error(request, f"{prefix}: {exc.message}")
    for problems in getattr(exc, "errors", {}).values():
        for problem in problems:
            messages.error(request, f"{prefix}: {problem}")


def _label(choices, value: Any) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


# Base classes ----------------------------------------------------------------------------------


class CatalogAdmin(ScopedAdmin):
    view_action = MANAGE
    manage_action = MANAGE


class CatalogWideAdmin(CatalogAdmin):
    """Objects that belong to the whole catalog, not to one procedure (templates, life events,
    list decisions): `can()` is asked on the catalog's scope."""

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_view_permission(request)
        return may_review_catalog(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return may_review_catalog(request.user)


class SetForm(ServiceForm):
    """A service form whose service alone decides uniqueness: it updates the row a locality or
    a channel already has (set semantics, re-declaring a withdrawn service), where the model's
    own constraint checks would refuse first."""

    def _get_validation_exclusions(self):
        return {f.name for f in self._meta.model._meta.get_fields()}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


# Procedures ------------------------------------------------------------------------------------


class VersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = ["number", "status", "effective_from", "decision_number", "source", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]
    verbose_name_plural = gettext_lazy("Versions")


class CompetenceRuleInline(ReadOnlyInline):
    model = CompetenceRule
    fields = ["locality", "mode", "agency", "authority", "delegated_by", "receiving", "desk_list"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Competence (change it through each rule's own page)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("commune", "agency", "delegated_by")
            .prefetch_related("desks")
        )

    @admin.display(description=gettext_lazy("locality"))
    def locality(self, obj: CompetenceRule) -> str:
        return obj.commune.name if obj.commune_id else _("Whole province (default)")

    @admin.display(description=gettext_lazy("desks"))
    def desk_list(self, obj: CompetenceRule) -> str:
        return ", ".join(d.name for d in obj.desks.all())


@admin.register(Procedure, site=site)
class ProcedureAdmin(CatalogAdmin):
    """Thủ tục hành chính: read here; created and changed by import or the API (new versions)."""

    list_display = [
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "is_published",
        "is_province_specific",
    ]
    list_filter = ["is_published", "level", "online_level", "is_province_specific", "field"]
    list_select_related = ["field"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "is_province_specific",
        "is_published",
        "life_events",
        "version_links",
        "competence_add",
        "updated",
    ]
    readonly_fields = fields
    inlines = [VersionInline, CompetenceRuleInline]
    change_list_template = "catalog/procedure_change_list.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Its identity follows the published versions; nothing is edited on this page.
        return False

    def get_search_results(self, request, queryset, search_term):
        # The catalog's own search: words with or without diacritics, codes and code prefixes.
        if not search_term.strip():
            return queryset, False
        matches = procedure_search(query=search_term, published_only=False).values("pk")
        return queryset.filter(pk__in=matches), False

    @admin.display(description=gettext_lazy("versions"))
    def version_links(self, obj: Procedure) -> str:
        links = []
        in_force = version_in_force(obj)
        if in_force is not None:
            links.append((_("In force"), in_force))
        open_version = obj.versions.filter(status__in=["draft", "approved"]).first()
        if open_version is not None:
            links.append((_("Being edited"), open_version))
        if not links:
            return _("None in force or being edited.")
        return format_html_join(
            " · ",
            '{}: <a href="{}">v{} ({})</a>',
            (
                (
                    label,
                    reverse("admin:catalog_procedureversion_change", args=[v.pk]),
                    v.number,
                    v.get_status_display(),
                )
                for label, v in links
            ),
        )

    @admin.display(description=gettext_lazy("updated at"))
    def updated(self, obj: Procedure):
        # The model field has no verbose name; a migration for a label is not worth it.
        return obj.updated_at

    @admin.display(description=gettext_lazy("competence"))
    def competence_add(self, obj: Procedure) -> str:
        return format_html(
            '<a class="addlink" href="{}?procedure={}">{}</a>',
            reverse("admin:catalog_competencerule_add"),
            obj.pk,
            _("Add or replace a competence rule"),
        )


# Versions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    service: Any
    needs_reason: bool
    label: str
    done: str


TRANSITIONS = {
    "approve": Transition(
        version_approve, False, gettext_lazy("Approve"), gettext_lazy("Approved: %(versions)s.")
    ),
    "publish": Transition(
        version_publish, False, gettext_lazy("Publish"), gettext_lazy("Published: %(versions)s.")
    ),
    "suspend": Transition(
        version_suspend, True, gettext_lazy("Suspend"), gettext_lazy("Suspended: %(versions)s.")
    ),
    "resume": Transition(
        version_resume, False, gettext_lazy("Resume"), gettext_lazy("Resumed: %(versions)s.")
    ),
    "abolish": Transition(
        version_abolish, True, gettext_lazy("Abolish"), gettext_lazy("Abolished: %(versions)s.")
    ),
}
# Which buttons a version page offers; the services decide whether the move is allowed.
OFFERED = {
    VersionStatus.DRAFT: ["approve"],
    VersionStatus.APPROVED: ["publish"],
    VersionStatus.PUBLISHED: ["suspend", "abolish"],
    VersionStatus.SUSPENDED: ["resume", "abolish"],
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy("Kept with the version and in the audit trail."),
    )


LIST_TITLES = {
    "times": gettext_lazy("Processing times"),
    "fees": gettext_lazy("Fees and charges"),
    "components": gettext_lazy("Dossier components"),
    "legal_bases": gettext_lazy("Legal bases"),
}


def content_edit_url(version: ProcedureVersion) -> str:
    """Where `version`'s content is changed: its own edit page for a draft, a new draft for a
    frozen one; "" for an approved version (checked as it is; nothing to edit)."""
    if version.status == VersionStatus.DRAFT:
        return reverse("admin:catalog_procedureversion_edit", args=[version.pk])
    if version.status in FROZEN_STATUSES:
        return reverse("admin:catalog_procedureversion_new_draft", args=[version.pk])
    return ""


def gap_url(version: ProcedureVersion | None, gap) -> str:
    """The field of the edit page a gap of the health page is about."""
    if version is None:
        return ""
    if gap.where == "competence":
        return f"{reverse('admin:catalog_competencerule_add')}?procedure={version.procedure_id}"
    url = content_edit_url(version)
    if not url or not gap.where:
        return url
    return f"{url}#{field_anchor(gap.where)}"


def _on_page(version: ProcedureVersion, gap) -> str:
    """A gap's link on the edit page itself: the field, or the competence page."""
    if gap.where == "competence":
        return gap_url(version, gap)
    return f"#{field_anchor(gap.where)}" if gap.where else ""


def field_anchor(where: str) -> str:
    """The id of the edit page's field for a content path ("fees.1.amount_vnd")."""
    head, _sep, rest = where.partition(".")
    if not rest:
        return f"list-{head}" if head in LIST_TITLES else f"id_{head}"
    return f"id_{head}-{rest.replace('.', '-')}"


def _date(value: str | None) -> str:
    """An ISO date of the document as Vietnamese write it (dd/mm/yyyy)."""
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""
    except (TypeError, ValueError):
        return str(value)


def _vnd(amount: int | None) -> str:
    if amount is None:
        return _("not stated")
    return f"{amount:,}".replace(",", ".") + " đ"


def _document_context(document: dict) -> dict:
    """The content document with its codes turned into labels, for the version page."""
    doc = dict(document or {})
    eform = doc.get("eform") or {}
    properties = eform.get("properties") if isinstance(eform, dict) else None
    return {
        "doc": doc,
        "decision_date": _date(doc.get("decision_date")),
        "effective_from": _date(doc.get("effective_from")),
        "level": _label(Level, doc.get("level")),
        "online_level": _label(OnlineLevel, doc.get("online_level")),
        "channels": [_label(Channel, c) for c in doc.get("channels", [])],
        "times": [
            {
                **t,
                "channel": _label(Channel, t["channel"]) if t.get("channel") else _("Any"),
                "unit": _label(TimeUnit, t.get("unit")),
                "cutoff": (t.get("cutoff") or "")[:5],
            }
            for t in doc.get("times", [])
        ],
        "fees": [
            {
                **f,
                "kind": _label(FeeKind, f.get("kind")),
                "channel": _label(Channel, f["channel"]) if f.get("channel") else _("Any"),
                "amount": _vnd(f.get("amount_vnd")),
                "online_amount": (
                    _vnd(f["online_amount_vnd"]) if f.get("online_amount_vnd") is not None else ""
                ),
            }
            for f in doc.get("fees", [])
        ],
        "components": [
            {
                **c,
                "requirement": _label(Requirement, c.get("requirement")),
                "reuse": _label(ReuseSource, c.get("reuse")),
            }
            for c in doc.get("components", [])
        ],
        "legal_bases": [
            {**b, "issued_on": _date(b.get("issued_on"))} for b in doc.get("legal_bases", [])
        ],
        "eform_fields": [
            (name, (prop or {}).get("title", "") if isinstance(prop, dict) else "")
            for name, prop in (properties or {}).items()
        ],
    }


@admin.register(ProcedureVersion, site=site)
class ProcedureVersionAdmin(CatalogAdmin):
    """A version as its publication decision states it; moved by the actions, its content
    edited on the draft editing page."""

    list_display = [
        "procedure_code",
        "name",
        "number",
        "status",
        "effective_from",
        "decision_number",
        "source",
    ]
    list_filter = ["status", "source", "level", "online_level"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "name", "decision_number"]
    actions = [
        "approve_selected",
        "publish_selected",
        "suspend_selected",
        "resume_selected",
        "abolish_selected",
    ]
    fieldsets = [
        (None, {"fields": ["procedure", "number", "status", "status_reason", "source"]}),
        (
            gettext_lazy("Publication decision"),
            {"fields": ["decision_number", "decision_date", "effective_from"]},
        ),
        (gettext_lazy("Completeness"), {"fields": ["gap_list"]}),
        (gettext_lazy("Content"), {"fields": ["document_display"]}),
        (
            gettext_lazy("History"),
            {
                "fields": [
                    "created_by",
                    "created_at",
                    "approved_by",
                    "approved_at",
                    "published_by",
                    "published_at",
                    "content_hash",
                ],
                "classes": ["collapse"],
            },
        ),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]
    change_form_template = "catalog/version_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("procedure", "field")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The actions need the right somewhere; a version's content is never edited here.
        return obj is None and super().has_change_permission(request)

    @admin.display(description=gettext_lazy("procedure code"), ordering="procedure__code")
    def procedure_code(self, obj: ProcedureVersion) -> str:
        return obj.procedure.code

    @admin.display(description=gettext_lazy("what is missing"))
    def gap_list(self, obj: ProcedureVersion) -> str:
        gaps = version_gaps(obj)
        if not gaps:
            return _("Complete: nothing is missing.")
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((g.message,) for g in gaps)),
        )

    @admin.display(description=gettext_lazy("content"))
    def document_display(self, obj: ProcedureVersion) -> str:
        return render_to_string("catalog/version_document.html", _document_context(obj.document))

    # Transitions: the actions on the list and the buttons on a version's page.

    def _run(self, request, versions: list[ProcedureVersion], name: str, reason: str = "") -> bool:
        """Move every version, or none: one refusal rolls the others back."""
        transition = TRANSITIONS[name]
        extra = {"reason": reason} if transition.needs_reason else {}
        refused = False
        with transaction.atomic():
            for version in versions:
                try:
                    transition.service(actor=request.user, version=version, **extra)
                except DomainError as exc:
                    refused = True
                    _error_messages(request, str(version), exc)
            if refused:
                transaction.set_rollback(True)
        if refused:
            messages.warning(request, _("Nothing was changed."))
            return False
        messages.success(
            request, transition.done % {"versions": ", ".join(str(v) for v in versions)}
        )
        return True

    def _confirm(self, request, versions, name: str, *, from_action: bool):
        """Ask for the reason a suspension or abolition needs, then run it."""
        transition = TRANSITIONS[name]
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._run(request, versions, name, form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(action)s: confirm") % {"action": transition.label},
            "transition": transition,
            "versions": versions,
            "form": form,
            "from_action": from_action,
            "action_name": f"{name}_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "catalog/version_transition.html", context)

    def _act(self, request, queryset, name: str):
        versions = list(queryset.select_related("procedure").order_by("procedure__code", "number"))
        if TRANSITIONS[name].needs_reason:
            return self._confirm(request, versions, name, from_action=True)
        self._run(request, versions, name)
        return None

    @admin.action(description=gettext_lazy("Approve the selected versions"), permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._act(request, queryset, "approve")

    @admin.action(description=gettext_lazy("Publish the selected versions"), permissions=["change"])
    def publish_selected(self, request, queryset):
        return self._act(request, queryset, "publish")

    @admin.action(
        description=gettext_lazy("Suspend the selected versions…"), permissions=["change"]
    )
    def suspend_selected(self, request, queryset):
        return self._act(request, queryset, "suspend")

    @admin.action(description=gettext_lazy("Resume the selected versions"), permissions=["change"])
    def resume_selected(self, request, queryset):
        return self._act(request, queryset, "resume")

    @admin.action(
        description=gettext_lazy("Abolish the selected versions…"), permissions=["change"]
    )
    def abolish_selected(self, request, queryset):
        return self._act(request, queryset, "abolish")

    def get_urls(self):
        return [
            path(
                "<id:object_id>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="catalog_procedureversion_edit",
            ),
            path(
                "<id:object_id>/new-draft/",
                self.admin_site.admin_view(self.new_draft_view),
                name="catalog_procedureversion_new_draft",
            ),
            path(
                "<id:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="catalog_procedureversion_transition",
            ),
            *super().get_urls(),
        ]

    # Editing: the draft's content on screen, or a new draft from a frozen version.

    def _managed_version(self, request, object_id: int) -> ProcedureVersion:
        version = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not can(request.user, MANAGE, version):
            raise PermissionDenied
        return version

    def _content_page(self, request, version: ProcedureVersion, *, new_draft: bool):
        """The content form of `version`; a valid post goes to the one service that saves it."""
        editable = new_draft or version.status == VersionStatus.DRAFT
        data = request.POST if request.method == "POST" and editable else None
        add = request.POST.get("add_row", "") if data is not None else ""
        general, formsets = editforms.build_forms(version.document, data, add=add)
        problem = ""
        if data is not None and not add:
            valid = general.is_valid() & all([f.is_valid() for f in formsets.values()])
            if valid:
                document, origins = editforms.document_from_forms(
                    version.procedure.code, general, formsets
                )
                try:
                    if new_draft:
                        saved = version_save(actor=request.user, content=document)
                    else:
                        saved = version_update(
                            actor=request.user, version=version, content=document
                        )
                except InvalidInput as exc:
                    problem = exc.message
                    editforms.attach_errors(exc.errors, general, formsets, origins)
                except DomainError as exc:
                    problem = exc.message
                else:
                    messages.success(
                        request,
                        _("Saved as draft version %(n)s.") % {"n": saved.number},
                    )
                    return redirect(
                        reverse("admin:catalog_procedureversion_change", args=[saved.pk])
                    )
            else:
                problem = _("The form was changed outside this page; reload it.")
        elif request.method == "POST" and not editable:
            problem = _("Version %(n)s is %(s)s: only a draft can be edited.") % {
                "n": version.number,
                "s": version.get_status_display(),
            }
        open_version = version.procedure.versions.filter(status__in=OPEN_STATUSES).first()
        title = (
            _("New draft from version %(n)s of %(code)s")
            if new_draft
            else _("Edit version %(n)s of %(code)s")
        ) % {"n": version.number, "code": version.procedure.code}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "version": version,
            "editable": editable,
            "new_draft": new_draft,
            "open_version": open_version,
            "general": general,
            "lists": [(name, LIST_TITLES[name], formsets[name]) for name in editforms.LIST_NAMES],
            "problem": problem,
            "gaps": [
                (gap, _on_page(version, gap))
                for gap in (version_gaps(version) if editable and data is None else [])
            ],
        }
        status = 409 if problem and not editable else 200
        return TemplateResponse(request, "catalog/version_edit.html", context, status=status)

    def edit_view(self, request, object_id: int):
        version = self._managed_version(request, object_id)
        return self._content_page(request, version, new_draft=False)

    def new_draft_view(self, request, object_id: int):
        """A published (or later) version's content as the start of the next draft; saving it
        creates the draft (`version_save`). While a version is open, that one is edited."""
        version = self._managed_version(request, object_id)
        open_version = version.procedure.versions.filter(status__in=OPEN_STATUSES).first()
        if open_version is not None:
            messages.info(
                request,
                _("Version %(n)s is already open for editing.") % {"n": open_version.number},
            )
            target = (
                "admin:catalog_procedureversion_edit"
                if open_version.status == VersionStatus.DRAFT
                else "admin:catalog_procedureversion_change"
            )
            return redirect(reverse(target, args=[open_version.pk]))
        return self._content_page(request, version, new_draft=True)

    def transition_view(self, request, object_id: int, name: str):
        version = get_object_or_404(self.get_queryset(request), pk=object_id)
        if name not in TRANSITIONS:
            raise Http404
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        back = reverse("admin:catalog_procedureversion_change", args=[version.pk])
        if request.method != "POST":
            return self._confirm(request, [version], name, from_action=False)
        if TRANSITIONS[name].needs_reason:
            return self._confirm(request, [version], name, from_action=False) or redirect(back)
        self._run(request, [version], name)
        return redirect(back)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and can(request.user, MANAGE, obj):
            context["transitions"] = [
                (
                    TRANSITIONS[name].label,
                    reverse("admin:catalog_procedureversion_transition", args=[obj.pk, name]),
                    TRANSITIONS[name].needs_reason,
                    name,
                )
                for name in OFFERED.get(obj.status, [])
            ]
            context["edit_url"] = content_edit_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


# Competence ------------------------------------------------------------------------------------


@admin.register(CompetenceRule, site=site)
class CompetenceRuleAdmin(CatalogAdmin):
    """Who settles a procedure, and where it is received, for a locality (or the province)."""

    form = SetForm
    list_display = ["procedure", "locality", "mode", "agency", "authority", "receiving"]
    list_filter = ["mode", "authority", "receiving"]
    list_select_related = ["procedure", "commune", "agency"]
    search_fields = ["procedure__code", "procedure__name", "agency__name", "commune__name"]
    autocomplete_fields = ["procedure", "commune", "agency", "delegated_by", "desks"]
    fields = ["procedure", *RULE_FIELDS, "desks"]
    actions = ["delete_rules"]

    def get_readonly_fields(self, request, obj=None):
        # A rule is the procedure's rule for one locality; another locality is another rule.
        return ["procedure", "commune"] if obj is not None else []

    @admin.display(description=gettext_lazy("locality"), ordering="commune__name")
    def locality(self, obj: CompetenceRule) -> str:
        return obj.commune.name if obj.commune_id else _("Whole province (default)")

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        if form.instance.pk is not None:
            current = CompetenceRule.objects.select_related("procedure", "commune").get(
                pk=form.instance.pk
            )
            procedure, commune = current.procedure, current.commune
        else:
            procedure, commune = data["procedure"], data.get("commune")
        return competence_rule_set(
            actor=request.user,
            procedure=procedure,
            commune=commune,
            mode=data["mode"],
            agency=data.get("agency"),
            authority=data.get("authority") or "competent",
            delegated_by=data.get("delegated_by"),
            delegation_basis=data.get("delegation_basis", ""),
            receiving=data.get("receiving") or "competent_agency",
            desks=data.get("desks") or [],
        )

    @admin.action(
        description=gettext_lazy("Delete the selected rules (the default applies there again)"),
        permissions=["change"],
    )
    def delete_rules(self, request, queryset):
        deleted = 0
        for rule in queryset.select_related("procedure", "commune"):
            try:
                competence_rule_delete(actor=request.user, rule=rule)
            except DomainError as exc:
                _error_messages(request, str(rule), exc)
            else:
                deleted += 1
        messages.success(request, _("%(n)d rule(s) deleted.") % {"n": deleted})


# Form templates, life events -------------------------------------------------------------------


class FormTemplateForm(ServiceForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word, OpenDocument, Excel or HTML, at most 10 MB. When changing a template, "
            "leave empty to keep the current file."
        ),
    )

    class Meta:
        model = FormTemplate
        fields = ["code", "name", "legal_basis"]


@admin.register(FormTemplate, site=site)
class FormTemplateAdmin(CatalogWideAdmin):
    """Mẫu đơn, tờ khai citizens download; stored in the database."""

    form = FormTemplateForm
    list_display = ["code", "name", "file_name", "size", "created_at", "download"]
    search_fields = ["code", "name", "legal_basis"]

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "legal_basis", "file"]
        if obj is None:
            return fields
        return [*fields, "file_name", "content_type", "size", "sha256", "download"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["code", "file_name", "content_type", "size", "sha256", "download"]

    @admin.display(description=gettext_lazy("download"))
    def download(self, obj: FormTemplate) -> str:
        url = reverse("api:catalog_form_template_download", kwargs={"template_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.file_name)

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        upload = data.get("file")
        current = (
            FormTemplate.objects.get(pk=form.instance.pk) if form.instance.pk is not None else None
        )
        if upload:
            upload.seek(0)  # the dry run read it already
            file_name, content = upload.name, upload_read(upload, max_bytes=MAX_TEMPLATE_BYTES)
        elif current is not None:
            file_name, content = current.file_name, bytes(current.content)
        else:
            file_name, content = "", b""
        return form_template_save(
            actor=request.user,
            code=current.code if current else data.get("code", ""),
            name=data.get("name", ""),
            legal_basis=data.get("legal_basis", ""),
            file_name=file_name,
            content=content,
        )


class LifeEventForm(ServiceForm):
    procedures = forms.ModelMultipleChoiceField(
        queryset=Procedure.objects.order_by("code"),
        required=False,
        label=gettext_lazy("procedures"),
        widget=FilteredSelectMultiple(gettext_lazy("procedures"), is_stacked=False),
    )

    class Meta:
        model = LifeEvent
        fields = ["code", "name", "description", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["procedures"] = list(self.instance.procedures.values_list("pk", flat=True))


@admin.register(LifeEvent, site=site)
class LifeEventAdmin(CatalogWideAdmin):
    """Sự kiện: moments in life that group procedures for citizens."""

    form = LifeEventForm
    list_display = ["name", "code", "order", "procedure_count"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "description", "order", "procedures"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(procedure_total=Count("procedures"))

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    @admin.display(description=gettext_lazy("procedures"), ordering="procedure_total")
    def procedure_count(self, obj: LifeEvent) -> int:
        return obj.procedure_total

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        code = (
            LifeEvent.objects.get(pk=form.instance.pk).code
            if form.instance.pk is not None
            else data.get("code", "")
        )
        return life_event_save(
            actor=request.user,
            code=code,
            name=data.get("name", ""),
            description=data.get("description", ""),
            order=data.get("order") or 0,
            procedures=data.get("procedures") or [],
        )


# Public services -------------------------------------------------------------------------------


class PublicServiceForm(SetForm):
    officials = forms.CharField(
        label=gettext_lazy("receiving officers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "Usernames, separated by commas or new lines. Each gets the right to receive this "
            "procedure at the agency; withdrawing the service takes it back."
        ),
    )

    class Meta:
        model = PublicService
        fields = ["procedure", "agency", "channel"]

    def clean_officials(self) -> list[User]:
        words = re.split(r"[\s,;]+", self.cleaned_data["officials"])
        users, unknown = users_by_username([word for word in words if word])
        if unknown:
            raise forms.ValidationError(_("Unknown users: %(u)s.") % {"u": ", ".join(unknown)})
        return users


@admin.register(PublicService, site=site)
class PublicServiceAdmin(CatalogAdmin):
    """Dịch vụ công: declared here, then withdrawn by the action; never edited."""

    form = PublicServiceForm
    list_display = ["procedure", "agency", "channel", "is_active", "declared_at"]
    list_filter = ["channel", "is_active"]
    list_select_related = ["procedure", "agency"]
    search_fields = ["procedure__code", "procedure__name", "agency__name", "agency__code"]
    autocomplete_fields = ["procedure", "agency"]
    actions = ["withdraw_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["procedure", "agency", "channel", "officials"]
        return ["procedure", "agency", "channel", "is_active", "official_list", "declared_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)

    @admin.display(description=gettext_lazy("receiving officers"))
    def official_list(self, obj: PublicService) -> str:
        grants = obj.grants.filter(revoked_at__isnull=True).select_related("user")
        return ", ".join(sorted(g.user.username for g in grants)) or "—"

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        return public_service_declare(
            actor=request.user,
            procedure=data["procedure"],
            agency=data["agency"],
            channel=data["channel"],
            officials=data.get("officials") or [],
        )

    @admin.action(
        description=gettext_lazy("Withdraw the selected services"), permissions=["change"]
    )
    def withdraw_selected(self, request, queryset):
        withdrawn = 0
        for service in queryset.filter(is_active=True).select_related("procedure", "agency"):
            try:
                public_service_withdraw(actor=request.user, service=service)
            except DomainError as exc:
                _error_messages(request, str(service), exc)
            else:
                withdrawn += 1
        messages.success(request, _("%(n)d service(s) withdrawn.") % {"n": withdrawn})


# Full-online lists -----------------------------------------------------------------------------


def _catalog_page(view):
    """An admin page for catalog managers only: others who are logged in get 403."""
    wrapped = site.admin_view(view)

    @wraps(view)
    def page(request, *args, **kwargs):
        if request.user.is_authenticated and not may_review_catalog(request.user):
            raise PermissionDenied
        return wrapped(request, *args, **kwargs)

    return page


@admin.register(FullOnlineList, site=site)
class FullOnlineListAdmin(CatalogWideAdmin):
    """The province's decisions listing its full-online procedures (R25); recorded, not edited."""

    list_display = ["decision_number", "decision_date", "issuer", "procedure_count", "export"]
    search_fields = ["decision_number", "issuer"]
    autocomplete_fields = ["procedures"]
    fields = ["decision_number", "decision_date", "issuer", "note", "procedures"]
    change_list_template = "catalog/fullonlinelist_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(procedure_total=Count("procedures"))

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)

    @admin.display(description=gettext_lazy("procedures"), ordering="procedure_total")
    def procedure_count(self, obj: FullOnlineList) -> int:
        return obj.procedure_total

    @admin.display(description=gettext_lazy("export"))
    def export(self, obj: FullOnlineList) -> str:
        url = reverse("admin:catalog_full_online_export")
        return format_html('<a href="{}?id={}">{}</a>', url, obj.pk, _("Export .xlsx"))

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        return full_online_list_create(
            actor=request.user,
            decision_number=data.get("decision_number", ""),
            decision_date=data.get("decision_date"),
            issuer=data.get("issuer", ""),
            note=data.get("note", ""),
            procedures=data.get("procedures") or [],
        )

    def get_urls(self):
        return [
            path("export.xlsx", _catalog_page(self.export_view), name="catalog_full_online_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        pk = request.GET.get("id", "")
        try:
            decision = full_online_list_get(int(pk) if pk.isdigit() else None)
        except NotFound:
            raise Http404 from None
        filename = f"danh-muc-toan-trinh-{decision.decision_number}.xlsx".replace("/", "-")
        return xlsx_response(full_online_list_xlsx(decision), filename)


# Catalog health --------------------------------------------------------------------------------


def health_view(request):
    """Every procedure against the completeness gate: how far the province is from 100%."""
    only_gaps = request.GET.get("gaps") == "1"
    health = catalog_health()
    rows = health.with_gaps if only_gaps else health.rows
    context = {
        **site.each_context(request),
        "title": _("Catalog health"),
        "health": health,
        "incomplete": health.total - health.complete,
        "rows": rows,
        # Each gap links to the field that fixes it (the draft's edit page, or a new draft).
        "row_links": [
            (row, [(gap, gap_url(row.version, gap)) for gap in row.gaps]) for row in rows
        ],
        "only_gaps": only_gaps,
    }
    return TemplateResponse(request, "catalog/health.html", context)


def health_export_view(request):
    return xlsx_response(health_xlsx(catalog_health()), "ra-soat-danh-muc-tthc.xlsx")


site.extra_urls += [
    path("catalog/health/", _catalog_page(health_view), name="catalog_health"),
    path("catalog/health.xlsx", _catalog_page(health_export_view), name="catalog_health_export"),
]


# Import and export -----------------------------------------------------------------------------


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .json)"),
        required=False,
        help_text=gettext_lazy(
            "The catalog workbook (as exported here), our JSON export, or records of the "
            "national procedure database."
        ),
    )
    codes = forms.CharField(
        label=gettext_lazy("Or procedure codes to fetch from the national portal"),
        required=False,
        help_text=gettext_lazy("Separated by commas or spaces, e.g. 1.001193, 1.000894."),
    )

    def clean(self):
        data = super().clean()
        data["codes"] = [c for c in re.split(r"[\s,;]+", data.get("codes") or "") if c]
        if not data.get("file") and not data["codes"]:
            raise forms.ValidationError(_("Choose a file or enter procedure codes."))
        return data


def import_view(request):
    """Step 1: a file or codes → a checked preview (nothing changes in the catalog yet)."""
    form = CatalogImportForm(request.POST or None, request.FILES or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                batch = catalog_import_preview(
                    actor=request.user,
                    filename=upload.name,
                    content=upload_read(upload, max_bytes=IMPORT_MAX_BYTES),
                )
            else:
                batch = catalog_import_from_portal(
                    actor=request.user, codes=form.cleaned_data["codes"]
                )
        except DomainError as exc:
            form.add_error(None, exc.message)
            errors = getattr(exc, "errors", {})
        else:
            return redirect(reverse("admin:catalog_import_batch", args=[batch.pk]))
    context = {
        **site.each_context(request),
        "title": _("Import procedures"),
        "form": form,
        "errors": errors,
    }
    return TemplateResponse(request, "catalog/import.html", context)


def import_batch_view(request, batch_id: int):
    """Step 2: the diff per procedure; applying saves new drafts, all or nothing."""
    try:
        batch = catalog_import_get(batch_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            versions = catalog_import_apply(actor=request.user, batch=batch)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(n)d procedure(s) saved as new draft versions.") % {"n": len(versions)},
            )
            return redirect(reverse("admin:catalog_procedureversion_changelist"))
        batch = catalog_import_get(batch_id)
    context = {
        **site.each_context(request),
        "title": _("Import preview"),
        "batch": batch,
        "summary": batch_summary(batch),
    }
    return TemplateResponse(request, "catalog/import_batch.html", context)


def export_view(request, fmt: str):
    """The latest version of every procedure, re-importable (.xlsx or JSON)."""
    if fmt == "xlsx":
        return xlsx_response(catalog_export_xlsx(), "danh-muc-tthc.xlsx")
    response = HttpResponse(catalog_export_json(), content_type="application/json")
    response["Content-Disposition"] = attachment_header("danh-muc-tthc.json")
    return response


site.extra_urls += [
    path("catalog/import/", _catalog_page(import_view), name="catalog_import"),
    path(
        "catalog/import/<id:batch_id>/",
        _catalog_page(import_batch_view),
        name="catalog_import_batch",
    ),
    *(
        path(f"catalog/export.{fmt}", _catalog_page(export_view), {"fmt": fmt}, name=name)
        for fmt, name in (("xlsx", "catalog_export_xlsx"), ("json", "catalog_export_json"))
    ),
]
