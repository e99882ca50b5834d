"""A BRIN index on the history's time, PostgreSQL only: `counts_rebuild` and `counts_check`
read the events of a range of days. History rows are appended in time order, so a block-range
index (a few pages for hundreds of millions of rows, almost nothing to keep up on insert) finds
a month without the cost a B-tree would add to every transition."""

from django.db import migrations


def brin_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS dossier_event_at_brin "
            "ON dossiers_dossierevent USING brin (at)"
        )


def brin_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_event_at_brin")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_counts"),
        ("dossiers", "0007_history_dossier_index"),
    ]

    operations = [migrations.RunPython(brin_create, brin_drop, elidable=False)]
