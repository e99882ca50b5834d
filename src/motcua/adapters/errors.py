"""The error every adapter of a look-up or gateway raises: permanent or retryable (STYLE.md
rule 8). Messages never carry credentials."""

from __future__ import annotations

import httpx


class GatewayError(Exception):
    def __init__(self, message: str, permanent: bool = False, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


def post_json(http, url: str, body: dict, *, timeout: float, headers: dict | None = None):
    """POST JSON; transport failures, 5xx and 429 are retryable, other 4xx permanent; the
    answer must be a JSON object."""
    try:
        response = http.post(url, json=body, headers=headers or {})
    except httpx.TimeoutException as exc:
        raise GatewayError(f"Timed out after {timeout} s: {url}") from exc
    except httpx.HTTPError as exc:
        raise GatewayError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc
    status = response.status_code
    if status >= 500 or status == 429:
        raise GatewayError(f"HTTP {status} from {url}", status=status)
    if status >= 400:
        raise GatewayError(f"HTTP {status} from {url}", permanent=True, status=status)
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise GatewayError(f"HTTP {status} from {url} is not a JSON object", status=status)
    return payload
