"""Who may flip a simulator's switches (failures, faults, queues): the holder of the token.

Every control endpoint exists only when settings.SIMULATORS_ENABLED, and answers only a request
carrying `X-Sim-Token: <SIMULATOR_CONTROL_TOKEN>`; with no token configured (the demo's default)
nobody may. The simulated systems' own endpoints keep their own authentication."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse

HEADER = "X-Sim-Token"


def control_allowed(request: HttpRequest) -> bool:
    expected = settings.SIMULATOR_CONTROL_TOKEN
    given = request.headers.get(HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def control_refusal() -> JsonResponse:
    return JsonResponse({"error_code": "403", "message": "Forbidden"}, status=403)
