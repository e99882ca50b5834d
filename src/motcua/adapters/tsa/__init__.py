"""Client of an RFC 3161 time-stamping authority (TSA, dịch vụ cấp dấu thời gian).

pyHanko's own HTTP client (`HTTPTimeStamper`, aiohttp) POSTs the `application/timestamp-query`
and reads the `application/timestamp-reply`; this module only configures it from settings
(SIGNING_TSA_URL, optional basic authentication, timeout) and turns its failures into the
adapters' GatewayError: an unreachable TSA, a timeout, 5xx or 429 are retryable; any other
HTTP error, an unreadable reply or a refusal by the TSA are permanent.
"""

from __future__ import annotations

import aiohttp
from asn1crypto import tsp
from django.conf import settings
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

from ..errors import GatewayError

__all__ = ["GatewayError", "TsaClient", "timestamper_from_settings"]


class TsaClient(HTTPTimeStamper):
    """HTTPTimeStamper whose failures are GatewayErrors."""

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            response = await super().async_request_tsa_response(req)
        except aiohttp.ClientResponseError as exc:
            retryable = exc.status >= 500 or exc.status == 429
            raise GatewayError(
                f"HTTP {exc.status} from the TSA {self.url}",
                permanent=not retryable,
                status=exc.status,
            ) from exc
        except TimeoutError as exc:
            raise GatewayError(f"Timed out after {self.timeout} s: {self.url}") from exc
        except aiohttp.ClientError as exc:
            raise GatewayError(
                f"Cannot reach the TSA {self.url}: {exc.__class__.__name__}"
            ) from exc
        except TimestampRequestError as exc:
            raise GatewayError(f"The TSA {self.url} answered unreadably: {exc}", True) from exc
        except ValueError as exc:
            raise GatewayError(f"The TSA {self.url} answered unreadably", True) from exc
        return response


def timestamper_from_settings() -> TsaClient | None:
    """The configured TSA's client; None when SIGNING_TSA_URL is empty (no timestamps)."""
    url = settings.SIGNING_TSA_URL
    if not url:
        return None
    auth = None
    if settings.SIGNING_TSA_USERNAME:
        auth = (settings.SIGNING_TSA_USERNAME, settings.SIGNING_TSA_PASSWORD)
    return TsaClient(url, timeout=settings.SIGNING_TSA_TIMEOUT, auth=auth)
