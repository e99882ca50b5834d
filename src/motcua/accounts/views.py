"""HTTP helpers shared by the accounts admin pages and API."""

from django.http import HttpResponse

from .importing import EXPORT_CONTENT_TYPES


def export_response(content: bytes, fmt: str) -> HttpResponse:
    """An officials export as a download, named like the file the importer reads back."""
    response = HttpResponse(content, content_type=EXPORT_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="can-bo.{fmt}"'
    return response
