"""Client of the national portal's public procedure-catalog API (Cổng DVC quốc gia, 2026).

The protocol (POST JSON, HTTP 201, {"code": "OK", "message", "data"} envelope, cursor paging,
detail by formality UUID) is described in motcua.simulators.national_portal.views, which
serves the same contract from real captured records. settings.NATIONAL_PORTAL_URL chooses
between the simulator (the default) and the real portal.

Errors say whether a retry can help (healthchecks' TransportError(permanent=…) idea):
timeouts, connection failures, 5xx, 429 and non-JSON answers (the portal's firewall answers
with an HTML page) are retryable; other 4xx, a non-"OK" envelope and an unknown code are
permanent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpx
from django.conf import settings

CATALOG_PATH = "/api/v1/submitting/formality/list-all-public-formality-by-citizen"
DETAIL_PATH = "/api/v1/configuring/formality/get-formality-by-citizen"
PROVINCES_PATH = "/api/v1/configuring/province-vn/list-by-citizen"

# A national procedure code, e.g. 1.001193 (catalog.models.PROCEDURE_CODE_RE without the
# local suffixes, which the national catalog never carries).
_NATIONAL_CODE_RE = re.compile(r"^\d\.\d{6}$")


class NationalPortalError(Exception):
    """The national portal did not give an answer we can use.

    `permanent` says that repeating the same request will fail the same way (an unknown code,
    a malformed request); otherwise a later retry may succeed.
    """

    def __init__(self, message: str, permanent: bool = False, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


class CatalogPage(NamedTuple):
    """One page of the catalog: its rows, the count of all matching rows, the next cursor."""

    rows: list[dict[str, Any]]
    total: int
    last_id: str


class NationalCatalogClient:
    """Danh mục TTHC quốc gia: reads procedures and provinces from the national portal."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                # Say who we are. The public portal's firewall has been seen refusing short
                # user agents; production traffic belongs on the province's official
                # connection, not on a disguised browser.
                "User-Agent": "MotCua/1.0 (provincial one-stop system; catalog sync)",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> NationalCatalogClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        """POST one request; return the envelope's `data` or raise NationalPortalError."""
        url = self.base_url + path
        try:
            response = self._http.post(url, json=body)
        except httpx.TimeoutException as exc:
            raise NationalPortalError(f"Timed out after {self.timeout} s: {url}") from exc
        except httpx.HTTPError as exc:
            raise NationalPortalError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc

        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        message = (
            payload.get("message") if isinstance(payload, dict) else None
        ) or response.reason_phrase
        if status >= 500 or status == 429:
            raise NationalPortalError(f"HTTP {status} from {url}: {message}", status=status)
        if status >= 400:
            raise NationalPortalError(
                f"HTTP {status} from {url}: {message}", permanent=True, status=status
            )
        if not isinstance(payload, dict):
            # A 2xx that is not JSON is the firewall's "Request Rejected" page: it passes.
            raise NationalPortalError(f"HTTP {status} from {url} is not JSON", status=status)
        if payload.get("code") != "OK":
            raise NationalPortalError(
                f"{url} answered {payload.get('code')!r}: {message}", permanent=True, status=status
            )
        return payload.get("data")

    def formality_page(self, last_id: str = "", limit: int = 50, keyword: str = "") -> CatalogPage:
        """The catalog rows after the cursor `last_id` ("" for the first page)."""
        data = self._post(
            CATALOG_PATH,
            {
                "limit": limit,
                "lastId": last_id,
                "q": keyword,
                "categoryId": "",
                "departmentCode": "",
            },
        )
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise NationalPortalError("The catalog page has no item list.", permanent=True)
        return CatalogPage(
            rows=data["items"], total=int(data.get("total") or 0), last_id=data.get("lastId") or ""
        )

    def formality_iter(self, keyword: str = "", limit: int = 50) -> Iterator[dict[str, Any]]:
        """Every catalog row matching `keyword`, page after page."""
        last_id = ""
        while True:
            page = self.formality_page(last_id=last_id, limit=limit, keyword=keyword)
            yield from page.rows
            # The portal signals the end with a short page; a missing or unchanged cursor would
            # otherwise loop for ever on a misbehaving server.
            if len(page.rows) < limit or not page.last_id or page.last_id == last_id:
                return
            last_id = page.last_id

    def formality_get_by_id(self, formality_id: str) -> dict[str, Any]:
        """One procedure's full record (the envelope's `data`), by its formality UUID."""
        data = self._post(DETAIL_PATH, {"id": formality_id})
        if not isinstance(data, dict):
            raise NationalPortalError(f"No record for formality {formality_id}.", permanent=True)
        return data

    def formality_get(self, code: str) -> dict[str, Any]:
        """One procedure's full record (the envelope's `data`), by its national code.

        The detail endpoint takes the formality UUID, so the code is looked up in the catalog
        first (as the portal's own search page does), then the record is fetched.
        """
        code = code.strip()
        if not _NATIONAL_CODE_RE.match(code):
            raise NationalPortalError(f"{code!r} is not a national procedure code.", True)
        page = self.formality_page(keyword=code, limit=20)
        formality_id = next(
            (row["id"] for row in page.rows if code in (row.get("code"), row.get("codeNotation"))),
            None,
        )
        if formality_id is None:
            raise NationalPortalError(f"Procedure {code} is not in the national catalog.", True)
        data = self.formality_get_by_id(formality_id)
        if data.get("code") != code:
            raise NationalPortalError(
                f"Asked for {code}, the portal answered {data.get('code')!r}.", permanent=True
            )
        return data

    def provinces(self) -> list[dict[str, Any]]:
        """The provinces as the portal lists them (34 since 1 July 2025)."""
        rows: list[dict[str, Any]] = []
        last_id, limit = "", 100
        while True:
            data = self._post(PROVINCES_PATH, {"limit": limit, "lastId": last_id})
            batch = (data or {}).get("rows") or []
            rows.extend(batch)
            next_id = (data or {}).get("lastId") or ""
            if len(batch) < limit or not next_id or next_id == last_id:
                return rows
            last_id = next_id


def client_from_settings() -> NationalCatalogClient:
    """The client for settings.NATIONAL_PORTAL_URL: the simulator by default, or the portal."""
    return NationalCatalogClient(settings.NATIONAL_PORTAL_URL)
