"""Client of a ministry's centralized system or the national coordination system
(DOMAIN-integration.md §5).

The one observed flow (social-protection dossiers, TDDVC `KetNoi/SLD`) exchanges records keyed
by `AcceptKey`: the dossier `HoSoBTXH`, the progress `TienTrinhHoSoBTXH`, replies in the
envelope {"result": {"error_code", "message", "data": [...]}}. The coordination system's own API
is UNCONFIRMED (its public name and services are not known); this client models every external
system on that one pattern, HTTPS + JSON POST with `Authorization: Bearer <token>`:

- `POST {url}/TiepNhanHoSo` {"data": [HoSo]} — hand dossiers over (header `Idempotency-Key`
  and each record's `IdempotencyKey`: the outbox event's key; `AcceptKey` is the receiver's key);
- `POST {url}/TraCuuTienTrinh` {"AcceptKey": [...]} — the reports (progress and result) of
  those dossiers, `data` = [TienTrinh], oldest first.

The inbound flow (the system hands dossiers to the province, §5 as observed): the system pushes
`HoSoBTXH` to us, or we pull them, and we send each change back as `TienTrinhHoSoBTXH`:

- `POST {url}/LayDanhSachHoSo` {} — the dossiers handed to the province not yet marked taken,
  `data` = [HoSoBTXH] (no paging: like §9.4, it lists what is not marked);
- `POST {url}/XacNhanDaNhan` {"AcceptKey": [...]} — mark them taken;
- `POST {url}/CapNhatTienTrinh` {"data": [TienTrinh]} — progress of those dossiers, each with
  its `IdempotencyKey` (header `Idempotency-Key`: the first one's), in order.
Service names are ours (UNCONFIRMED, like the rest of the coordination API).

Errors as adapters/errors.py: transport failures, 5xx and 429 retryable, other 4xx permanent;
`error_code` other than "0" permanent (the system refused the record), except "99" (busy).
The token is never logged nor shown (`__repr__`).
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

from ..errors import GatewayError, post_json

__all__ = ["GatewayError", "MinistryClient", "client_for"]

OK = "0"
BUSY = "99"


class MinistryClient:
    def __init__(self, *, system: str, url: str, token: str, timeout: float) -> None:
        self.system = system
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {token}"}
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "User-Agent": "MotCua/1.0 (provincial one-stop system; coordination)",
            },
        )

    def __repr__(self) -> str:
        return f"MinistryClient(system={self.system!r}, url={self.url!r})"

    def __enter__(self) -> MinistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def _call(self, service: str, body: dict[str, Any], headers: dict | None = None) -> list:
        url = f"{self.url}/{service}"
        payload = post_json(
            self._http,
            url,
            body,
            timeout=self.timeout,
            headers={**self._headers, **(headers or {})},
        )
        result = payload.get("result")
        if not isinstance(result, dict):
            raise GatewayError(f"{service}: the answer has no result envelope", permanent=False)
        code = str(result.get("error_code", "")).strip()
        if code != OK:
            message = str(result.get("message", ""))[:200]
            raise GatewayError(f"{service} answered {code}: {message}", permanent=code != BUSY)
        data = result.get("data")
        return data if isinstance(data, list) else []

    def handover(self, record: dict[str, Any], *, idempotency_key: str) -> list:
        """Hand one dossier over (the §5 `HoSoBTXH` shape)."""
        keyed = {**record, "IdempotencyKey": idempotency_key}
        return self._call(
            "TiepNhanHoSo", {"data": [keyed]}, headers={"Idempotency-Key": idempotency_key}
        )

    def inbound_pending(self) -> list[dict[str, Any]]:
        """The dossiers the system hands to the province and we have not marked taken."""
        data = self._call("LayDanhSachHoSo", {})
        return [row for row in data if isinstance(row, dict)]

    def inbound_mark(self, accept_keys: list[str]) -> None:
        """Mark these dossiers taken (created here, or already here)."""
        self._call("XacNhanDaNhan", {"AcceptKey": accept_keys})

    def progress(self, rows: list[dict[str, Any]]) -> list:
        """Send the progress of dossiers it handed us (`TienTrinhHoSoBTXH`), in order; each row
        carries its `IdempotencyKey`, so a repeated call is applied once."""
        key = str(rows[0].get("IdempotencyKey", "")) if rows else ""
        return self._call("CapNhatTienTrinh", {"data": rows}, headers={"Idempotency-Key": key})

    def reports(self, accept_keys: list[str]) -> list[dict[str, Any]]:
        """Every report the system holds for these dossiers (progress and result)."""
        data = self._call("TraCuuTienTrinh", {"AcceptKey": accept_keys})
        return [row for row in data if isinstance(row, dict)]


def client_for(system: str) -> MinistryClient:
    """The client of a configured system (settings.EXTERNAL_SYSTEMS); KeyError when unknown."""
    config = settings.EXTERNAL_SYSTEMS[system]
    return MinistryClient(
        system=system, url=config["url"], token=config["token"], timeout=config["timeout"]
    )


def fetch_file(system: str, address: str, *, max_bytes: int) -> bytes:
    """A file the system hands over by address (`TaiLieuNop[].DuongDan`): a GET on one of its
    FILE_HOSTS with our bearer token there (UNCONFIRMED: the systems' file hosting is not
    public; §9.2's direct fetch is the pattern). Refusals and errors as the national portal's
    file adapter raises them (`FileAddressRefused`, `FileTooLarge`, `NationalPortalError`)."""
    from ..national_portal.files import fetch_file as fetch

    config = settings.EXTERNAL_SYSTEMS[system]
    hosts = config.get("file_hosts")
    if hosts is None:
        from urllib.parse import urlsplit

        hosts = [urlsplit(config["url"]).netloc]
    return fetch(
        address,
        max_bytes=max_bytes,
        hosts=list(hosts),
        direct=True,
        headers={"Authorization": f"Bearer {config['token']}"},
    )
