"""NUL characters are refused at the door, for every page and API operation.

PostgreSQL cannot store NUL (U+0000) in text, nor compare text with it: a NUL in any value that
reaches a query (a search box, a code in the URL, a JSON field, a form field, the session
cookie) was a 500. No legitimate input carries one, so one middleware refuses the request
before anything reads it: the API answers 422 with its error body, naming the field; pages
answer 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from motcua.core.errors import InvalidInput

NUL = "\x00"
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FORMS = {"multipart/form-data", "application/x-www-form-urlencoded"}


def _first_in_json(value: Any) -> str | None:
    """The dotted path of the first string (or key) holding NUL in a JSON document."""
    stack: list[tuple[tuple, Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if NUL in node:
                return ".".join(map(str, path)) or "body"
        elif isinstance(node, dict):
            for key, item in reversed(node.items()):
                if NUL in key:
                    return ".".join(map(str, path)) or "body"
                stack.append(((*path, key), item))
        elif isinstance(node, list):
            stack.extend(((*path, i), item) for i, item in reversed(list(enumerate(node))))
    return None


def _first_in_body(request: HttpRequest) -> str | None:
    media_type = request.content_type or ""
    try:
        if media_type in _FORMS:
            for key, values in request.POST.lists():
                if NUL in key or any(NUL in value for value in values):
                    return key.replace(NUL, "")
            for key, files in request.FILES.lists():
                if any(NUL in (f.name or "") for f in files):
                    return key
        elif media_type.endswith(("/json", "+json")) and b"\\u0000" in request.body:
            # JSON writes NUL as the escape \u0000; only then is the document parsed here.
            return _first_in_json(json.loads(request.body))
    except (ValueError, RecursionError, MultiPartParserError, SuspiciousOperation):
        # An unreadable or oversized body is refused further on, with its own answer.
        return None
    return None


def nul_field(request: HttpRequest) -> str | None:
    """The first place of the request holding a NUL character, or None."""
    if NUL in request.path:
        return "path"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "") or "query"
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            return "cookie"
    if request.method in _BODY_METHODS:
        return _first_in_body(request)
    return None


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is for the JSON API (/api/v1/), whose errors are JSON."""
    try:
        return request.path_info.startswith(reverse("api:api-root"))
    except NoReverseMatch:
        return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        message = _("Text cannot contain the NUL character (\\x00).")
        if is_api_request(request):
            invalid = InvalidInput(_("The request has errors."), errors={field: [message]})
            return JsonResponse(invalid.as_dict(), status=invalid.status)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
