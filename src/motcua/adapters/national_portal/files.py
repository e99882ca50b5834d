"""Files of a national-portal dossier handed over by address (DOMAIN-integration.md §9.2,
"Files by URL"): the adapter that fetches them for intake.

Two ways seen in the wild, picked by NATIONAL_PORTAL_FILE_FETCH:
- "proxy" (TDDVC): `POST {NATIONAL_PORTAL_FILE_PROXY_URL} {"DuongDan": <address>}` → the file
  as base64 in `data` (error_code "0"; anything else is a refusal);
- "direct" (OCPS): `GET <address>`.

Either way the address must be http(s) on a host of NATIONAL_PORTAL_FILE_HOSTS (checked before
any request: a dossier cannot make us fetch from anywhere else), redirects are not followed,
and at most `max_bytes` are read. Errors say whether a retry can help, like the other clients.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from .catalog import NationalPortalError

USER_AGENT = "MotCua/1.0 (intake files)"


class FileAddressRefused(ValueError):
    """The address is not one we fetch from (scheme, host)."""


class FileTooLarge(ValueError):
    pass


def address_check(address: str, hosts: list[str] | None = None) -> str:
    """The address if we may fetch it (from `hosts`, by default the national portal's);
    FileAddressRefused otherwise."""
    parts = urlsplit(address.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FileAddressRefused("not an http(s) address")
    allowed = {h.lower() for h in (settings.NATIONAL_PORTAL_FILE_HOSTS if hosts is None else hosts)}
    if parts.netloc.lower() not in allowed and parts.hostname.lower() not in allowed:
        raise FileAddressRefused(f"host {parts.hostname} is not allowed")
    if parts.username or parts.password:
        raise FileAddressRefused("credentials in the address")
    return address.strip()


def fetch_file(
    address: str,
    *,
    max_bytes: int,
    client: httpx.Client | None = None,
    hosts: list[str] | None = None,
    direct: bool | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The file at `address` (checked with `address_check` first). Another system's files
    (a ministry's: `adapters.ministry.fetch_file`) come from its own `hosts`, `direct`ly, with
    its `headers`; by default the national portal's hosts and NATIONAL_PORTAL_FILE_FETCH."""
    address = address_check(address, hosts)
    own = client is None
    http = client or httpx.Client(
        timeout=settings.NATIONAL_PORTAL_FILE_TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )
    if direct is None:
        direct = settings.NATIONAL_PORTAL_FILE_FETCH == "direct"
    try:
        if direct:
            return _direct(http, address, max_bytes)
        return _proxy(http, address, max_bytes)
    finally:
        if own:
            http.close()


def _status(url: str, status: int) -> None:
    if status >= 500 or status == 429:
        raise NationalPortalError(f"HTTP {status} from {url}", status=status)
    if status >= 300:
        raise NationalPortalError(f"HTTP {status} from {url}", permanent=True, status=status)


def _direct(http: httpx.Client, address: str, max_bytes: int) -> bytes:
    try:
        with http.stream("GET", address) as response:
            _status(address, response.status_code)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FileTooLarge(declared)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(str(size))
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise NationalPortalError(f"Timed out: {address}") from exc
    except httpx.HTTPError as exc:
        raise NationalPortalError(f"Cannot reach {address}: {exc.__class__.__name__}") from exc


def _proxy(http: httpx.Client, address: str, max_bytes: int) -> bytes:
    url = settings.NATIONAL_PORTAL_FILE_PROXY_URL
    try:
        response = http.post(url, json={"DuongDan": address})
    except httpx.TimeoutException as exc:
        raise NationalPortalError(f"Timed out: {url}") from exc
    except httpx.HTTPError as exc:
        raise NationalPortalError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc
    _status(url, response.status_code)
    try:
        payload = response.json()
    except ValueError:
        raise NationalPortalError(f"The answer of {url} is not JSON") from None
    if not isinstance(payload, dict):
        raise NationalPortalError(f"The answer of {url} is not a JSON object")
    if str(payload.get("error_code")) != "0":
        message = str(payload.get("message") or "")[:200]
        raise NationalPortalError(f"{url} refused {address}: {message}", permanent=True)
    data = payload.get("data")
    if isinstance(data, dict):
        data = data.get("Base64") or data.get("base64")
    if not isinstance(data, str):
        raise NationalPortalError(f"The answer of {url} carries no file", permanent=True)
    if len(data) > (max_bytes * 4) // 3 + 8:
        raise FileTooLarge(str(len(data)))
    try:
        content = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise NationalPortalError(f"The file from {url} is not base64", permanent=True) from None
    if len(content) > max_bytes:
        raise FileTooLarge(str(len(content)))
    return content
