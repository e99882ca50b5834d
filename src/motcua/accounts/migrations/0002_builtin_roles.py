from django.db import migrations

# A frozen copy of the built-in roles as of this migration: later changes to constants.py must
# come with a new migration, so a database always shows which actions a role had when.
ROLES = {
    "receiving_officer": ("Cán bộ tiếp nhận", "Receiving officer", ["dossier.view", "dossier.receive"]),
    "specialist": ("Chuyên viên xử lý", "Specialist", ["dossier.view", "dossier.process"]),
    "unit_leader": (
        "Lãnh đạo phòng",
        "Unit leader",
        ["dossier.view", "dossier.process", "dossier.assign", "dossier.approve", "report.view"],
    ),
    "agency_leader": (
        "Lãnh đạo cơ quan",
        "Agency leader",
        ["dossier.view", "dossier.assign", "dossier.approve", "dossier.sign", "report.view"],
    ),
    "catalog_admin": (
        "Quản trị danh mục TTHC",
        "Catalog administrator",
        ["catalog.manage", "workflow.manage", "agency.view"],
    ),
    "province_admin": (
        "Quản trị hệ thống cấp tỉnh",
        "Province administrator",
        ["agency.view", "agency.manage", "official.view", "official.manage", "audit.view", "report.view"],
    ),
    "system_operator": (
        "Cán bộ vận hành hệ thống",
        "System operator",
        ["system.operate", "agency.view", "audit.view"],
    ),
    "inspector": (
        "Thanh tra, kiểm tra (chỉ xem)",
        "Read-only inspector",
        ["dossier.view", "agency.view", "official.view", "audit.view", "report.view"],
    ),
}


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, (name, name_en, actions) in ROLES.items():
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "actions": actions, "is_builtin": True},
        )


def remove_roles(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=ROLES, is_builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, remove_roles)]
