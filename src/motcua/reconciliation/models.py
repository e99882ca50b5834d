"""A reconciliation run: what the national portal holds, compared with our dossiers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reconciliation(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped: the portal did not answer")

    # Dossiers received on these local days (inclusive).
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resend = models.BooleanField(_("re-send the differences"), default=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    checked = models.PositiveIntegerField(_("dossiers compared"), default=0)
    matching = models.PositiveIntegerField(_("the same on both sides"), default=0)
    missing = models.PositiveIntegerField(_("missing on the portal"), default=0)
    differing = models.PositiveIntegerField(_("another status on the portal"), default=0)
    in_flight = models.PositiveIntegerField(_("changes still being delivered"), default=0)
    dead_letters = models.PositiveIntegerField(_("with a dead letter"), default=0)
    resent = models.PositiveIntegerField(_("re-sent"), default=0)
    # [{"code", "kind": "missing"|"differs", "ours", "portal"}], at most DETAIL_LIMIT of them.
    differences = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        return f"{self.start}..{self.end} ({self.state})"
