"""Login throttling (django-axes) wired to our rules: one client address (core.proxies), one
spelling of a username, failed logins in the audit trail, the lockout answered in Vietnamese.

Every password login goes through `django.contrib.auth.authenticate(request, …)`: the officials'
page /dang-nhap/ and the administration's /admin/login/ (the API has no login of its own; it
uses the session these pages open). Axes counts failures per username and per client address
(`AXES_LOCKOUT_PARAMETERS`): LOGIN_FAILURE_LIMIT failures of either within LOGIN_COOLOFF_MINUTES
lock it until the cool-off has passed, even for the right password.
"""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .services import login_failure_record


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username axes counts under: as typed, trimmed and case-folded (usernames are unique
    whatever their case), so "Admin" and "admin " share one counter. At most 150 characters."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "") if request is not None else ""
    return str(raw).strip().lower()[:150]


def _cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        return max(1, round(cool_off.total_seconds() / 60))
    return 0


def lockout_message() -> str:
    return _(
        "Too many failed log-ins for this account or from this address. Try again in "
        "%(n)d minutes, or ask the system operators to unlock it."
    ) % {"n": _cool_off_minutes()}


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the Vietnamese explanation (JSON for scripts)."""
    message = lockout_message()
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"code": "locked_out", "message": message},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


class AuditedAxesHandler(AxesDatabaseHandler):
    """Axes' database handler (counts shared by every worker and app server), and each counted
    failure appended to our audit trail.

    Attempts refused because the lock is already on are not counted again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off) and not audited one by one either:
    the append-only trail records the failures that led to the lock, and the lock itself,
    whatever a flood of refused requests after it."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or already_locked:
            return
        login_failure_record(
            username=login_username(request, credentials),
            client_address=request.axes_ip_address or "",
            path=request.path,
            failures=getattr(request, "axes_failures_since_start", 0) or 0,
            locked_out=bool(getattr(request, "axes_locked_out", False)),
        )
