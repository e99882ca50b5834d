"""The SMS and e-mail gateways (contract in motcua.adapters.messaging), simulated under
/sim/tin-nhan/: `sms` and `email` (POST JSON, `Authorization: Bearer` the SIM_MESSAGING_TOKEN),
`_faults` (motcua.simulators.switch; one switch for both), and `hop-thu` (GET): what arrived,
newest first, as a small page. A phone must be 84 and 9 digits (else code "12", permanent), a
brandname the configured one (else "11"); a repeated request_id answers "00" and is counted.
"""

from __future__ import annotations

import hmac
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from ..switch import FaultSwitch, enabled, json_answer
from .models import SimMessage

switch = FaultSwitch()
PHONE_RE = re.compile(r"^84\d{9}$")


def _body(request: HttpRequest) -> dict | HttpResponse:
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    expected = f"Bearer {settings.SIM_MESSAGING_TOKEN}"
    if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
        return json_answer({"code": "401", "message": "Unauthorized"}, 401)
    try:
        body = json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or not str(body.get("request_id") or "").strip():
        return json_answer({"code": "10", "message": "request_id and a JSON object required"})
    return body


def _store(channel: str, body: dict, **fields: str) -> HttpResponse:
    key = str(body["request_id"])[:200]
    try:
        with transaction.atomic():
            SimMessage.objects.create(channel=channel, request_id=key, **fields)
    except IntegrityError:
        SimMessage.objects.filter(request_id=key).update(times_received=F("times_received") + 1)
    return json_answer({"code": "00", "message": "Success", "request_id": key})


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    phone = str(body.get("phone") or "")
    if not PHONE_RE.match(phone):
        return json_answer({"code": "12", "message": "Số điện thoại không hợp lệ"})
    if body.get("brandname") != settings.SMS_BRANDNAME:
        return json_answer({"code": "11", "message": "Brandname chưa đăng ký"})
    text = str(body.get("message") or "")
    if not text:
        return json_answer({"code": "13", "message": "Nội dung trống"})
    return _store("sms", body, to=phone, brandname=body["brandname"], text=text)


@csrf_exempt
@require_POST
def email(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    to = str(body.get("to") or "")
    if "@" not in to or not body.get("subject") or not body.get("text"):
        return json_answer({"code": "12", "message": "to, subject and text required"})
    return _store("email", body, to=to[:254], subject=str(body["subject"])[:255], text=body["text"])


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    enabled()
    rows = SimMessage.objects.order_by("-id")[:200]
    return TemplateResponse(request, "sim_messaging/inbox.html", {"rows": rows})
