"""Kiosk mode: the service center's self-service screen (issue 14). A citizen at the screen
searches the catalog, reads a procedure, tracks a dossier and rates it, with no login and large
touch targets.

Opening `/ki-ot/` ends any session (a kiosk never stays logged in) and starts a kiosk session:
every page then shows the kiosk's header (no login, no officials' menu), bigger controls, and
returns to the kiosk's start page after KIOSK_IDLE_SECONDS without a new page, so the next
person never finds the last one's tracking answer. `/ki-ot/thoat/` leaves kiosk mode.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

SESSION_KEY = "kiosk"


def is_kiosk(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


@require_safe
def kiosk_home(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session: whoever used the screen before is gone
    request.session[SESSION_KEY] = True
    return render(request, "portal/kiosk.html", {"kiosk_home": True})


@require_POST
def kiosk_exit(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("home")
