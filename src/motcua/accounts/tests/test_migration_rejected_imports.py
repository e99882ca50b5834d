"""Migration accounts.0003 empties the content of rejected officials files stored before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0002_builtin_roles")]
AFTER = [("accounts", "0003_rejected_imports_keep_no_file")]


def test_rejected_files_lose_their_content_previewed_ones_keep_it():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("accounts", "User")
    ImportBatch = apps.get_model("accounts", "ImportBatch")
    user = User.objects.create(username="nhap")
    rejected = ImportBatch.objects.create(
        filename="a.csv", content=b"x" * 100, sha256="0", status="rejected", created_by=user
    )
    previewed = ImportBatch.objects.create(
        filename="b.csv", content=b"ok", sha256="1", status="previewed", created_by=user
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    ImportBatch = apps.get_model("accounts", "ImportBatch")
    assert bytes(ImportBatch.objects.get(pk=rejected.pk).content) == b""
    assert bytes(ImportBatch.objects.get(pk=previewed.pk).content) == b"ok"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
