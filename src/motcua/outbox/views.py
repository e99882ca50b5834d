"""The operators' page of the deliveries (/van-hanh/chuyen-phat/) and /metrics for Prometheus.

/metrics is not public: it answers only to the addresses in METRICS_ALLOWED_IPS (the client's
address as core/proxies.py determines it) or to "Authorization: Bearer <METRICS_TOKEN>"; anyone
else gets 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from motcua.core.proxies import client_address

from . import selectors
from .models import OutboxEvent, OutboxStatus


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Tình hình chuyển phát: per destination, its backlog, rate, failures and circuit."""
    if not selectors.outbox_operator(request.user):
        raise PermissionDenied
    dead = OutboxEvent.objects.filter(status=OutboxStatus.FAILED).order_by("id")[:20]
    return TemplateResponse(
        request,
        "outbox/deliveries.html",
        {"stats": selectors.outbox_stats(), "dead_letters": dead},
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given, f"Bearer {token}"):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS
    )


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


METRICS = [
    ("backlog", "gauge", "Events waiting to be delivered (pending, in flight included)."),
    ("in_flight", "gauge", "Pending events under a live lease."),
    ("oldest_pending_seconds", "gauge", "Age of the oldest pending event."),
    ("delivered_last_minute", "gauge", "Events delivered in the last minute."),
    ("delivered_last_hour", "gauge", "Events delivered in the last hour."),
    ("retrying", "gauge", "Pending events after at least one failed attempt."),
    ("dead_letters", "gauge", "Events that failed for good, waiting for an operator."),
    ("circuit_failures", "gauge", "Retryable failures in a row."),
]
CIRCUIT_STATES = ("closed", "open", "half_open")


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition format (version 0.0.4), written by hand."""
    if not _metrics_allowed(request):
        raise Http404
    stats = selectors.outbox_stats()
    lines: list[str] = []
    for name, kind, help_text in METRICS:
        metric = f"motcua_outbox_{name}"
        lines += [f"# HELP {metric} {help_text}", f"# TYPE {metric} {kind}"]
        for s in stats:
            value = getattr(s, name)
            lines.append(f'{metric}{{destination="{_label(s.destination)}"}} {value}')
    metric = "motcua_outbox_circuit_state"
    lines += [
        f"# HELP {metric} The circuit breaker's state (1 for the current one).",
        f"# TYPE {metric} gauge",
    ]
    for s in stats:
        for state in CIRCUIT_STATES:
            value = 1 if s.circuit == state else 0
            lines.append(
                f'{metric}{{destination="{_label(s.destination)}",state="{state}"}} {value}'
            )
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8"
    )
