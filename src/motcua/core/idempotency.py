"""Creating requests are safe to repeat.

The API takes an `Idempotency-Key` header on POST (draft-ietf-httpapi-idempotency-key-header):
the first request with a key runs; a repeat from the same account with the same body gets the
stored answer again (`Idempotent-Replayed: true`), a repeat with another body is a 422, and a
repeat while the first still runs is a 409. The desk's forms carry a one-time token (`_once`)
handled the same way, except that only their success (a redirect) is kept: a page with errors
releases the token, and the corrected form carries a new one.

Answers of 5xx are never kept: the request may be tried again. Keys live `IDEMPOTENCY_TTL`
seconds (default one day); `manage.py idempotency_purge` removes the older ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
FORM_FIELD = "_once"
MAX_BODY = 1_000_000
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def once_token() -> str:
    """A fresh one-time token for a form (put it in a hidden `_once` field)."""
    return uuid.uuid4().hex


def _ttl() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "IDEMPOTENCY_TTL", 86_400))


def _problem(status: int, code: str, message: str) -> JsonResponse:
    # The API's error body (core/schemas.py, ErrorOut).
    return JsonResponse({"code": code, "message": message}, status=status)


class IdempotencyMiddleware:
    """After AuthenticationMiddleware: keys belong to the logged-in account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.get_response(request)
        api = request.path.startswith("/api/")
        form = not api and request.content_type in _FORM_TYPES
        if api:
            key = request.META.get(HEADER, "")
        else:
            key = request.POST.get(FORM_FIELD, "") if form else ""
        # A key belongs to an account: anonymous requests are never replayed.
        if not key or not request.user.is_authenticated:
            return self.get_response(request)
        if len(key) > 255 or not key.isprintable():
            return _problem(422, "bad_idempotency_key", _("The Idempotency-Key is not valid."))
        body = request.body if api else json.dumps(sorted(request.POST.lists())).encode()
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + body
        ).hexdigest()
        owner = request.user
        try:
            with transaction.atomic():
                IdempotencyKey.objects.filter(
                    owner=owner, key=key, created_at__lt=timezone.now() - _ttl()
                ).delete()
                row = IdempotencyKey.objects.create(owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return self._replay(owner, key, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            raise
        keep = response.status_code < 500 and not response.streaming
        if form:
            keep = 300 <= response.status_code < 400
        content = b"" if response.streaming else response.content
        if keep and len(content) <= MAX_BODY:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status=response.status_code,
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", "")[:500],
                body=content,
            )
        else:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
        return response

    def _replay(self, owner, key: str, fingerprint: str) -> HttpResponse:
        row = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if row is None:  # released a moment ago: the caller may try again
            return _problem(409, "in_progress", _("The same request is still being handled."))
        if row.fingerprint != fingerprint:
            return _problem(
                422,
                "idempotency_mismatch",
                _("This Idempotency-Key was used for another request."),
            )
        if row.status is None:
            return _problem(409, "in_progress", _("The same request is still being handled."))
        response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
        if row.location:
            response["Location"] = row.location
        response["Idempotent-Replayed"] = "true"
        return response
