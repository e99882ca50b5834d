"""The JSON API (Django Ninja), mounted at /api/v1/; OpenAPI at /api/v1/openapi.json.

Each app contributes a Router. One place maps every error to HTTP with one body (`ErrorOut`:
code, message, errors per field), domain errors and Ninja's own (validation, authentication,
CSRF, an unreadable body), so endpoints only parse, call one service or selector, and return.
A body of another media type than the operation takes is refused before anything reads it
(415). The OpenAPI schema declares those answers on every operation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from motcua.accounts.api import router as accounts_router
from motcua.catalog.api import router as catalog_router
from motcua.certification.api import router as certification_router
from motcua.citizens.api import router as citizens_router
from motcua.coordination.api import router as coordination_router
from motcua.core.api import router as calendar_router
from motcua.core.errors import DomainError, InvalidInput, validation_message
from motcua.core.schemas import ErrorOut
from motcua.documents.api import router as documents_router
from motcua.dossiers.api import router as dossiers_router
from motcua.dossiers.api import tracking_router
from motcua.dossiers.intake_api import router as intake_router
from motcua.exports.api import router as exports_router
from motcua.feedback.api import router as feedback_router
from motcua.organizations.api import router as organizations_router
from motcua.outbox.api import router as outbox_router
from motcua.payments.api import router as payments_router
from motcua.people.api import router as people_router
from motcua.reconciliation.api import router as reconciliation_router
from motcua.reports.api import router as reports_router
from motcua.signing.api import router as signing_router
from motcua.territory.api import router as territory_router
from motcua.workflows.api import router as workflows_router

JSON = "application/json"
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"

# What each error status means here; declared on the operations it can come from.
ERROR_STATUSES = {
    400: "The body cannot be read (not valid JSON, a broken multipart body).",
    401: "Not logged in: send the session cookie.",
    403: "Not allowed, or the CSRF token (X-CSRFToken header) is missing or wrong.",
    404: "Not found, or not visible to you.",
    409: "Someone else acted first (code `stale`), or the object is in the wrong state.",
    413: "The body is larger than the API accepts.",
    415: "The body is not of the media type the operation takes (application/json, or "
    "multipart/form-data for uploads).",
    422: "Invalid input: `errors` holds the messages per field.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


class MotCuaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any):
        schema = super().get_openapi_schema(**kwargs)
        return document_errors(schema)


def document_errors(schema) -> Any:
    """Declare on each operation the error answers it can give, all with the `ErrorOut` body.

    Every operation may answer 404 and 422; with a session, 401 and 403; with a body, 400, 413
    and 415; a write, 409. An operation that declares an error status itself keeps its own.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    # The component's name is the class's, as Ninja names it where an operation declares it.
    components.setdefault(ErrorOut.__name__, ErrorOut.model_json_schema())
    ref = {"content": {JSON: {"schema": {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}}}}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            statuses = {404, 422}
            if operation.get("security"):
                statuses |= {401, 403}
            if "requestBody" in operation:
                statuses |= {400, 413, 415}
            if method in WRITE_METHODS:
                statuses.add(409)
            responses = operation["responses"]
            for status in sorted(statuses):
                responses.setdefault(status, {"description": ERROR_STATUSES[status], **ref})
    return schema


def _accepted_media_types(operation) -> frozenset[str] | None:
    """The media types an operation's body may have; None when it takes no body."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    if "file" in sources:
        return frozenset({MULTIPART})
    if "form" in sources:
        return frozenset({MULTIPART, URLENCODED})
    if "body" in sources:
        return frozenset({JSON})
    return None


def _takes(accepted: frozenset[str], media_type: str) -> bool:
    if media_type in accepted:
        return True
    # application/merge-patch+json and the like are JSON too.
    return JSON in accepted and media_type.startswith("application/") and "+json" in media_type


def _body_size(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def body_gate(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse, before anything reads it, a body the operation cannot take: another media type
    (415; a multipart body on a JSON operation was a 500 once the CSRF check had read it as a
    form) or a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE (413; Ninja answered 400). Uploads
    have their own bounds (core/uploads.py). A body without Content-Type is read as JSON."""
    accepted = _accepted_media_types(run.__self__)  # the Operation whose `run` this wraps
    if accepted is None:
        return run

    @functools.wraps(run)
    def gated(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        size = _body_size(request)
        if size:
            media_type = request.content_type or ""
            if media_type and not _takes(accepted, media_type):
                types = ", ".join(sorted(accepted))
                message = _("Send the body as %(types)s.") % {"types": types}
                return error_response(request, 415, "unsupported_media_type", message)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if JSON in accepted and limit is not None and size > limit:
                message = _("The body is larger than %(n)s bytes.") % {"n": limit}
                return error_response(request, 413, "too_large", message)
        return run(request, **kwargs)

    return gated


api = MotCuaAPI(
    title="MộtCửa API",
    version="1",
    description=(
        "Hệ thống thông tin giải quyết TTHC cấp tỉnh — provincial one-stop back office. "
        "Officials authenticate with their session (cookie + CSRF token). Every error answers "
        "with the `ErrorOut` body."
    ),
    urls_namespace="api",
    auth=django_auth,
)
# Before the routers: decorators reach the operations when the routers are built.
api.add_decorator(body_gate, mode="view")


def error_response(
    request: HttpRequest, status: int, code: str, message: str, errors: dict | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _field(loc: tuple | list) -> str:
    """Where a value was wrong, as our own errors name it: "applicant.name", "page"."""
    source, *path = loc
    if source == "body" and len(path) > 1:
        path = path[1:]  # the body parameter's name ("payload") says nothing to the client
    return ".".join(str(part) for part in path) or str(source)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field(error["loc"]), []).append(validation_message(error))
    invalid = InvalidInput(_("The request has errors."), errors=errors)
    return api.create_response(request, invalid.as_dict(), status=invalid.status)


# Ninja raises HttpError for what it refuses itself: no session (401), a failed CSRF check (the
# only 403 Ninja gives here; can() refusals are NotAllowed), an unreadable body (400).
HTTP_ERRORS = {
    400: ("bad_request", gettext_noop("The request body cannot be read; send valid JSON.")),
    401: ("not_authenticated", gettext_noop("Log in first: this part of the API needs a session.")),
    403: ("csrf_failed", gettext_noop("The CSRF token is missing or wrong (X-CSRFToken header).")),
    429: ("too_many_requests", gettext_noop("Too many requests; wait a minute and try again.")),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    code, message = HTTP_ERRORS.get(exc.status_code, ("error", str(exc)))
    return error_response(request, exc.status_code, code, _(message))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return error_response(request, 404, "not_found", _("Not found."))


def bad_request(request: HttpRequest, exc: Exception):
    return error_response(request, 400, "bad_request", _("The request cannot be read."))


for _cls in (BadRequest, SuspiciousOperation, MultiPartParserError):
    api.add_exception_handler(_cls, bad_request)


api.add_router("/territory", territory_router, tags=["territory"])
api.add_router("/agencies", organizations_router, tags=["agencies"])
api.add_router("/", accounts_router, tags=["officials"])
api.add_router("/catalog", catalog_router)
api.add_router("/calendar", calendar_router, tags=["calendar"])
api.add_router("/workflows", workflows_router, tags=["workflows"])
api.add_router("/dossiers", dossiers_router)
api.add_router("/documents", documents_router)
api.add_router("/registers", people_router)
api.add_router("/tracking", tracking_router)
api.add_router("/intake", intake_router)
api.add_router("/coordination", coordination_router)
api.add_router("/exports", exports_router)
api.add_router("/outbox", outbox_router)
api.add_router("/reconciliations", reconciliation_router)
api.add_router("/feedback", feedback_router)
api.add_router("/me", citizens_router)
api.add_router("/reports", reports_router)
api.add_router("/signatures", signing_router)
api.add_router("/payments", payments_router)
api.add_router("/certifications", certification_router)
