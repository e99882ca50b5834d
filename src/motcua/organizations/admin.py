from django.contrib import admin

from motcua.accounts.admin_base import ScopedAdmin
from motcua.accounts.authz import agencies_where
from motcua.accounts.constants import Action
from motcua.core.admin_site import site

from .models import Agency
from .services import EDITABLE_FIELDS, agency_create, agency_update


@admin.register(Agency, site=site)
class AgencyAdmin(ScopedAdmin):
    view_action = Action.AGENCY_VIEW
    manage_action = Action.AGENCY_MANAGE
    list_display = ["indented_name", "code", "kind", "commune", "is_active"]
    list_filter = ["kind", "is_active", "province"]
    list_select_related = ["province", "commune"]
    search_fields = ["name", "name_folded", "code"]
    autocomplete_fields = ["parent", "commune", "serves_agency"]
    fields = [
        "parent",
        "kind",
        "name",
        "short_name",
        "code",
        "province",
        "commune",
        "address",
        "phone",
        "email",
        "is_active",
        "serves_agency",
        "serves_field",
    ]

    @admin.display(description=Agency._meta.get_field("name").verbose_name, ordering="path")
    def indented_name(self, obj: Agency) -> str:
        return "— " * obj.depth + obj.name

    def get_queryset(self, request):
        return agencies_where(request.user, Action.AGENCY_VIEW).select_related(
            "province", "commune"
        )

    def get_readonly_fields(self, request, obj=None):
        # The province follows the parent; only a root's province is chosen, once.
        return ["province"] if obj is not None else []

    def run_service(self, request, form, *, dry_run: bool):
        data = form.cleaned_data
        if form.instance.pk is None:
            return agency_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                parent=data.get("parent"),
                province=data.get("province"),
                code=data.get("code"),
                commune=data.get("commune"),
                short_name=data.get("short_name", ""),
                address=data.get("address", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
                serves_agency=data.get("serves_agency"),
                serves_field=data.get("serves_field"),
            )
        current = Agency.objects.get(pk=form.instance.pk)
        changes = {name: data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        return agency_update(actor=request.user, agency=current, **changes)
