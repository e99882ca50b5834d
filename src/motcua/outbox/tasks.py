"""Celery tasks of the outbox: the dispatcher, run by beat every few seconds and kicked when a
transaction that wrote outbox rows commits. Any number may run at once, on any machine: claims
never overlap (outbox/dispatch.py)."""

from __future__ import annotations

from celery import shared_task

from .dispatch import outbox_dispatch


@shared_task(name="motcua.outbox.tasks.dispatch", ignore_result=True)
def dispatch(destination: str | None = None) -> dict:
    """Deliver what is due, batch after batch, until nothing is due or the time budget is spent."""
    report = outbox_dispatch(destinations=[destination] if destination else None)
    return report.__dict__


@shared_task(name="motcua.outbox.tasks.purge", ignore_result=True)
def purge() -> int:
    """Delete the events delivered longer ago than OUTBOX_KEEP_DELIVERED_DAYS."""
    from .purge import outbox_purge

    return outbox_purge()
