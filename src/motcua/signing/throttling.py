"""The public verification's rate limit: per client address, as the tracking page's."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.core.proxies import client_address
from motcua.portal.tracking import TooManyLookups, _window_count

from .selectors import VerificationReport, verify_pdf


def verify_upload(request: HttpRequest, pdf: bytes) -> VerificationReport:
    """`verify_pdf` for a public request, at most SIGNING_VERIFY_RATE_PER_MINUTE a minute per
    client address (429 past it)."""
    key = f"signing-verify-rate:{client_address(request)}"
    if _window_count(key, 60) > settings.SIGNING_VERIFY_RATE_PER_MINUTE:
        raise TooManyLookups(_("Too many verifications from this address. Try again in a minute."))
    return verify_pdf(pdf)
