"""The push endpoint of the national portal's intake: POST /api/v1/intake/dvcqg.

One dossier per request in the §9.2 shape (DOMAIN-integration.md; services/intake.py says
which keys), answered with the portal's synchronous acknowledgement (OCPS shape):

    {"error_code": 0, "message": "<MaHoSo>| …", "outcome": "created" | "updated", "code": "<ours>"}
    {"error_code": 1, "message": "<MaHoSo>| …", "outcome": "duplicate", "code": "<ours>"}
    {"error_code": -1, "message": "<MaHoSo>| …", "reason": "<machine code>", "errors": {…}}

Authentication: the caller is the portal's system identity when the request carries
`X-Signature-Timestamp` (Unix seconds) and `X-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<timestamp>.<raw body>` under settings.NATIONAL_PORTAL_INTAKE_SECRET, the timestamp within
NATIONAL_PORTAL_INTAKE_MAX_SKEW seconds of ours. Mutual TLS, where the portal's exchange
platform offers it, is added at the reverse proxy in front (docs/integration.md). The body is
verified before it is parsed; a refused call stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.core.errors import DomainError

from .services.intake import (
    DUPLICATE,
    UPDATED,
    IntakeRefused,
    intake_account,
    intake_receive,
    national_code_of,
)

logger = logging.getLogger("motcua.intake")
router = Router(tags=["intake"])

TIMESTAMP_HEADER = "X-Signature-Timestamp"
SIGNATURE_HEADER = "X-Signature"


class AckOut(Schema):
    error_code: int
    message: str
    outcome: str | None = None
    code: str | None = None
    reason: str | None = None
    errors: dict[str, list[str]] | None = None


def signature_valid(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float,
    max_skew: int | None = None,
) -> bool:
    """Is `signature` ("sha256=<hex>") the HMAC-SHA256 of `<timestamp>.<body>` under `secret`,
    made within the allowed skew of `now`? Compared in constant time. (Also the external
    systems' callbacks, coordination/api.py, with their own skew.)"""
    if not secret or not timestamp.isdigit() or not signature.startswith("sha256="):
        return False
    if max_skew is None:
        max_skew = settings.NATIONAL_PORTAL_INTAKE_MAX_SKEW
    if abs(now - int(timestamp)) > max_skew:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), signature.removeprefix("sha256="))


def _ack(status: int, error_code: int, national: str, message: str, **extra: Any) -> JsonResponse:
    body = {"error_code": error_code, "message": f"{national}| {message}", **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refused(status: int, national: str, reason: str, message: str, errors=None) -> JsonResponse:
    logger.info("intake refused", extra={"national_code": national, "reason": reason})
    return _ack(status, -1, national, message, reason=reason, errors=errors or {})


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


@router.post(
    "/dvcqg",
    auth=None,
    response={
        200: AckOut,
        400: AckOut,
        401: AckOut,
        403: AckOut,
        404: AckOut,
        409: AckOut,
        413: AckOut,
        422: AckOut,
    },
    summary="Receive one dossier pushed by the national portal",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "parameters": [
            {
                "name": TIMESTAMP_HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            },
        ],
    },
)
def receive(request: HttpRequest):
    """Tiếp nhận hồ sơ từ Cổng DVC quốc gia (push, DOMAIN-integration.md §9.2)."""
    if settings.NATIONAL_PORTAL_INTAKE_MODE != "push":
        return _refused(
            404, "", "push_disabled", _("This installation takes dossiers by pull, not push.")
        )
    limit = settings.NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES
    if _content_length(request) > limit:
        return _refused(
            413, "", "request_too_large", _("The body is larger than %(n)s bytes.") % {"n": limit}
        )
    raw = request.body
    if not signature_valid(
        settings.NATIONAL_PORTAL_INTAKE_SECRET,
        request.headers.get(TIMESTAMP_HEADER, ""),
        raw,
        request.headers.get(SIGNATURE_HEADER, ""),
        time.time(),
    ):
        return _refused(
            401, "", "unauthorized", _("The request is not signed by the national portal.")
        )
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return _refused(400, "", "malformed_body", _("The body is not valid JSON."))
    national = national_code_of(body)
    try:
        result = intake_receive(actor=intake_account(), body=body, source="push")
    except IntakeRefused as exc:
        return _refused(exc.status, national, exc.code, str(exc.message), exc.errors)
    except DomainError as exc:
        errors = getattr(exc, "errors", {})
        return _refused(exc.status, national, exc.code, str(exc.message), errors)
    d = result.dossier
    logger.info("intake %s", result.outcome, extra={"national_code": national, "dossier": d.code})
    if result.outcome == DUPLICATE:
        return _ack(
            200,
            1,
            national,
            _("Already received as %(code)s.") % {"code": d.code},
            outcome=result.outcome,
            code=d.code,
        )
    message = (
        _("Supplement received for %(code)s.")
        if result.outcome == UPDATED
        else _("Received as %(code)s.")
    ) % {"code": d.code}
    return _ack(200, 0, national, message, outcome=result.outcome, code=d.code)
