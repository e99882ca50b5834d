"""Background exports: states, formats, kinds and how long a file is kept."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel (.xlsx)"


class ExportKind(models.TextChoices):
    LEDGER = "ledger", _("Dossier tracking book")
    WORKLIST = "worklist", _("Work desk list")


# A finished file is kept this long, then `exports_purge` deletes the job and its file.
EXPORT_KEEP = dt.timedelta(days=7)
# Progress is written after every this many rows (one short UPDATE each).
PROGRESS_EVERY = 500
