"""What external systems call: their reports on dossiers we handed over (POST
/api/v1/coordination/{system}/reports) and the dossiers they hand to us (POST
/api/v1/coordination/{system}/dossiers, the §5 inbound flow, at the end of this module).

One report per request: the §5 progress `TienTrinhHoSoBTXH` (`AcceptKey`, `MaHoSo`,
`TaiKhoanXuLy`, `NguoiXuLy`, `ChucDanh`, `ThoiDiemXuLy`, `DonViXuLy`, `NoiDungXuLy`, `StatusId`,
optional `IdempotencyKey`) and, for a result (`StatusId` 3 settled / 4 refused — our codes,
UNCONFIRMED), the decision (`LoaiKetQua`, `SoQuyetDinh`, `CoQuanBanHanh`, `TrichYeu`,
`NgayBanHanh`). Answered in the §5 reply envelope:

    200 {"result": {"error_code": "0", "message": "…",
                    "data": [{"AcceptKey", "MaHoSo", "outcome"}]}}
    4xx {"result": {"error_code": "-1", "message": "…", "data": []},
         "reason": "<code>", "errors": {}}

Authentication as the national portal's intake push (dossiers/intake_api.py): headers
`X-Signature-Timestamp` and `X-Signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<raw
body>` under the system's own `EXTERNAL_<NAME>_CALLBACK_SECRET`, within
EXTERNAL_CALLBACK_MAX_SKEW seconds. Verified before the body is parsed; nothing of the body or
the secret is logged. The coordination system's real credentials are UNCONFIRMED (§5).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.core.errors import DomainError
from motcua.core.schemas import ErrorOut
from motcua.dossiers.intake_api import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid
from motcua.dossiers.services.intake import IntakeRefused

from .services import ReportRefused, inbound_receive, report_receive

logger = logging.getLogger("motcua.coordination")
router = Router(tags=["coordination"])

MAX_BYTES = 256 * 1024


class ReportResultOut(Schema):
    error_code: str
    message: str
    data: list[dict[str, Any]]


class ReportAckOut(Schema):
    """The §5 envelope, with our reason and field errors on a refusal (reports and dossiers
    alike)."""

    result: ReportResultOut
    reason: str | None = None
    errors: dict[str, list[str]] | None = None


def _answer(status: int, message: str, data: list, **extra: Any) -> JsonResponse:
    body = {
        "result": {"error_code": "0" if status == 200 else "-1", "message": message, "data": data},
        **extra,
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _refused(status: int, system: str, reason: str, message: str, errors=None) -> JsonResponse:
    logger.info("external system call refused", extra={"system": system, "reason": reason})
    return _answer(status, message, [], reason=reason, errors=errors or {})


# Answers in the §5 envelope; the API's gates that refuse a request before the view reads it (a
# NUL character: 422, an oversized body: 413) answer with the API's own error body.
PROTOCOL_RESPONSES: dict[int, Any] = {
    **{code: ReportAckOut for code in (200, 400, 401, 403, 404, 409, 429, 503)},
    413: ReportAckOut | ErrorOut,
    422: ReportAckOut | ErrorOut,
}


@router.post(
    "/{system}/reports",
    auth=None,
    response=PROTOCOL_RESPONSES,
    summary="Receive a report (progress or result) on a dossier handed over to an external system",
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
def report(request: HttpRequest, system: str):
    """Nhận tiến trình, kết quả giải quyết từ hệ thống của bộ, ngành / Hệ thống điều phối."""
    config = settings.EXTERNAL_SYSTEMS.get(system)
    if config is None:
        return _refused(404, system[:30], "unknown_system", _("No such external system."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES:
        return _refused(413, system, "request_too_large", _("The body is too large."))
    raw = request.body
    if not signature_valid(
        config["callback_secret"],
        request.headers.get(TIMESTAMP_HEADER, ""),
        raw,
        request.headers.get(SIGNATURE_HEADER, ""),
        time.time(),
        max_skew=settings.EXTERNAL_CALLBACK_MAX_SKEW,
    ):
        return _refused(401, system, "unauthorized", _("The request is not signed by this system."))
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return _refused(400, system, "malformed_body", _("The body is not valid JSON."))
    try:
        result = report_receive(system=system, body=body, via="callback")
    except ReportRefused as exc:
        return _refused(exc.status, system, exc.code, exc.message, exc.errors)
    except DomainError as exc:
        return _refused(exc.status, system, exc.code, str(exc.message), getattr(exc, "errors", {}))
    messages = {
        "applied": _("Report recorded."),
        "duplicate": _("Report already received."),
        "stale": _("Report older than one already applied: nothing changed."),
    }
    row = {
        "AcceptKey": result.handover.accept_key,
        "MaHoSo": result.dossier.code,
        "outcome": result.outcome,
    }
    return _answer(200, messages[result.outcome], [row])


def _signed(request: HttpRequest, config: dict) -> bool:
    return signature_valid(
        config["callback_secret"],
        request.headers.get(TIMESTAMP_HEADER, ""),
        request.body,
        request.headers.get(SIGNATURE_HEADER, ""),
        time.time(),
        max_skew=settings.EXTERNAL_CALLBACK_MAX_SKEW,
    )


@router.post(
    "/{system}/dossiers",
    auth=None,
    response=PROTOCOL_RESPONSES,
    summary="Receive a dossier an external system hands to the province (HoSoBTXH)",
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
def dossier_in(request: HttpRequest, system: str):
    """Tiếp nhận hồ sơ do hệ thống của bộ, ngành / Hệ thống điều phối chuyển đến (§5).

    One `HoSoBTXH` per request, signed like the reports (the system's own secret). Answers
    200 {"result": {"error_code": "0", "message", "data": [{"AcceptKey", "MaHoSo" (the
    system's code), "MaHoSoDonVi" (ours), "outcome": "created" | "updated" | "duplicate"}]}};
    refusals {"result": {"error_code": "-1", …}, "reason", "errors"}, nothing stored."""
    config = settings.EXTERNAL_SYSTEMS.get(system)
    if config is None:
        return _refused(404, system[:30], "unknown_system", _("No such external system."))
    if "push" not in config.get("inbound", []):
        return _refused(
            404,
            system,
            "inbound_disabled",
            _("This installation does not take dossiers from this system this way."),
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES:
        return _refused(413, system, "request_too_large", _("The body is too large."))
    if not _signed(request, config):
        return _refused(401, system, "unauthorized", _("The request is not signed by this system."))
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return _refused(400, system, "malformed_body", _("The body is not valid JSON."))
    try:
        result = inbound_receive(system=system, body=body, source="push")
    except IntakeRefused as exc:
        return _refused(exc.status, system, exc.code, str(exc.message), exc.errors)
    except DomainError as exc:
        return _refused(exc.status, system, exc.code, str(exc.message), getattr(exc, "errors", {}))
    d = result.dossier
    messages = {
        "created": _("Received as %(code)s."),
        "updated": _("Supplement received for %(code)s."),
        "duplicate": _("Already received as %(code)s."),
    }
    row = {
        "AcceptKey": result.national_code,
        "MaHoSo": str(d.form_data.get("MaHoSo") or ""),
        "MaHoSoDonVi": d.code,
        "outcome": result.outcome,
    }
    return _answer(200, messages[result.outcome] % {"code": d.code}, [row])
