"""Uploads are refused by their size before anything is read, and a refused upload is kept
nowhere (issue 11 §5).

Two gates:

- `RequestSizeLimitMiddleware`, first in the chain, answers 413 to any request whose declared
  Content-Length exceeds `settings.REQUEST_MAX_BYTES`, before Django parses the body: nothing
  is spooled to a temporary file or read into memory. (Behind gunicorn a body is read only up
  to its Content-Length; a request without one has no body for Django.)
- `upload_read` reads an accepted file only when its size is within the limit of the feature
  (officials import, catalog import, form templates), and says so in Vietnamese otherwise.

Django removes the temporary file of a large upload when the request ends.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .errors import InvalidInput

MB = 1024 * 1024


def megabytes(size: int) -> str:
    """A size for people: "10 MB", "1,5 MB" (Vietnamese decimal comma)."""
    value = size / MB
    text = f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}"
    return f"{text.replace('.', ',')} MB"


def too_large_message(limit: int) -> str:
    return _("The file is too large: at most %(limit)s may be uploaded.") % {
        "limit": megabytes(limit)
    }


def upload_read(upload: UploadedFile, *, max_bytes: int, field: str = "file") -> bytes:
    """The content of an uploaded file, refused (InvalidInput) on its size before reading."""
    size = upload.size or 0
    if size > max_bytes:
        raise InvalidInput(
            too_large_message(max_bytes), errors={field: [too_large_message(max_bytes)]}
        )
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:  # a size that lied
        raise InvalidInput(
            too_large_message(max_bytes), errors={field: [too_large_message(max_bytes)]}
        )
    return content


def request_too_large(request: HttpRequest) -> bool:
    """Does the request declare a body larger than the installation accepts?"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True  # an unreadable length is not a length we accept
    return length > settings.REQUEST_MAX_BYTES


class RequestSizeLimitMiddleware:
    """Answers 413 to an oversized request before its body is read (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_too_large(request):
            return self.get_response(request)
        message = too_large_message(settings.REQUEST_MAX_BYTES)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"code": "too_large", "message": message},
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            response = HttpResponse(
                render_to_string("core/too_large.html", {"message": message}), status=413
            )
        # The body was never read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response
