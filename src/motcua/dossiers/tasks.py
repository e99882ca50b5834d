"""Background tasks of the dossier engine (Celery; in-process on the embedded default)."""

from __future__ import annotations

from celery import shared_task

from .services import due_warnings_scan


@shared_task(name="motcua.dossiers.tasks.due_warnings")
def due_warnings() -> int:
    """Record a warning for each dossier near its appointment or past its step deadline."""
    return due_warnings_scan()
