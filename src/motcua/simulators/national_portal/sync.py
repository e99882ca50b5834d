"""The national portal's dossier sync, simulated (DOMAIN-integration.md §1.1 Styles A and B, §9.3).

Style A, under /sim/dvcqg/lgsp/:
- `auth`: {"username", "password"} + header `dstcode` → {"error_code": "0", "session": token}
  (settings.SIM_NATIONAL_PORTAL_USERNAME / _PASSWORD are the accepted account); a wrong account
  → {"error_code": "1"}.
- `service`: {"session", "madonvi", "service", …}. An unknown or expired session →
  {"error_code": "401"} (UNCONFIRMED code: the sender logs in again). Services:
  `DongBoHoSoMC` {"isUpdating": "True"|"False", "data": [dossier, …]} — a create of a code held
  already answers {"error_code": "3", "message": "Hồ sơ … đã tồn tại"}, an update of a code not
  held {"error_code": "2", "message": "Không tìm thấy hồ sơ …"}; `CapNhatTienDoHoSoMC`
  {"data": [row, …]} (the dossier must be held); `TraCuuHoSo` {"MaHoSo"} → {"result": [dossier]
  or []}; `DongBoTrangThaiHoSo` {"type": "2", "data": {MaHoSo, MaHoSoDonVi, TrangThai, …}}.
  Invalid data (a required field missing, a status outside 1–10, a procedure the portal
  refuses) → {"error_code": "1", "message": …}; each call is applied all or nothing.
Style B, under /sim/dvcqg/KetNoiMotCuaQuocGia/: `ThemMoiHoSo` and `CapNhatHoSo` (a JSON array of
dossiers; "đã tồn tại" / "Không tìm thấy"), `DongBoTienTrinh` (an array of at most 10 rows,
answered in plain text "Đồng bộ thành công"), `DongBoTrangThaiHoSoKM` (one status object).

Idempotency: each progress row or status is applied once per `IdempotencyKey` (its field, or
the `Idempotency-Key` header for a single status, or else a digest of the row); a repeat is
counted (`times_received`) and acknowledged as a success, as the real portal is assumed to
acknowledge a row it already has. What arrived is stored (models.py) for tests to read.

Fault switch, POST /sim/dvcqg/_faults with header `X-Sim-Token: <SIMULATOR_CONTROL_TOKEN>`
(refused when the token is not set or wrong, absent when SIMULATORS_ENABLED is off). The body
replaces the switch ({} or {"reset": true}: all off):
- "outage_seconds": N — every sync endpoint answers 503 for N seconds from now;
- "error": "500" | "502" | "503" | "429", "error_count": N — the next N calls answer that status
  (0: until switched off); "fail_rate": p — each call fails with 500 with probability p;
- "drop_count": N — the next N calls are cut off: a WSGI server cannot close the socket
  without an answer, so this answers 502 with an empty body (as a proxy whose upstream
  dropped the connection does);
- "ack_lost_count": N — the next N calls are applied, then answered 502: the acknowledgement is
  lost and the sender repeats a delivery already applied (duplicate deliveries); with
  "ack_lost_only": "<service>", only calls of that Style A service count;
- "latency": s, "jitter": s — each call waits latency + uniform(0, jitter) seconds before it is
  applied: concurrent calls are applied and acknowledged out of order;
- "timeout": s — each call waits s seconds (at most 60) before anything, so the sender times out;
- "reject_procedures": ["1.001193", …] — dossiers of these procedures are refused as invalid
  ({"error_code": "1", "message": "Mã TTHC … không tồn tại"}: a permanent error);
- "expire_sessions": true — every session issued so far is forgotten.
The switch and the sessions live in this process's memory (like `_control`): enough for the
demo's single server and for tests driving `live_server`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.simulators.control import control_allowed, control_refusal

from .models import SimDossier, SimProgress

STATUSES = {str(n) for n in range(1, 11)}
SESSION_SECONDS = 1800
MAX_BODY = 5 * 1024 * 1024
# Rows per statement on SQLite (its limit of bound parameters; PostgreSQL takes arrays).
SQLITE_ROWS = 500
FAULT_KEYS = {
    "reset",
    "outage_seconds",
    "error",
    "error_count",
    "fail_rate",
    "drop_count",
    "ack_lost_count",
    "ack_lost_only",
    "latency",
    "jitter",
    "timeout",
    "reject_procedures",
    "expire_sessions",
}
ERROR_STATUSES = {"500", "502", "503", "429"}

_lock = threading.Lock()
_faults: dict[str, Any] = {}
_sessions: dict[str, float] = {}
counters: dict[str, int] = {"logins": 0, "calls": 0}


def faults_set(config: dict[str, Any]) -> dict[str, Any]:
    """Replace the fault switch (validated); returns its state."""
    unknown = set(config) - FAULT_KEYS
    if unknown:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    state: dict[str, Any] = {}
    if config.get("outage_seconds"):
        seconds = min(float(config["outage_seconds"]), 3600.0)
        state["outage_until"] = time.monotonic() + seconds
    if config.get("error") is not None:
        if str(config["error"]) not in ERROR_STATUSES:
            raise ValueError("error")
        state["error"] = int(config["error"])
        count = int(config.get("error_count") or 0)
        if count > 0:
            state["error_count"] = count  # consumed one call at a time
        else:
            state["error_forever"] = True
    for key in ("drop_count", "ack_lost_count"):
        if config.get(key):
            state[key] = int(config[key])
    if config.get("ack_lost_only"):
        state["ack_lost_only"] = str(config["ack_lost_only"])[:40]
    for key, top in (("fail_rate", 1.0), ("latency", 30.0), ("jitter", 30.0), ("timeout", 60.0)):
        if config.get(key):
            value = float(config[key])
            if not 0 <= value <= top:
                raise ValueError(key)
            state[key] = value
    if config.get("reject_procedures"):
        codes = config["reject_procedures"]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValueError("reject_procedures")
        state["reject_procedures"] = codes[:100]
    with _lock:
        _faults.clear()
        _faults.update(state)
        if config.get("expire_sessions"):
            _sessions.clear()
        return _describe()


def _describe() -> dict[str, Any]:
    state = {k: v for k, v in _faults.items() if k != "outage_until"}
    if "outage_until" in _faults:
        left = _faults["outage_until"] - time.monotonic()
        state["outage_seconds_left"] = round(max(0.0, left), 1)
    return state


def _take(key: str) -> bool:
    """Consume one of a counted fault; True if it applies to this call."""
    with _lock:
        left = _faults.get(key, 0)
        if left <= 0:
            return False
        _faults[key] = left - 1
        return True


def _enabled() -> None:
    if not settings.SIMULATORS_ENABLED:
        raise Http404("Simulators are off.")


def _json(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def _answer(code: str, message: str, **extra: Any) -> JsonResponse:
    return _json({"error_code": code, "message": message, **extra})


class Refused(Exception):
    """The call is refused with this error_code and message; nothing of it is applied."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sync_endpoint(view: Callable[[HttpRequest, Any], HttpResponse]) -> Callable:
    """POST JSON in; the fault switch first; the view's writes in one transaction."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        _enabled()
        with _lock:
            counters["calls"] += 1
            faults = dict(_faults)
        if faults.get("timeout"):
            time.sleep(faults["timeout"])
        if faults.get("outage_until", 0) > time.monotonic():
            return _json({"error_code": "503", "message": "Hệ thống đang bảo trì"}, status=503)
        if "error" in faults and (faults.get("error_forever") or _take("error_count")):
            return _json({"error_code": str(faults["error"]), "message": "Lỗi"}, faults["error"])
        if _take("drop_count"):
            return HttpResponse(b"", status=502)
        if faults.get("fail_rate") and random.random() < faults["fail_rate"]:  # noqa: S311
            return _json({"error_code": "500", "message": "Lỗi hệ thống"}, status=500)
        if faults.get("latency") or faults.get("jitter"):
            time.sleep(faults.get("latency", 0) + random.uniform(0, faults.get("jitter", 0)))  # noqa: S311
        if len(request.body) > MAX_BODY:
            return _json({"error_code": "413", "message": "Quá lớn"}, status=413)
        try:
            body = json.loads(request.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _answer("1", "Dữ liệu không phải JSON")
        try:
            with transaction.atomic():
                response = view(request, body)
        except Refused as exc:
            return _answer(exc.code, exc.message)
        only = faults.get("ack_lost_only")
        targeted = not only or (isinstance(body, dict) and body.get("service") == only)
        if targeted and _take("ack_lost_count"):
            return HttpResponse(b"", status=502)  # applied, but the answer never arrives
        return response

    return wrapper


# --- the store ------------------------------------------------------------------------------


def _rejected() -> set[str]:
    with _lock:
        return set(_faults.get("reject_procedures") or [])


def _check_dossier(obj: Any) -> str:
    if not isinstance(obj, dict):
        raise Refused("1", "Mỗi hồ sơ phải là một đối tượng JSON")
    code = obj.get("MaHoSo")
    if not isinstance(code, str) or not code.strip():
        raise Refused("1", "Thiếu MaHoSo")
    if not obj.get("MaTTHC"):
        raise Refused("1", f"Hồ sơ {code}: thiếu MaTTHC")
    if obj["MaTTHC"] in _rejected():
        raise Refused("1", f"Hồ sơ {code}: Mã TTHC {obj['MaTTHC']} không tồn tại")
    if str(obj.get("TrangThaiHoSo", "")) not in STATUSES:
        raise Refused("1", f"Hồ sơ {code}: TrangThaiHoSo không hợp lệ")
    return code


def apply_dossiers(data: Any, *, updating: bool, style: str) -> None:
    """A batch of dossier objects, all created or all updated (the caller's transaction: a
    refusal applies none), set-based: one locking read of the codes (in code order, so two
    calls never wait on each other in a cycle) and one statement writing every row."""
    if not isinstance(data, list) or not data:
        raise Refused("1", "data phải là một mảng hồ sơ")
    objects = {_check_dossier(obj): obj for obj in data}  # the last object of a code wins
    held = set(
        SimDossier.objects.select_for_update()
        .filter(code__in=list(objects))
        .order_by("code")
        .values_list("code", flat=True)
    )
    if updating:
        for code in objects:
            if code not in held:
                raise Refused("2", f"Không tìm thấy hồ sơ {code}")
        _update_dossiers(objects)
        return
    for code in objects:
        if code in held:
            raise Refused("-3" if style == "B" else "3", f"Hồ sơ {code} đã tồn tại")
    try:
        with transaction.atomic():
            _insert_dossiers(objects, style=style)
    except IntegrityError as exc:  # one was created a moment ago by a concurrent call
        raise Refused("-3" if style == "B" else "3", "Hồ sơ đã tồn tại") from exc


def _array_cursor() -> Any:
    """A cursor for statements taking whole columns as arrays (`%b`: sent bound and binary).
    Django's PostgreSQL cursor binds on the client, quoting every element of a text array into
    the statement: ~60 ms for a call of 500 rows, against ~4 ms sent binary."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _update_dossiers(objects: dict[str, Any]) -> None:
    """One UPDATE for the whole call (no model objects, no CASE per row)."""
    table = SimDossier._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    codes, documents = list(objects), [_dumps(o) for o in objects.values()]
    if connection.vendor == "postgresql":
        with _array_cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS d SET data = v.data::jsonb, updates = d.updates + 1, "  # noqa: S608 — our table name
                "updated_at = %s FROM unnest(%b::text[], %b::text[]) AS v(code, data) "
                "WHERE d.code = v.code",
                [now, codes, documents],
            )
        return
    pairs = list(zip(codes, documents, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), SQLITE_ROWS):
            chunk = pairs[start : start + SQLITE_ROWS]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET data = v.column2, updates = updates + 1, updated_at = %s "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.code = v.column1",
                [now, *(x for pair in chunk for x in pair)],
            )


def _insert_dossiers(objects: dict[str, Any], *, style: str) -> None:
    """One INSERT for the whole call; a code held already raises IntegrityError."""
    if connection.vendor != "postgresql":
        SimDossier.objects.bulk_create(
            SimDossier(code=code, data=obj, style=style, creates=1) for code, obj in objects.items()
        )
        return
    table = SimDossier._meta.db_table
    now = timezone.now()
    with _array_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code, data, style, creates, updates, created_at, updated_at) "  # noqa: S608
            "SELECT v.code, v.data::jsonb, %s, 1, 0, %s, %s "
            "FROM unnest(%b::text[], %b::text[]) WITH ORDINALITY AS v(code, data, n) ORDER BY v.n",
            [style, now, now, list(objects), [_dumps(o) for o in objects.values()]],
        )


def _key(row: dict[str, Any], header: str = "") -> str:
    key = row.get("IdempotencyKey") or header
    if isinstance(key, str) and key:
        return key[:200]
    return "sha256:" + hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()


def _record(row: dict[str, Any], *, service: str, code: str, key: str) -> None:
    try:
        with transaction.atomic():
            SimProgress.objects.create(
                key=key, service=service, code=code, status=str(row.get("TrangThai")), data=row
            )
    except IntegrityError:
        SimProgress.objects.filter(key=key).update(times_received=F("times_received") + 1)


def apply_progress(data: Any) -> None:
    """A batch of progress rows, set-based (a portal takes hundreds a call): one read of the
    dossiers, one of the keys already applied, one multi-row insert of the new rows, and the
    repeats counted."""
    if not isinstance(data, list) or not data:
        raise Refused("1", "data phải là một mảng tiến độ")
    for row in data:
        if not isinstance(row, dict) or not row.get("MaHoSo"):
            raise Refused("1", "Mỗi dòng tiến độ cần MaHoSo")
        if str(row.get("TrangThai", "")) not in STATUSES:
            raise Refused("1", f"Hồ sơ {row['MaHoSo']}: TrangThai không hợp lệ")
    codes = {str(row["MaHoSo"]) for row in data}
    held = set(SimDossier.objects.filter(code__in=codes).values_list("code", flat=True))
    for row in data:
        if str(row["MaHoSo"]) not in held:
            raise Refused("2", f"Không tìm thấy hồ sơ {row['MaHoSo']}")
    _record_many(data, service="CapNhatTienDoHoSoMC")


def _record_many(rows: list[dict[str, Any]], *, service: str) -> None:
    """Each row once per idempotency key, in the order given; a key seen before (in an earlier
    call, a concurrent one, or earlier in this one) only counts one more delivery. One INSERT …
    ON CONFLICT DO NOTHING for the new rows; the keys it did not insert are the repeats."""
    keyed = [(_key(row), row) for row in rows]
    fresh: dict[str, dict[str, Any]] = {}
    repeats: dict[str, int] = {}
    for key, row in keyed:
        if key in fresh:
            repeats[key] = repeats.get(key, 0) + 1
        else:
            fresh[key] = row
    inserted = _insert_progress(fresh, service=service)
    for key in fresh.keys() - inserted:
        repeats[key] = repeats.get(key, 0) + 1
    by_count: dict[int, list[str]] = {}
    for key, n in repeats.items():
        by_count.setdefault(n, []).append(key)
    for n, keys in by_count.items():
        SimProgress.objects.filter(key__in=keys).update(times_received=F("times_received") + n)


def _insert_progress(rows: dict[str, dict[str, Any]], *, service: str) -> set[str]:
    """Insert the rows whose key is new, in the order given; returns the keys inserted."""
    table = SimProgress._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    keys = list(rows)
    codes = [str(r["MaHoSo"]) for r in rows.values()]
    statuses = [str(r.get("TrangThai")) for r in rows.values()]
    documents = [_dumps(r) for r in rows.values()]
    columns = "(key, service, code, status, data, times_received, received_at)"
    if connection.vendor == "postgresql":
        with _array_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} {columns} "  # noqa: S608 — our table name
                "SELECT v.key, %s, v.code, v.status, v.data::jsonb, 1, %s "
                "FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[]) WITH ORDINALITY "
                "AS v(key, code, status, data, n) ORDER BY v.n "
                "ON CONFLICT (key) DO NOTHING RETURNING key",
                [service, now, keys, codes, statuses, documents],
            )
            return {k for (k,) in cursor.fetchall()}
    with connection.cursor() as cursor:
        inserted = set()
        values_rows = list(zip(keys, codes, statuses, documents, strict=True))
        for start in range(0, len(values_rows), SQLITE_ROWS):
            chunk = values_rows[start : start + SQLITE_ROWS]
            values = ", ".join(["(%s, %s, %s, %s, %s, 1, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} {columns} VALUES {values} "  # noqa: S608
                "ON CONFLICT (key) DO NOTHING RETURNING key",
                [x for k, c, st, d in chunk for x in (k, service, c, st, d, now)],
            )
            inserted |= {k for (k,) in cursor.fetchall()}
        return inserted


def apply_status(data: Any, header_key: str) -> None:
    if not isinstance(data, dict) or not data.get("MaHoSo") or not data.get("MaHoSoDonVi"):
        raise Refused("1", "data cần MaHoSo và MaHoSoDonVi")
    if not str(data.get("TrangThai", "")):
        raise Refused("1", "Thiếu TrangThai")
    _record(data, service="DongBoTrangThaiHoSo", code=data["MaHoSo"], key=_key(data, header_key))


# --- Style A ------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def auth(request: HttpRequest) -> HttpResponse:
    """Đăng nhập: username/password + dstcode → session."""
    _enabled()
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or not request.headers.get("dstcode"):
        return _answer("1", "Thiếu dstcode hoặc thông tin đăng nhập")
    good = hmac.compare_digest(
        str(body.get("username", "")), settings.SIM_NATIONAL_PORTAL_USERNAME
    ) & hmac.compare_digest(str(body.get("password", "")), settings.SIM_NATIONAL_PORTAL_PASSWORD)
    if not good:
        return _answer("1", "Sai tên đăng nhập hoặc mật khẩu")
    token = secrets.token_urlsafe(24)
    with _lock:
        counters["logins"] += 1
        _sessions[token] = time.monotonic() + SESSION_SECONDS
    return _answer("0", "Thành công", session=token)


def _session_ok(token: Any) -> bool:
    with _lock:
        expires = _sessions.get(token) if isinstance(token, str) else None
        return expires is not None and expires > time.monotonic()


@sync_endpoint
def service(request: HttpRequest, body: Any) -> HttpResponse:
    """The service envelope: one of DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo,
    DongBoTrangThaiHoSo, and the ratings' and questions' services (feedback.py)."""
    if not isinstance(body, dict):
        raise Refused("1", "Thân yêu cầu phải là một đối tượng JSON")
    if not _session_ok(body.get("session")):
        raise Refused("401", "Phiên làm việc không hợp lệ hoặc đã hết hạn")
    name = body.get("service")
    if name == "DongBoHoSoMC":
        updating = str(body.get("isUpdating", "")).lower() == "true"
        apply_dossiers(body.get("data"), updating=updating, style="A")
        return _answer("0", "Đồng bộ hồ sơ thành công")
    if name == "CapNhatTienDoHoSoMC":
        apply_progress(body.get("data"))
        return _answer("0", "Cập nhật tiến độ thành công")
    if name == "TraCuuHoSo":
        code = str(body.get("MaHoSo", ""))
        held = SimDossier.objects.filter(code=code).first()
        if held is not None:
            return _json({"error_code": "0", "message": "", "result": [held.data]})
        # A dossier born on the portal: it holds it itself, at the last status it was told.
        told = (
            SimProgress.objects.filter(code=code, service="DongBoTrangThaiHoSo")
            .order_by("-id")
            .first()
        )
        result = [{"MaHoSo": code, "TrangThaiHoSo": told.status}] if told else []
        return _json({"error_code": "0", "message": "", "result": result})
    if name == "DongBoTrangThaiHoSo":
        if str(body.get("type", "")) != "2":
            raise Refused("1", "type phải là 2")
        apply_status(body.get("data"), request.headers.get("Idempotency-Key", ""))
        return _answer("0", "Đồng bộ trạng thái thành công")
    if name in FEEDBACK_SERVICES:
        return _feedback_service(request, name, body)
    raise Refused("1", f"Dịch vụ không hỗ trợ: {name}")


# Ratings and questions (feedback.py), through the same envelope, session and fault switch.
FEEDBACK_SERVICES = {
    "DongBoDanhGia",
    "LayDanhSachHoiDapGuiTuDVCQG",
    "DongBoKetQuaHoiDapGuiTuDVCQG",
}


def _feedback_service(request: HttpRequest, name: str, body: dict[str, Any]) -> HttpResponse:
    from . import feedback

    header = request.headers.get("Idempotency-Key", "")
    try:
        if name == "DongBoDanhGia":
            feedback.apply_ratings(body.get("data"), header)
            return _answer("0", "Đồng bộ đánh giá thành công")
        if name == "LayDanhSachHoiDapGuiTuDVCQG":
            result = feedback.questions_in(body.get("TuNgay"), body.get("DenNgay"))
            return _json({"error_code": "0", "message": "", "result": result})
        feedback.apply_answer(body.get("data"), header)
        return _answer("0", "Đồng bộ kết quả hỏi đáp thành công")
    except feedback.Refused as exc:
        raise Refused(exc.code, exc.message) from exc


# --- Style B ------------------------------------------------------------------------------


@sync_endpoint
def b_create(request: HttpRequest, body: Any) -> HttpResponse:
    apply_dossiers(body, updating=False, style="B")
    return _answer("0", "Thêm mới hồ sơ thành công")


@sync_endpoint
def b_update(request: HttpRequest, body: Any) -> HttpResponse:
    apply_dossiers(body, updating=True, style="B")
    return _answer("0", "Cập nhật hồ sơ thành công")


@sync_endpoint
def b_progress(request: HttpRequest, body: Any) -> HttpResponse:
    if isinstance(body, list) and len(body) > 10:
        raise Refused("1", "Tối đa 10 dòng tiến độ mỗi lần")
    apply_progress(body)
    return HttpResponse("Đồng bộ thành công".encode(), content_type="text/plain; charset=utf-8")


@sync_endpoint
def b_status(request: HttpRequest, body: Any) -> HttpResponse:
    apply_status(body, request.headers.get("Idempotency-Key", ""))
    return _answer("0", "Cập nhật trạng thái thành công")


# --- the fault switch -----------------------------------------------------------------------


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    """Set the fault switch (see the module's docstring); needs the X-Sim-Token header."""
    _enabled()
    if not control_allowed(request):
        return control_refusal()
    if len(request.body) > 4096:
        return _json({"error_code": "413", "message": "Too large"}, status=413)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("object")
        state = faults_set(body)
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        return _json({"error_code": "400", "message": str(exc)}, status=400)
    return _json({"faults": state, "at": timezone.now().isoformat()})


def sessions_expire_all() -> None:
    with _lock:
        _sessions.clear()


def outage_until() -> dt.datetime | None:
    with _lock:
        until = _faults.get("outage_until")
    if until is None:
        return None
    return timezone.now() + dt.timedelta(seconds=max(0.0, until - time.monotonic()))
