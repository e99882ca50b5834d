"""Background work of the certification book."""

from __future__ import annotations

from celery import shared_task

from .services import certifications_void_stale


@shared_task(name="motcua.certification.tasks.void_stale")
def void_stale() -> int:
    """Void the numbers reserved longer than CERTIFICATION_STALE_MINUTES (a certification
    whose process ended before the copy was signed); how many."""
    return certifications_void_stale()
