"""Public dossier tracking (tra cứu hồ sơ): a code plus a second factor, nothing else revealed.

The applicant types the dossier code from their receipt (or scans its QR code, which fills it
in) and their phone number or identity number. A wrong factor and an unknown code get the same
answer, and each client address may ask `TRACKING_RATE_PER_MINUTE` times a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound
from motcua.dossiers.selectors import dossier_track


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def tracking_allowed(request: HttpRequest) -> bool:
    """A fixed one-minute window per client address, in the shared cache.

    The counter is incremented first: an address already counting this minute costs one cache
    call (two Redis commands) instead of a failed `add` and then the increment."""
    key = f"tracking-rate:{client_address(request)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the first look-up of the window (or the window just ended)
        if cache.add(key, 1, timeout=60):
            return True
        count = cache.incr(key)  # another request opened the window a moment ago
    if count == 1:
        # The window expired between Redis' EXISTS and INCR, which then made a key without
        # an expiry: give it one, or the address would stay counted for good.
        cache.touch(key, timeout=60)
    return count <= settings.TRACKING_RATE_PER_MINUTE


def tracking(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("ma") or request.GET.get("ma") or "").strip()
    factor = (request.POST.get("xac_thuc") or "").strip()
    context = {"code": code, "result": None, "error": ""}
    status = 200
    if request.method == "POST":
        if not tracking_allowed(request):
            context["error"] = _("Too many look-ups from this address. Try again in a minute.")
            status = 429
        elif not code or not factor:
            context["error"] = _("Enter the dossier code and the phone or identity number.")
            status = 422
        else:
            try:
                context["result"] = dossier_track(code, factor)
            except NotFound as exc:
                context["error"] = exc.message
                status = 404
    return render(request, "portal/tracking.html", context, status=status)
