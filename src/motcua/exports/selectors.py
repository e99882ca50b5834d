"""Reads of background exports: only the owner ever sees a job; anyone else is told "not found"."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound

from .models import ExportJob

RECENT = 20


def export_get(*, user, pk: int) -> ExportJob:
    """The user's own export, or NotFound (another official's job does not exist for them)."""
    if user is None or not user.is_authenticated:
        raise NotFound(_("No such export."))
    job = ExportJob.objects.filter(pk=pk, owner=user).first()
    if job is None:
        raise NotFound(_("No such export."))
    return job


def exports_recent(*, user) -> QuerySet[ExportJob]:
    """The user's latest exports, newest first (the (owner, created) index)."""
    if user is None or not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner=user).order_by("-created_at", "-pk")[:RECENT]


def export_file_ready(job: ExportJob) -> bool:
    from .constants import ExportStatus

    return job.status == ExportStatus.DONE and bool(job.file)
