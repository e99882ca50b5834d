"""The national portal's public procedure-catalog endpoints, as the 2026 portal serves them.

Protocol, as observed on dichvucong.gov.vn by independent public crawlers (among them the one
that captured our records, VoidKeishi/OpenGOV: backend/scripts/crawl-dvc.mjs):

- every endpoint is POST with a JSON body and answers **HTTP 201** on success, with the envelope
  {"code": "OK", "message": "OK", "data": …};
- catalog, POST /api/v1/submitting/formality/list-all-public-formality-by-citizen:
  body {"limit": 50, "lastId": "", "q": "", "categoryId": "", "departmentCode": ""},
  data {"items": [row, …], "lastId": "<id of the last row>", "total": N}. Paging is by cursor
  (keyset): the next page is asked with lastId = the previous page's lastId; a short or empty
  page ends the list. Rows come newest first (id descending; ids are UUIDv7);
- one procedure, POST /api/v1/configuring/formality/get-formality-by-citizen:
  body {"id": "<formality UUID>"} (the catalog row's id, not the procedure code), data = the full
  record. A caller holding only a code finds the id with the catalog's `q` first;
- provinces, POST /api/v1/configuring/province-vn/list-by-citizen: body {"limit", "lastId"},
  data {"rows": […], "count": n, "lastId": "<code of the last row>"}.

UNCONFIRMED (no capture shows them; chosen to look like the success envelope):
- errors: {"code": "NOT_FOUND" | "BAD_REQUEST" | "INTERNAL_SERVER_ERROR", "message": …,
  "data": null} with HTTP 404 (unknown id), 400 (malformed body), 500 (failure switch);
- `q` matches the code or the name, case- and accent-insensitively; `total` counts the rows that
  match the filters; the largest page is 200 rows (larger limits are clamped).

Failure switch (like open-forms' failing demo plugin): POST /sim/dvcqg/_control with
{"fail": "500"} makes every portal endpoint answer HTTP 500, {"fail": "timeout"} makes it wait
`delay` seconds (default 30, at most 120) before answering, {"fail": null} restores normal
service (and releases the requests being held back). The switch lives in this process's memory,
guarded by a lock: enough for the demo server and for tests that drive `live_server`; several
worker processes would each hold their own.

Bounded, since anyone who reaches the demo may call it: every view answers 404 unless
settings.SIMULATORS_ENABLED (checked on each request too, not only when the URLs are built);
the control body is at most CONTROL_MAX_BYTES of JSON with the keys "fail" and "delay" only (the
switch stores nothing else); at most MAX_HELD requests are held back at once, the next ones
answer 503 at once instead of tying up more of the server's workers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.simulators.control import control_allowed, control_refusal

from . import records

FAIL_MODES = {"500", "timeout"}
DEFAULT_TIMEOUT_DELAY = 30.0
MAX_TIMEOUT_DELAY = 120.0
CONTROL_KEYS = {"fail", "delay"}
CONTROL_MAX_BYTES = 1024
MAX_HELD = 8

# A condition, not a bare lock: resetting the switch also wakes requests it is holding back, so
# a test's clean-up does not leave a slow answer running into the next test.
_switch_changed = threading.Condition()
_switch: dict[str, Any] = {"fail": None, "delay": DEFAULT_TIMEOUT_DELAY}
_held = 0  # requests being held back now (guarded by _switch_changed)


def failure_set(fail: str | None, delay: float = DEFAULT_TIMEOUT_DELAY) -> dict[str, Any]:
    """Set the failure switch; returns its new state."""
    if fail is not None and fail not in FAIL_MODES:
        raise ValueError(fail)
    with _switch_changed:
        _switch["fail"] = fail
        _switch["delay"] = min(max(float(delay), 0.0), MAX_TIMEOUT_DELAY)
        _switch_changed.notify_all()
        return dict(_switch)


def failure_get() -> dict[str, Any]:
    with _switch_changed:
        return dict(_switch)


def _hold_back(delay: float) -> bool:
    """Wait `delay` seconds, or until the timeout switch is turned off; False at once when
    MAX_HELD requests are already waiting."""
    global _held
    deadline = time.monotonic() + delay
    with _switch_changed:
        if _held >= MAX_HELD:
            return False
        _held += 1
        try:
            while _switch["fail"] == "timeout" and (left := deadline - time.monotonic()) > 0:
                _switch_changed.wait(left)
        finally:
            _held -= 1
    return True


def _require_enabled() -> None:
    if not settings.SIMULATORS_ENABLED:
        raise Http404("Simulators are off.")


def _json(payload: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _ok(data: Any) -> JsonResponse:
    return _json({"code": "OK", "message": "OK", "data": data}, status=201)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return _json({"code": code, "message": message, "data": None}, status=status)


class BadRequest(Exception):
    pass


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The body is not JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key) or ""
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string.")
    return value.strip()


def _limit(body: dict[str, Any], default: int) -> int:
    value = body.get("limit", default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadRequest("limit must be a positive integer.")
    return value


def portal_endpoint(
    view: Callable[[dict[str, Any]], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """POST-JSON in, portal envelope out; applies the failure switch first."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        _require_enabled()
        state = failure_get()
        if state["fail"] == "500":
            return _error(500, "INTERNAL_SERVER_ERROR", "Simulated failure (switch: 500).")
        if state["fail"] == "timeout" and not _hold_back(state["delay"]):
            return _error(503, "SERVICE_UNAVAILABLE", "Too many requests held back.")
        try:
            return view(_body(request))
        except BadRequest as exc:
            return _error(400, "BAD_REQUEST", str(exc))

    return wrapper


@portal_endpoint
def formality_list(body: dict[str, Any]) -> HttpResponse:
    """Danh mục TTHC công khai: one page of the national procedure catalog."""
    if _str(body, "departmentCode"):
        # Catalog rows carry agency names, not codes, so this filter cannot be answered from
        # the bundled records; refusing beats silently returning the unfiltered list.
        raise BadRequest("departmentCode filtering is not simulated.")
    page = records.catalog_page(
        limit=_limit(body, default=20),
        last_id=_str(body, "lastId"),
        q=_str(body, "q"),
        category_id=_str(body, "categoryId"),
    )
    return _ok({"items": page.items, "lastId": page.last_id, "total": page.total})


@portal_endpoint
def formality_get(body: dict[str, Any]) -> HttpResponse:
    """Chi tiết TTHC: one procedure's full record, by its formality id."""
    formality_id = _str(body, "id")
    if not formality_id:
        raise BadRequest("id is required.")
    raw = records.detail_body(formality_id)
    if raw is None:
        message = (
            "The simulator holds no full record for this procedure."
            if records.catalog_has_id(formality_id)
            else "Formality not found."
        )
        return _error(404, "NOT_FOUND", message)
    # The captured body, verbatim: it already is the {"code": "OK", …} envelope.
    return HttpResponse(raw, status=201, content_type="application/json; charset=utf-8")


@portal_endpoint
def province_list(body: dict[str, Any]) -> HttpResponse:
    """Danh mục tỉnh, thành phố: the 34 provinces."""
    payload = records.provinces_page(limit=_limit(body, default=100), last_id=_str(body, "lastId"))
    return _json(payload, status=201)


@csrf_exempt
@require_POST
def control(request: HttpRequest) -> JsonResponse:
    """Flip the failure switch: {"fail": "500" | "timeout" | null, "delay": seconds}; needs
    the X-Sim-Token header (`simulators.control`)."""
    _require_enabled()
    if not control_allowed(request):
        return control_refusal()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = CONTROL_MAX_BYTES + 1
    if length > CONTROL_MAX_BYTES:
        return _error(413, "PAYLOAD_TOO_LARGE", f"At most {CONTROL_MAX_BYTES} bytes.")
    try:
        body = _body(request)
        if set(body) - CONTROL_KEYS:
            raise BadRequest("unknown keys")
        delay = float(body.get("delay", DEFAULT_TIMEOUT_DELAY))
        state = failure_set(body.get("fail"), delay)
    except (BadRequest, TypeError, ValueError):
        return _error(400, "BAD_REQUEST", 'Send {"fail": "500" | "timeout" | null}.')
    return _json(state, status=200)
