"""Operator probes, the home page, and the 404 answer."""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from motcua.core.nul import is_api_request
from motcua.organizations.models import Agency


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving (liveness)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied (readiness)."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 2
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def home(request: HttpRequest) -> HttpResponse:
    roots = Agency.objects.filter(parent__isnull=True, is_active=True).select_related("province")
    return render(
        request,
        "core/home.html",
        {"roots": roots},
    )


def after_login(request: HttpRequest) -> HttpResponse:
    """Where the login form sends a user without `next`: an official to their work desk,
    anyone else to the home page."""
    from django.shortcuts import redirect

    from .context_processors import navigation

    if navigation(request)["can_desk"]:
        return redirect("dossiers:list")
    return redirect("home")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, but the API's error body under /api/v1/: an address no operation
    matches (a dossier id that is no number) is still an API answer, JSON as documented."""
    if is_api_request(request):
        return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
