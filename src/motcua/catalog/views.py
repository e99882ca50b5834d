"""HTTP helpers shared by the catalog's admin pages and API: file downloads."""

from __future__ import annotations

import unicodedata

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from motcua.core.spreadsheets import XLSX_CONTENT_TYPE

from .models import FormTemplate


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx export as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _ascii_fallback(file_name: str) -> str:
    text = file_name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.replace('"', "").replace("\\", "").strip() or "download"


def attachment_header(file_name: str) -> str:
    """Content-Disposition for a download: RFC 5987 `filename*` plus an ASCII `filename`."""
    header = content_disposition_header(True, file_name)
    if "filename*=" in header:
        # Old clients ignore filename*; give them the name without diacritics (RFC 6266 §4.3).
        header = header.replace(
            "attachment;", f'attachment; filename="{_ascii_fallback(file_name)}";'
        )
    return header


def form_template_response(template: FormTemplate) -> HttpResponse:
    """A form template file as a download, under the name it was uploaded with."""
    response = HttpResponse(bytes(template.content), content_type=template.content_type)
    response["Content-Disposition"] = attachment_header(template.file_name)
    response["Content-Length"] = str(template.size)
    # The bytes never change for a given hash; a replaced template gets a new one.
    response["ETag"] = f'"{template.sha256}"'
    # Templates may be HTML: never let one run as a page of this site.
    response["Content-Security-Policy"] = "sandbox"
    return response
