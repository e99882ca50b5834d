"""Background tasks of the counts (Celery; in-process on the embedded default)."""

from __future__ import annotations

from celery import shared_task

from .services import counts_rollup_ended


@shared_task(name="motcua.reports.tasks.counts_rollup")
def counts_rollup() -> int:
    """Roll up the months that have ended since the last roll-up (none most days)."""
    return len(counts_rollup_ended())
