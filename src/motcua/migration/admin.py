from django.contrib import admin

from .models import ImportRejection, ImportRun, MigratedDossier


class RejectionInline(admin.TabularInline):
    model = ImportRejection
    extra = 0
    can_delete = False
    readonly_fields = ["line", "old_code", "reason"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "source", "file_name", "status", "imported", "skipped", "rejected"]
    list_filter = ["status", "source"]
    search_fields = ["source", "file_name"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    inlines = [RejectionInline]


@admin.register(MigratedDossier)
class MigratedDossierAdmin(admin.ModelAdmin):
    list_display = ["old_code", "source", "dossier", "version_fallback"]
    search_fields = ["old_code", "dossier__code"]
    list_select_related = ["dossier"]
    readonly_fields = ["dossier", "source", "old_code", "run", "line", "version_fallback", "record"]
