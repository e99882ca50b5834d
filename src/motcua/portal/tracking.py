"""Public dossier tracking (tra cứu hồ sơ): a code plus a second factor, nothing else revealed.

The applicant types the dossier code from their receipt (or scans its QR code, which fills it
in) and their phone number or identity number. A wrong factor and an unknown code get the same
answer, and each client address may ask `TRACKING_RATE_PER_MINUTE` times a minute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError, NotFound
from motcua.core.proxies import client_address
from motcua.dossiers.selectors import Tracking, dossier_track


class TooManyLookups(DomainError):
    """Rate limited: too many look-ups from this address, or wrong ones of this code."""

    status = 429
    code = "too_many_requests"


def _window_count(key: str, seconds: int) -> int:
    """Count one more in a fixed window of `seconds` (in the shared cache); the new count.

    The counter is incremented first: a key already counting costs one cache call (two Redis
    commands) instead of a failed `add` and then the increment."""
    try:
        count = cache.incr(key)
    except ValueError:  # the first of the window (or the window just ended)
        if cache.add(key, 1, timeout=seconds):
            return 1
        count = cache.incr(key)  # another request opened the window a moment ago
    if count == 1:
        # The window expired between Redis' EXISTS and INCR, which then made a key without
        # an expiry: give it one, or it would stay counted for good.
        cache.touch(key, timeout=seconds)
    return count


def tracking_allowed(request: HttpRequest) -> bool:
    """A fixed one-minute window per client address (behind the proxy: core.proxies)."""
    key = f"tracking-rate:{client_address(request)}"
    return _window_count(key, 60) <= settings.TRACKING_RATE_PER_MINUTE


def _code_key(code: str) -> str:
    # Hashed: any text may be typed as a code, and a key must stay short. Case-folded, so
    # "h20" and "H20" count together.
    return "tracking-code:" + hashlib.sha256(code.strip().upper().encode()).hexdigest()[:40]


def tracking_code_locked(code: str) -> bool:
    """Has this code had TRACKING_CODE_GUESSES wrong look-ups in its current window?"""
    return (cache.get(_code_key(code)) or 0) >= settings.TRACKING_CODE_GUESSES


T = TypeVar("T")


def tracking_guard(request: HttpRequest, code: str, attempt: Callable[[], T]) -> T:
    """Run a public operation proven by a dossier code and a second factor (tracking, the
    applicant's rating) under the tracking limits: `attempt` raising NotFound is a wrong guess
    of `code`.

    Each client address may ask TRACKING_RATE_PER_MINUTE times a minute. Each code may be
    asked wrongly (unknown, or a wrong second factor) TRACKING_CODE_GUESSES times in a window
    of TRACKING_CODE_WINDOW_SECONDS, from however many addresses; then it answers nothing, not
    even to the right factor, until the window ends. Known and unknown codes lock alike, so
    the lock tells nothing about a code's existence."""
    if not tracking_allowed(request):
        raise TooManyLookups(_("Too many look-ups from this address. Try again in a minute."))
    if tracking_code_locked(code):
        raise TooManyLookups(
            _("Too many wrong look-ups of this dossier code. Try again in %(n)d minutes.")
            % {"n": max(1, settings.TRACKING_CODE_WINDOW_SECONDS // 60)}
        )
    try:
        return attempt()
    except NotFound:
        _window_count(_code_key(code), settings.TRACKING_CODE_WINDOW_SECONDS)
        raise


def tracking_lookup(request: HttpRequest, code: str, factor: str) -> Tracking:
    """The one public look-up, for the page and the API (limits: `tracking_guard`)."""
    return tracking_guard(request, code, lambda: dossier_track(code, factor))


def tracking(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("ma") or request.GET.get("ma") or "").strip()
    factor = (request.POST.get("xac_thuc") or "").strip()
    from motcua.feedback.constants import RATABLE_NATIONAL

    # An ended dossier offers its applicant the rating page (motcua.feedback).
    context = {"code": code, "result": None, "error": "", "ratable_codes": RATABLE_NATIONAL}
    status = 200
    if request.method == "POST":
        if not code or not factor:  # nothing looked up, nothing counted
            context["error"] = _("Enter the dossier code and the phone or identity number.")
            status = 422
        else:
            try:
                context["result"] = tracking_lookup(request, code, factor)
            except DomainError as exc:
                context["error"] = exc.message
                status = exc.status
    return render(request, "portal/tracking.html", context, status=status)
