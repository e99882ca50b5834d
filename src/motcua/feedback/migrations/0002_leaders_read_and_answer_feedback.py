"""The built-in roles gain the feedback actions (accounts/constants.py): leaders read their
units' ratings and answer the national portal's questions; inspectors read them. A frozen copy,
as accounts 0002 is: a database shows which actions a role had when."""

from django.db import migrations

ADDED = {
    "unit_leader": ["feedback.view", "feedback.answer"],
    "agency_leader": ["feedback.view", "feedback.answer"],
    "inspector": ["feedback.view"],
}


def add(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, actions in ADDED.items():
        role = Role.objects.filter(code=code, is_builtin=True).first()
        if role is not None:
            role.actions = role.actions + [a for a in actions if a not in role.actions]
            role.save(update_fields=["actions"])


def remove(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, actions in ADDED.items():
        role = Role.objects.filter(code=code, is_builtin=True).first()
        if role is not None:
            role.actions = [a for a in role.actions if a not in actions]
            role.save(update_fields=["actions"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_ratings_and_questions"),
        ("accounts", "0004_system_accounts"),
    ]

    operations = [migrations.RunPython(add, remove)]
