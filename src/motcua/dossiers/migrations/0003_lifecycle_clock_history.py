"""One clock with laws (statutory deadline, sticky lateness), consultations called off instead
of deleted, a unique national code, and a dossier history the database keeps append-only.

PostgreSQL refuses UPDATE and DELETE of history rows; SQLite refuses UPDATE here and DELETE
from 0005 (where `manage.py flush` may still empty it, as for the audit trail).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


PG_FORWARD = """
CREATE OR REPLACE FUNCTION dossiers_dossierevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossiers_dossierevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_dossierevent_append_only BEFORE UPDATE OR DELETE
    ON dossiers_dossierevent FOR EACH ROW EXECUTE FUNCTION dossiers_dossierevent_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS dossiers_dossierevent_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_dossierevent_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER dossiers_dossierevent_append_only BEFORE UPDATE ON dossiers_dossierevent
BEGIN SELECT RAISE(ABORT, 'dossiers_dossierevent is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS dossiers_dossierevent_append_only;"


def history_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def history_editable(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


def statutory_from_original(apps, schema_editor):
    # Existing dossiers: the statutory deadline starts as the appointment recorded so far.
    Dossier = apps.get_model("dossiers", "Dossier")
    Dossier.objects.filter(statutory_due_at__isnull=True, original_due_at__isnull=False).update(
        statutory_due_at=models.F("original_due_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_search_trigram_index'),
        ('dossiers', '0002_due_warning_seen'),
        ('organizations', '0001_initial'),
        ('territory', '0001_initial'),
        ('workflows', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='consultation',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='dossier',
            name='clock_late',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='dossier',
            name='statutory_due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='statutory deadline'),
        ),
        migrations.AlterField(
            model_name='dossier',
            name='external_code',
            field=models.CharField(blank=True, max_length=60, verbose_name='national code'),
        ),
        migrations.AlterField(
            model_name='dossierevent',
            name='dossier',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='dossiers.dossier'),
        ),
        migrations.AddConstraint(
            model_name='dossier',
            constraint=models.UniqueConstraint(condition=models.Q(('external_code', ''), _negated=True), fields=('external_code',), name='dossier_external_code_unique'),
        ),
        migrations.RunPython(statutory_from_original, migrations.RunPython.noop),
        migrations.RunPython(history_append_only, history_editable),
    ]
