"""A small fault switch for the simpler simulators (population database, business registry,
SMS and e-mail gateways): the same control contract as the national portal's `_faults`
(simulators/national_portal/sync.py), fewer knobs.

POST <simulator>/_faults with header `X-Sim-Token: <SIMULATOR_CONTROL_TOKEN>` (refused when the
token is unset or wrong; absent when SIMULATORS_ENABLED is off). The body replaces the switch
({} or {"reset": true}: all off):
- "outage_seconds": N — every call answers 503 for N seconds from now;
- "error": "500" | "502" | "503" | "429", "error_count": N — the next N calls answer that status
  (0: until switched off);
- "timeout": s — each call waits s seconds (at most 60) first, so the caller times out;
- "latency": s — each call waits s seconds (at most 30) and is then answered normally.
The state lives in this process's memory: enough for the demo's server and `live_server`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from motcua.simulators.control import control_allowed, control_refusal

KEYS = {"reset", "outage_seconds", "error", "error_count", "timeout", "latency"}
ERRORS = {"500", "502", "503", "429"}


def json_answer(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def enabled() -> None:
    if not settings.SIMULATORS_ENABLED:
        raise Http404("Simulators are off.")


class FaultSwitch:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, Any] = {}

    def set(self, config: dict[str, Any]) -> dict[str, Any]:
        unknown = set(config) - KEYS
        if unknown:
            raise ValueError(f"unknown keys: {sorted(unknown)}")
        state: dict[str, Any] = {}
        if config.get("outage_seconds"):
            state["outage_until"] = time.monotonic() + min(float(config["outage_seconds"]), 3600)
        if config.get("error") is not None:
            if str(config["error"]) not in ERRORS:
                raise ValueError("error")
            state["error"] = int(config["error"])
            state["error_count"] = int(config.get("error_count") or 0) or None
        for key, top in (("timeout", 60.0), ("latency", 30.0)):
            if config.get(key):
                value = float(config[key])
                if not 0 <= value <= top:
                    raise ValueError(key)
                state[key] = value
        with self._lock:
            self._state = state
        return {k: v for k, v in state.items() if k != "outage_until"}

    def check(self) -> HttpResponse | None:
        """Before a call is served: the faulty answer to give, or None to serve it."""
        with self._lock:
            state = dict(self._state)
        if state.get("timeout"):
            time.sleep(state["timeout"])
        if state.get("outage_until", 0) > time.monotonic():
            return json_answer({"error_code": "503", "message": "Hệ thống đang bảo trì"}, 503)
        if "error" in state:
            with self._lock:
                left = self._state.get("error_count")
                if left is not None:
                    if left <= 0:
                        return None
                    self._state["error_count"] = left - 1
            return json_answer(
                {"error_code": str(state["error"]), "message": "Lỗi"}, state["error"]
            )
        if state.get("latency"):
            time.sleep(state["latency"])
        return None

    def control(self, request: HttpRequest) -> HttpResponse:
        """The `_faults` view's body (the caller is csrf_exempt and POST-only)."""
        enabled()
        if not control_allowed(request):
            return control_refusal()
        if len(request.body) > 4096:
            return json_answer({"error_code": "413", "message": "Too large"}, status=413)
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("object")
            state = self.set(body)
        except (UnicodeDecodeError, ValueError, TypeError) as exc:
            return json_answer({"error_code": "400", "message": str(exc)}, status=400)
        return json_answer({"faults": state})
