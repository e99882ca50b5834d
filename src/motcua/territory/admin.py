from django.contrib import admin

from motcua.core.admin_site import site

from .models import Commune, DataLoad, Province


class ReadOnlyAdmin(admin.ModelAdmin):
    """Units come from the national list through `load_territory`; nobody edits them here.

    They are public data: anyone admitted to the admin site may read them.
    """

    def has_module_permission(self, request) -> bool:
        return True

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Province, site=site)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "phone_code"]
    search_fields = ["name", "name_folded", "=code"]


@admin.register(Commune, site=site)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["province", "kind"]
    list_select_related = ["province"]
    search_fields = ["name", "name_folded", "=code"]


@admin.register(DataLoad, site=site)
class DataLoadAdmin(ReadOnlyAdmin):
    list_display = ["loaded_at", "source", "package_version", "data_version", "created", "updated"]
