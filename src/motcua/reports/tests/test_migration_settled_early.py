"""Migration reports.0003 on a database whose counts were kept by the release before it: the
new column is filled from the history through the historical models, so `counts_check` finds
nothing after the upgrade."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.dossiers.tests.factories import local
from motcua.reports.models import DailyCount, MonthlyCount
from motcua.reports.services import counts_check, counts_rollup
from motcua.signing.tests import conftest as _signing

from .drive import act, submit

# A transactional test starts from an empty database: territory and roles come back first.
reloaded = _signing.reloaded

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reports", "0002_history_time_brin")]
AFTER = [("reports", "0003_settled_early")]
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_upgrading_fills_early_from_the_history(reloaded, world):
    early = submit(world, local(2026, 3, 2, 9), accept=True)
    assert act(world, "forward", early, local(2026, 3, 3, 9))
    assert act(world, "forward", early, local(2026, 3, 3, 10))  # due 5/3: early
    counts_rollup(2026, 3)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the column is gone, the other counts stay
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    try:
        assert counts_check(*MARCH) == []
        assert DailyCount.objects.get(day=dt.date(2026, 3, 3)).settled_early == 1
        assert MonthlyCount.objects.get(month=dt.date(2026, 3, 1)).settled_early == 1
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
