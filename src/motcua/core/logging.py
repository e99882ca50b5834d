"""Structured logs: one JSON object per line, and one line per HTTP request."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from .proxies import client_address

request_logger = logging.getLogger("motcua.request")
# What a request id may be when it comes from outside: a load balancer's uuid or nginx's
# $request_id fits; anything longer or with other characters (a newline to forge a log line,
# a megabyte to bloat every one) is replaced by our own.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line; extra= fields become keys."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def request_id_from(header: str) -> str:
    """The incoming X-Request-ID when it is a plain token of at most 64 characters, otherwise a
    new one."""
    return header if REQUEST_ID_RE.fullmatch(header) else uuid.uuid4().hex


class RequestLogMiddleware:
    """Logs each request once (method, path, status, duration, user, request id).

    The request id comes from the load balancer's X-Request-ID when present (and well formed:
    `REQUEST_ID_RE`), so one id follows a request across proxies, app servers and logs; it is
    echoed back in the response. `client_addr` is the client behind trusted proxies
    (core.proxies), `remote_addr` the direct peer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "client_addr": client_address(request),
            },
        )
        return response
