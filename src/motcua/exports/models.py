"""Background exports (xuất tệp chạy nền): a file someone asked for, prepared by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import ExportFormat, ExportKind, ExportStatus


class ExportJob(models.Model):
    """One requested file (a ledger as PDF or .xlsx): its parameters, progress and result.

    Written only by `services`; the worker claims a queued job with a conditional UPDATE, so a
    task delivered twice renders the file once. Only the owner ever sees it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ExportKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField(_("download name"), max_length=120, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted after"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            # "My recent exports", newest first.
            models.Index(fields=["owner", "-created_at"], name="export_owner_recent"),
            # The purge's range scan.
            models.Index(fields=["expires_at"], name="export_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.format}, {self.status})"

    @property
    def percent(self) -> int:
        """Progress in whole percent: 100 once done, 0 until the rows are counted."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
