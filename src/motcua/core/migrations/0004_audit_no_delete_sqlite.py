"""SQLite refuses DELETE on the audit trail too (PostgreSQL has since 0002).

Its trigger lets a DELETE through only while this process runs `manage.py flush` (the function
it asks is registered on our connections by core.audit; another client has no such function, so
its DELETE fails as well).
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
WHEN NOT motcua_audit_flushing()
BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar")]
    operations = [migrations.RunPython(forward, reverse)]
