"""The JSON API (Django Ninja), mounted at /api/v1/; OpenAPI at /api/v1/openapi.json.

Each app contributes a Router. One handler maps domain errors to HTTP, so endpoints only parse,
call one service or selector, and return.
"""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from motcua.accounts.api import router as accounts_router
from motcua.catalog.api import router as catalog_router
from motcua.core.api import router as calendar_router
from motcua.core.errors import DomainError
from motcua.dossiers.api import router as dossiers_router
from motcua.dossiers.api import tracking_router
from motcua.organizations.api import router as organizations_router
from motcua.territory.api import router as territory_router
from motcua.workflows.api import router as workflows_router

api = NinjaAPI(
    title="MộtCửa API",
    version="1",
    description=(
        "Hệ thống thông tin giải quyết TTHC cấp tỉnh — provincial one-stop back office. "
        "Officials authenticate with their session (cookie + CSRF token)."
    ),
    urls_namespace="api",
    auth=django_auth,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_router("/territory", territory_router, tags=["territory"])
api.add_router("/agencies", organizations_router, tags=["agencies"])
api.add_router("/", accounts_router, tags=["officials"])
api.add_router("/catalog", catalog_router)
api.add_router("/calendar", calendar_router, tags=["calendar"])
api.add_router("/workflows", workflows_router, tags=["workflows"])
api.add_router("/dossiers", dossiers_router)
api.add_router("/tracking", tracking_router)
