"""Chuyển đổi dữ liệu (R20): dossiers imported from an old system's export, and the runs.

`ImportRun` is one pass over one export file: its counts, and the last line committed, so a
rerun after a crash continues there (`services.import_file`). `ImportRejection` is one bad line
with its reason. `MigratedDossier` ties a dossier we created to the record it came from: the
unique (source, old code) is what makes the same file twice create nothing twice. The old
system's code is kept there, beside ours (DOMAIN.md decision 3); the national code, when the
record has one, goes to `Dossier.external_code` like any code issued by a central system.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running (or stopped by a crash: resume it)")
    DONE = "done", _("Finished")
    ABANDONED = "abandoned", _("Replaced by a later run of the same file")


class ImportRun(models.Model):
    """Một lần nhập dữ liệu chuyển đổi: one file, one source system."""

    source = models.CharField(_("source system"), max_length=60)
    file_name = models.CharField(_("file"), max_length=500)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The last line (1-based) whose batch committed, and the byte offset just after it.
    last_line = models.PositiveIntegerField(default=0)
    last_offset = models.PositiveBigIntegerField(default=0)
    total_lines = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    skipped = models.PositiveIntegerField(_("already imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # The local days the imported history falls on: their counts are rebuilt at the end.
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.status})"


class ImportRejection(models.Model):
    """A line of the export that was not imported, and why."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("line"))
    old_code = models.CharField(_("old code"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["run_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["run", "line"], name="import_rejection_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.line} {self.old_code}"


class MigratedDossier(models.Model):
    """A dossier created from an old system's record: the old code beside ours."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="migrated"
    )
    source = models.CharField(_("source system"), max_length=60)
    old_code = models.CharField(_("old code"), max_length=100)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="dossiers")
    line = models.PositiveIntegerField()
    # No procedure version was in force on the day of reception: the earliest one was used.
    version_fallback = models.BooleanField(_("procedure version by fallback"), default=False)
    # The record as read (less its files), for whoever must check what the old system said.
    record = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("migrated dossier")
        verbose_name_plural = _("migrated dossiers")
        constraints = [
            models.UniqueConstraint(fields=["source", "old_code"], name="migrated_old_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.old_code}"


class FileRole(models.TextChoices):
    COMPONENT = "component", _("Dossier component")
    RESULT = "result", _("Result document")


class MigratedFile(models.Model):
    """A file of a migrated dossier, copied into storage (content-addressed by its SHA-256)."""

    migrated = models.ForeignKey(MigratedDossier, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=FileRole.choices)
    order = models.PositiveSmallIntegerField(default=0)
    name = models.TextField(_("name"))
    component = models.OneToOneField(
        "dossiers.DossierComponent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="migrated_file",
    )
    file_name = models.CharField(max_length=255, blank=True)
    storage_name = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # A result document's number and signing date, as the old system recorded them.
    number = models.CharField(max_length=100, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["migrated_id", "role", "order"]

    def __str__(self) -> str:
        return self.name[:80]
