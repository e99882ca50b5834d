"""The lists at ten million dossiers (issue 12): partial indexes over the open dossiers, one
per way an official sees one, in the lists' order; reception-time indexes for closed ones; the
folded code and name for the partial search, with a trigram index on PostgreSQL (the extension
needs a role allowed to create it, see docs/operations.md); orderings of the dossier's parts by
the dossier's id, not by a join to the dossier table and its ordering."""

from django.conf import settings
from django.db import migrations, models

from motcua.core.textnorm import fold

BATCH = 2000


def fill_search(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    last = 0
    while True:
        batch = list(
            Dossier.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "code", "applicant_name")[:BATCH]
        )
        if not batch:
            return
        for d in batch:
            d.search_folded = fold(f"{d.code} {d.applicant_name}")
        Dossier.objects.bulk_update(batch, ["search_folded"])
        last = batch[-1].pk


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_trgm "
        "ON dossiers_dossier USING gin (search_folded gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_trigram_index"),
        ("dossiers", "0005_history_no_delete_sqlite"),
        ("organizations", "0001_initial"),
        ("territory", "0001_initial"),
        ("workflows", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="consultation",
            options={"ordering": ["dossier_id", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="dossiercomponent",
            options={"ordering": ["dossier_id", "order", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="dossierevent",
            options={"ordering": ["dossier_id", "seq"]},
        ),
        migrations.AlterModelOptions(
            name="extensionletter",
            options={"ordering": ["dossier_id", "sequence"]},
        ),
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossier_competent_idx",
        ),
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossier_step_agency_idx",
        ),
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossier_step_due_idx",
        ),
        migrations.AddField(
            model_name="dossier",
            name="search_folded",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("status__in", ["refused", "returned", "stopped", "withdrawn"]),
                        _negated=True,
                    ),
                    ("is_sandbox", False),
                ),
                fields=["step_due_at", "id"],
                name="dossier_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("status__in", ["refused", "returned", "stopped", "withdrawn"]),
                        _negated=True,
                    ),
                    ("is_sandbox", False),
                ),
                fields=["step_agency", "step_due_at", "id"],
                name="dossier_open_step_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("status__in", ["refused", "returned", "stopped", "withdrawn"]),
                        _negated=True,
                    ),
                    ("is_sandbox", False),
                ),
                fields=["competent_agency", "step_due_at", "id"],
                name="dossier_open_competent_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("status__in", ["refused", "returned", "stopped", "withdrawn"]),
                        _negated=True,
                    ),
                    ("is_sandbox", False),
                ),
                fields=["receiving_agency", "step_due_at", "id"],
                name="dossier_open_desk_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("status__in", ["refused", "returned", "stopped", "withdrawn"]),
                        _negated=True,
                    ),
                    ("is_sandbox", False),
                ),
                fields=["assignee", "step_due_at", "id"],
                name="dossier_open_assignee_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["competent_agency", "submitted_at"], name="dossier_competent_time_idx"
            ),
        ),
        migrations.RunPython(fill_search, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, trigram_index_drop),
    ]
