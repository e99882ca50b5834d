"""Rejected officials files keep their errors, not their content (issue 11 §5): empty the
content of the ones stored before that rule."""

from django.db import migrations


def forward(apps, schema_editor):
    ImportBatch = apps.get_model("accounts", "ImportBatch")
    ImportBatch.objects.filter(status="rejected").exclude(content=b"").update(content=b"")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
