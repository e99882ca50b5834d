"""Background tasks of the dossier engine (Celery; in-process on the embedded default)."""

from __future__ import annotations

from celery import shared_task

from .services import due_warnings_scan


@shared_task(name="motcua.dossiers.tasks.due_warnings")
def due_warnings() -> int:
    """Record a warning for each dossier near its appointment or past its step deadline."""
    return due_warnings_scan()


@shared_task(name="motcua.dossiers.tasks.intake_pull")
def intake_pull() -> dict | None:
    """Pull mode only: take the national portal's undelivered dossiers (§9.4). A no-op when the
    installation takes them by push (NATIONAL_PORTAL_INTAKE_MODE)."""
    from django.conf import settings

    from .services.intake import intake_pull as pull

    if settings.NATIONAL_PORTAL_INTAKE_MODE != "pull":
        return None
    report = pull()
    return {
        "listed": report.listed,
        "created": report.created,
        "updated": report.updated,
        "duplicate": report.duplicate,
        "refused": len(report.refused),
        "errors": len(report.errors),
    }
