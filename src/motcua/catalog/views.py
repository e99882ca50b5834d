"""HTTP helpers shared by the catalog's admin pages and API: file downloads."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .exports import XLSX_CONTENT_TYPE
from .models import FormTemplate


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx export as a download."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def form_template_response(template: FormTemplate) -> HttpResponse:
    """A form template file as a download, under the name it was uploaded with."""
    response = HttpResponse(bytes(template.content), content_type=template.content_type)
    response["Content-Disposition"] = content_disposition_header(True, template.file_name)
    response["Content-Length"] = str(template.size)
    # The bytes never change for a given hash; a replaced template gets a new one.
    response["ETag"] = f'"{template.sha256}"'
    return response
