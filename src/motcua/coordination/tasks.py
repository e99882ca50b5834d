"""Background tasks of the coordination with external systems (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from .services import coordination_pull


@shared_task(name="motcua.coordination.tasks.pull")
def pull() -> list[dict]:
    """Ask every external system in pull mode how the dossiers handed over to it are going
    (a no-op when none is in pull mode)."""
    return [
        {
            "system": r.system,
            "asked": r.asked,
            "outcomes": dict(r.outcomes),
            "refused": dict(r.refused),
            "error": r.error,
        }
        for r in coordination_pull()
    ]
