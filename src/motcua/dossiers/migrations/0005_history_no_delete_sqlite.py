"""SQLite refuses DELETE of dossier history rows too (PostgreSQL has since 0003), with the same
exception as the audit trail: only while this process runs `manage.py flush` (core.audit)."""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER dossiers_dossierevent_no_delete BEFORE DELETE ON dossiers_dossierevent
WHEN NOT motcua_audit_flushing()
BEGIN SELECT RAISE(ABORT, 'dossiers_dossierevent is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_delete;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_clock_held"), ("core", "0004_audit_no_delete_sqlite")]
    operations = [migrations.RunPython(forward, reverse)]
