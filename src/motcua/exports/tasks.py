"""Background exports' worker task (Celery; in-process on the embedded default)."""

from __future__ import annotations

from celery import shared_task

from .services import export_purge as _purge
from .services import export_render as _render


@shared_task(name="motcua.exports.tasks.export_render")
def export_render(job_id: int) -> str | None:
    """Prepare one export's file (a second delivery does nothing); returns its status."""
    job = _render(job_id=job_id)
    return job.status if job else None


@shared_task(name="motcua.exports.tasks.export_purge")
def export_purge() -> tuple[int, int]:
    """Delete expired exports and their files; fail the abandoned ones."""
    return _purge()
