"""System accounts (the national portal's intake) and the role that lets one deliver online
dossiers; no official's role gains anything."""

from django.db import migrations, models

ROLE = (
    "national_portal",
    "Cổng Dịch vụ công quốc gia (tài khoản hệ thống)",
    "National portal intake (system account)",
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
    dependencies = [("accounts", "0003_rejected_imports_keep_no_file")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="kind",
            field=models.CharField(
                choices=[
                    ("official", "Official"),
                    ("citizen", "Citizen"),
                    ("organization", "Organization"),
                    ("system", "System"),
                ],
                default="official",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(create_role, remove_role),
    ]
