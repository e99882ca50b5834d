"""The role that lets a ministry's system or the national coordination system deliver the
dossiers it hands to the province (DOMAIN-integration.md §5); no official's role gains anything."""

from django.db import migrations

ROLE = (
    "external_system",
    "Hệ thống của bộ, ngành / Hệ thống điều phối (tài khoản hệ thống)",
    "Ministry or coordination system intake (system account)",
    ["dossier.intake"],
)


def create_role(apps, schema_editor):
    code, name, name_en, actions = ROLE
    apps.get_model("accounts", "Role").objects.update_or_create(
        code=code,
        defaults={"name": name, "name_en": name_en, "actions": actions, "is_builtin": True},
    )


def remove_role(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code=ROLE[0], is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_system_accounts")]

    operations = [migrations.RunPython(create_role, remove_role)]
