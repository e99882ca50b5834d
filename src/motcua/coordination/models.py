"""Hand-overs of dossiers to a ministry's centralized system or the national coordination
system (chuyển hồ sơ sang hệ thống của bộ, ngành / Hệ thống điều phối, DOMAIN-integration.md
§5), and the reports that come back from it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier


class HandoverResult(models.TextChoices):
    GRANTED = "granted", _("Settled: result issued")
    REFUSED = "refused", _("Refused")


class Handover(models.Model):
    """One dossier handed over at one external step: the system's `AcceptKey` names it.

    Open (waiting for the result) until the result is applied; the last report's time
    (`ThoiDiemXuLy`) is what an out-of-order report is compared with."""

    system = models.CharField(_("external system"), max_length=30)
    accept_key = models.CharField(_("AcceptKey"), max_length=80, unique=True)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    step_key = models.CharField(_("step"), max_length=40)
    handed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    last_reported_at = models.DateTimeField(_("last report"), null=True, blank=True)
    last_status = models.CharField(_("last status"), max_length=10, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=HandoverResult.choices, blank=True
    )
    closed_at = models.DateTimeField(_("result applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over to an external system")
        verbose_name_plural = _("hand-overs to external systems")
        indexes = [
            # The pull's question: the open hand-overs of a system.
            models.Index(
                fields=["system", "id"],
                name="coord_handover_open_idx",
                condition=models.Q(closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.accept_key}"


class ReportOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    STALE = "stale", _("Older than a report already applied: nothing changed")


class ExternalReport(models.Model):
    """A report received from an external system, once per (system, key): a repeat is answered
    "duplicate" and changes nothing."""

    system = models.CharField(_("external system"), max_length=30)
    key = models.CharField(_("report key"), max_length=200)
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="reports")
    status_id = models.CharField(_("StatusId"), max_length=10)
    reported_at = models.DateTimeField(_("processed at (ThoiDiemXuLy)"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    via = models.CharField(_("via"), max_length=10)  # "callback" or "pull"
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReportOutcome.choices)
    body = models.JSONField(_("report"))

    class Meta:
        verbose_name = _("external system report")
        verbose_name_plural = _("external system reports")
        constraints = [
            models.UniqueConstraint(fields=["system", "key"], name="coord_report_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.key}"
