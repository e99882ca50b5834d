"""Client of the national portal's dossier sync (Cổng DVC quốc gia; DOMAIN-integration.md §1, §9.3).

Style A (the default, DOMAIN.md decision 10): log in at `{adapter_url}{auth_endpoint}` with
{"username", "password"} and the `dstcode` header; the answer's `session` is the token of every
later call, `POST {adapter_url}{integration_endpoint}` with {"session", "madonvi", "service",
…}: `DongBoHoSoMC` (`isUpdating` "True"/"False", `data` an array of dossier objects),
`CapNhatTienDoHoSoMC` (`data` an array of progress rows), `TraCuuHoSo` (`MaHoSo` → `result`),
`DongBoTrangThaiHoSo` (`type` "2", `data` one status object, for dossiers born on the portal).
Success is `error_code` "0".

Ratings and questions (DOMAIN-integration.md §7) always go through the Style A envelope, whatever
the dossier style (DOMAIN.md decision 10): `DongBoDanhGia` (`data` an array of ratings),
`LayDanhSachHoiDapGuiTuDVCQG` (`TuNgay`, `DenNgay` → `result` an array of questions),
`DongBoKetQuaHoiDapGuiTuDVCQG` (`data` one answer). Their field lists are UNCONFIRMED: ours,
in the names and style of §1 (motcua/feedback/national.py builds them).

Style B (by configuration): a JSON array posted to separate create / update / progress URLs;
a create answered "đã tồn tại" becomes an update; progress in chunks of 10 rows; success is
`error_code` "0" and a message containing "thành công".

Every dossier object and progress row we send carries `IdempotencyKey` (our outbox event's
key), and single-event calls also the `Idempotency-Key` header, so a receiver that keeps them
applies a repeated delivery once. UNCONFIRMED: whether the real portal reads them; it ignores
unknown keys in the observed clients' payloads, and a dossier update is idempotent anyway.

Errors (NationalPortalError.permanent): timeouts, connection failures, HTTP 5xx and 429, a
non-JSON answer, an expired session that a new log-in does not cure, are retryable; HTTP 4xx
and any other `error_code` are permanent (the same request would be refused again). The
password and the session token are never put in an error message or a log line.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import certifi
import httpx
from django.conf import settings

from .catalog import NationalPortalError

OK = "0"
# The simulator's (and, UNCONFIRMED, the portal's) answer to a call with an unknown or expired
# session; the client logs in again once and repeats the call.
SESSION_EXPIRED = "401"
ALREADY_EXISTS = "đã tồn tại"
NOT_FOUND = "không tìm thấy"
PROGRESS_CHUNK_B = 10


@dataclass(frozen=True)
class SyncConfig:
    style: str
    adapter_url: str
    auth_endpoint: str
    service_endpoint: str
    username: str
    password: str
    dstcode: str
    madonvi: str
    b_create_url: str
    b_update_url: str
    b_progress_url: str
    b_status_url: str
    timeout: float = 10.0
    session_seconds: int = 1800

    def __repr__(self) -> str:  # never print the password
        return f"SyncConfig(style={self.style!r}, adapter_url={self.adapter_url!r})"


def config_from_settings() -> SyncConfig:
    return SyncConfig(
        style=settings.NATIONAL_PORTAL_SYNC_STYLE,
        adapter_url=settings.NATIONAL_PORTAL_SYNC_URL.rstrip("/"),
        auth_endpoint=settings.NATIONAL_PORTAL_AUTH_ENDPOINT,
        service_endpoint=settings.NATIONAL_PORTAL_SERVICE_ENDPOINT,
        username=settings.NATIONAL_PORTAL_USERNAME,
        password=settings.NATIONAL_PORTAL_PASSWORD,
        dstcode=settings.NATIONAL_PORTAL_DSTCODE,
        madonvi=settings.NATIONAL_PORTAL_MADONVI,
        b_create_url=settings.NATIONAL_PORTAL_B_CREATE_URL,
        b_update_url=settings.NATIONAL_PORTAL_B_UPDATE_URL,
        b_progress_url=settings.NATIONAL_PORTAL_B_PROGRESS_URL,
        b_status_url=settings.NATIONAL_PORTAL_B_STATUS_URL,
        timeout=settings.NATIONAL_PORTAL_SYNC_TIMEOUT,
        session_seconds=settings.NATIONAL_PORTAL_SESSION_SECONDS,
    )


# Sessions are kept per process, per portal address and account: every worker logs in once and
# reuses its token until it expires (never stored in the database or the shared cache).
_sessions: dict[tuple[str, str], tuple[str, float]] = {}
_sessions_lock = threading.Lock()


def sessions_forget() -> None:
    with _sessions_lock:
        _sessions.clear()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The trust store, loaded once per process (httpx's default, SSL_CERT_FILE / SSL_CERT_DIR
    honoured): building it costs ~20 ms, and the dispatcher makes a client per batch."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    return ssl.create_default_context(cafile=certifi.where())


class NationalSyncClient:
    """Đồng bộ hồ sơ lên Cổng DVC quốc gia: dossiers, progress rows, statuses, look-up."""

    def __init__(self, config: SyncConfig) -> None:
        self.config = config
        self._http = httpx.Client(
            timeout=config.timeout,
            verify=_tls_context(),
            headers={
                "Accept": "application/json",
                "User-Agent": "MotCua/1.0 (provincial one-stop system; dossier sync)",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NationalSyncClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- transport -----------------------------------------------------------------------

    def _send(self, url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            response = self._http.post(url, json=body, headers=headers or {})
        except httpx.TimeoutException as exc:
            raise NationalPortalError(f"Timed out after {self.config.timeout} s: {url}") from exc
        except httpx.HTTPError as exc:
            raise NationalPortalError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise NationalPortalError(f"HTTP {status} from {url}", status=status)
        if status >= 400:
            raise NationalPortalError(
                f"HTTP {status} from {url}: {response.text[:200]}", permanent=True, status=status
            )
        return response

    @staticmethod
    def _envelope(response: httpx.Response, url: str) -> dict[str, Any]:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            # A gateway's or firewall's HTML page: the portal itself did not answer.
            raise NationalPortalError(
                f"HTTP {response.status_code} from {url} is not JSON", status=response.status_code
            )
        payload["error_code"] = str(payload.get("error_code", "")).strip()
        return payload

    # --- Style A: session and service envelope ---------------------------------------------

    def _session_key(self) -> tuple[str, str]:
        return (self.config.adapter_url, self.config.username)

    def login(self) -> str:
        """A fresh session token (cached for this process)."""
        url = self.config.adapter_url + self.config.auth_endpoint
        response = self._send(
            url,
            {"username": self.config.username, "password": self.config.password},
            headers={"dstcode": self.config.dstcode},
        )
        payload = self._envelope(response, url)
        token = payload.get("session")
        if payload["error_code"] != OK or not isinstance(token, str) or not token:
            # Wrong credentials stay wrong: retrying will not help until someone fixes them.
            raise NationalPortalError(
                f"Log-in refused at {url}: error_code {payload['error_code']!r}", permanent=True
            )
        with _sessions_lock:
            _sessions[self._session_key()] = (token, time.monotonic() + self.config.session_seconds)
        return token

    def _session(self) -> str:
        with _sessions_lock:
            cached = _sessions.get(self._session_key())
        if cached and cached[1] > time.monotonic():
            return cached[0]
        return self.login()

    def _forget_session(self) -> None:
        with _sessions_lock:
            _sessions.pop(self._session_key(), None)

    def call(
        self, service: str, fields: dict[str, Any], *, idempotency_key: str = ""
    ) -> dict[str, Any]:
        """One Style A service call; the answer's envelope when `error_code` is "0"."""
        url = self.config.adapter_url + self.config.service_endpoint
        headers = {"dstcode": self.config.dstcode}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        for attempt in (1, 2):
            body = {
                "session": self._session(),
                "madonvi": self.config.madonvi,
                "service": service,
                **fields,
            }
            payload = self._envelope(self._send(url, body, headers), url)
            if payload["error_code"] == SESSION_EXPIRED:
                self._forget_session()
                if attempt == 1:
                    continue
                raise NationalPortalError(f"{service}: the portal refuses every new session")
            if payload["error_code"] != OK:
                raise NationalPortalError(
                    f"{service}: error_code {payload['error_code']}: {payload.get('message', '')}",
                    permanent=True,
                )
            return payload
        raise AssertionError("unreachable")

    # --- operations (both styles) -----------------------------------------------------------

    def dossier_lookup(self, code: str) -> list[dict[str, Any]]:
        """TraCuuHoSo: what the portal holds for a dossier code (empty: nothing)."""
        payload = self.call("TraCuuHoSo", {"MaHoSo": code})
        result = payload.get("result") or []
        return result if isinstance(result, list) else [result]

    def dossiers_sync(self, objects: Sequence[dict[str, Any]], *, updating: bool) -> None:
        """Create (updating=False) or update the dossiers on the portal, in one call if it can.

        A create of a dossier the portal already holds (a repeated delivery whose answer was
        lost) is sent again as an update, and an update of one it does not hold as a create:
        one dossier at a time when the batch mixed them.
        """
        if not objects:
            return
        try:
            self._dossiers_call(list(objects), updating=updating)
        except NationalPortalError as exc:
            flip = exc.permanent and self._flip_hint(exc.message, updating)
            if not flip:
                raise
            if len(objects) == 1:
                self._dossiers_call(list(objects), updating=not updating)
                return
            for obj in objects:
                try:
                    self._dossiers_call([obj], updating=updating)
                except NationalPortalError as one:
                    if not (one.permanent and self._flip_hint(one.message, updating)):
                        raise
                    self._dossiers_call([obj], updating=not updating)

    @staticmethod
    def _flip_hint(message: str, updating: bool) -> bool:
        text = message.lower()
        return (ALREADY_EXISTS in text) if not updating else (NOT_FOUND in text)

    def _dossiers_call(self, objects: list[dict[str, Any]], *, updating: bool) -> None:
        if self.config.style == "A":
            self.call(
                "DongBoHoSoMC",
                {"isUpdating": "True" if updating else "False", "data": objects},
                idempotency_key=objects[0].get("IdempotencyKey", "") if len(objects) == 1 else "",
            )
            return
        url = self.config.b_update_url if updating else self.config.b_create_url
        self._style_b(url, objects)

    def progress_sync(self, rows: Sequence[dict[str, Any]]) -> None:
        """CapNhatTienDoHoSoMC: the progress rows, in order (Style B: chunks of 10)."""
        if not rows:
            return
        if self.config.style == "A":
            self.call("CapNhatTienDoHoSoMC", {"data": list(rows)})
            return
        for start in range(0, len(rows), PROGRESS_CHUNK_B):
            self._style_b(self.config.b_progress_url, list(rows[start : start + PROGRESS_CHUNK_B]))

    def status_sync(self, row: dict[str, Any]) -> None:
        """DongBoTrangThaiHoSo (§9.3): a status of a dossier born on the national portal."""
        key = row.get("IdempotencyKey", "")
        if self.config.style == "A":
            self.call("DongBoTrangThaiHoSo", {"type": "2", "data": row}, idempotency_key=key)
            return
        # TDDVC posts the inner object only (DOMAIN-integration.md §9.3).
        self._style_b(self.config.b_status_url, row, idempotency_key=key)

    # --- ratings and questions (§7, Style A only) -------------------------------------------

    def rating_sync(self, row: dict[str, Any]) -> None:
        """DongBoDanhGia: one applicant's rating of a dossier."""
        self.call("DongBoDanhGia", {"data": [row]}, idempotency_key=row.get("IdempotencyKey", ""))

    def questions_list(self, *, start: str, end: str) -> list[dict[str, Any]]:
        """LayDanhSachHoiDapGuiTuDVCQG: the questions citizens sent between two moments
        (`yyyyMMddHHmmss`) to the province's agencies."""
        payload = self.call("LayDanhSachHoiDapGuiTuDVCQG", {"TuNgay": start, "DenNgay": end})
        result = payload.get("result") or []
        if not isinstance(result, list) or not all(isinstance(q, dict) for q in result):
            raise NationalPortalError(
                "LayDanhSachHoiDapGuiTuDVCQG: result is not a list of objects", permanent=True
            )
        return result

    def answer_sync(self, row: dict[str, Any]) -> None:
        """DongBoKetQuaHoiDapGuiTuDVCQG: the answer to one question sent on the portal."""
        self.call(
            "DongBoKetQuaHoiDapGuiTuDVCQG",
            {"data": row},
            idempotency_key=row.get("IdempotencyKey", ""),
        )

    def _style_b(self, url: str, body: Any, *, idempotency_key: str = "") -> None:
        headers = {"dstcode": self.config.dstcode}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = self._send(url, body, headers)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            # The progress URL answers plain text; success is a reply saying "thành công".
            if "thành công" in response.text.lower():
                return
            raise NationalPortalError(f"{url} answered: {response.text[:200]}", permanent=True)
        code = str(payload.get("error_code", "")).strip()
        message = str(payload.get("message", ""))
        if code == OK and "thành công" in message.lower():
            return
        raise NationalPortalError(f"{url}: error_code {code}: {message}", permanent=True)


def sync_client_from_settings() -> NationalSyncClient:
    return NationalSyncClient(config_from_settings())
