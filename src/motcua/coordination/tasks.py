"""Background tasks of the coordination with external systems (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from .services import coordination_pull
from .services import inbound_pull as inbound_pull_run


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


@shared_task(name="motcua.coordination.tasks.inbound_pull")
def inbound_pull() -> list[dict]:
    """Take the dossiers the systems in inbound pull mode hand to the province (a no-op when
    none is)."""
    return [
        {
            "system": r.system,
            "listed": r.listed,
            "outcomes": dict(r.outcomes),
            "refused": len(r.refused),
            "error": r.error,
        }
        for r in inbound_pull_run()
    ]
