"""Search open and closed dossiers through trigram indexes of their own (PostgreSQL).

The lists search open dossiers by default: a few per cent of the table. Through one trigram
index of every dossier, a common name ("Nguyễn Thị") matched 240,000 of ten million rows before
the open ones were picked out (0.18–0.35 s), and the planner preferred that index even when the
open dossiers' own was there; an index of the open ones alone answers in milliseconds. Closed
dossiers are searched within a period, through an index of the closed ones."""

from django.db import migrations

from motcua.dossiers.constants import TERMINAL

# The conditions as Django writes them (models.OPEN_ROWS, and the closed lists' filter), so the
# planner sees the lists' WHERE imply the index's.
_CLOSED = ", ".join(f"'{s}'" for s in sorted(TERMINAL))
OPEN = f'NOT ("status" IN ({_CLOSED})) AND NOT "is_sandbox"'
CLOSED = f'"status" IN ({_CLOSED}) AND NOT "is_sandbox"'


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, where in (("dossier_open_search_trgm", OPEN), ("dossier_closed_search_trgm", CLOSED)):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON dossiers_dossier "
            f"USING gin (search_folded gin_trgm_ops) WHERE {where}"
        )
    schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_trgm "
        "ON dossiers_dossier USING gin (search_folded gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS dossier_closed_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_list_and_scan_indexes")]

    operations = [migrations.RunPython(create, drop)]
