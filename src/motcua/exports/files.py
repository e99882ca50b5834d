"""The download of a finished export, for the page and the API alike."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from motcua.core.errors import Conflict
from motcua.core.spreadsheets import XLSX_CONTENT_TYPE

from .constants import ExportFormat
from .models import ExportJob
from .selectors import export_file_ready

CONTENT_TYPES = {ExportFormat.PDF: "application/pdf", ExportFormat.XLSX: XLSX_CONTENT_TYPE}


def export_file_response(job: ExportJob) -> FileResponse:
    """The file as an attachment (streamed from storage), or Conflict while it is not ready."""
    if not export_file_ready(job):
        raise Conflict(_("The file is not ready yet."), code="not_ready")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.format],
    )
