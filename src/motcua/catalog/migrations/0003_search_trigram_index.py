"""Trigram index on the folded procedure name, on PostgreSQL only.

Search folds the query the same way as `name_folded` (no diacritics, đ → d, lower case) and
matches every word with LIKE '%word%'; pg_trgm's GIN index answers those without a scan. SQLite
(the embedded default) scans the folded column, which is fast enough for a demo catalog.
The extension needs a role allowed to create it (see docs/operations.md).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalog_procedure_name_trgm "
        "ON catalog_procedure USING gin (name_folded gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalog_procedure_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_versions_competence_services")]

    operations = [migrations.RunPython(forwards, backwards)]
