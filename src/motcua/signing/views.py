"""The public verification page (/xac-thuc/): upload a PDF, or open the URL of its QR code.

GET /xac-thuc/<key>/ (the QR code's address) shows the registry's record of that key: for which
dossier, by whom, when; uploading the file there also checks that it is that very file.
POST /xac-thuc/ (multipart, field "file") verifies an uploaded PDF. Each client address may
verify SIGNING_VERIFY_RATE_PER_MINUTE times a minute (as the tracking page limits look-ups).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError, InvalidInput
from motcua.core.uploads import upload_read

from .selectors import signed_document_get
from .throttling import verify_upload


def verify(request: HttpRequest, key: str = "") -> HttpResponse:
    context: dict = {"key": key, "record": None, "report": None, "error": ""}
    status = 200
    if key:
        try:
            context["record"] = signed_document_get(key)
        except DomainError as exc:
            context["error"], status = exc.message, exc.status
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                message = _("Choose a PDF file to verify.")
                raise InvalidInput(message, errors={"file": [message]})
            pdf = upload_read(upload, max_bytes=settings.SIGNING_VERIFY_MAX_BYTES)
            context["report"] = verify_upload(request, pdf)
            status = 200
            context["error"] = ""
        except DomainError as exc:
            context["error"], status = exc.message, exc.status
    return render(request, "signing/verify.html", context, status=status)
