from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the page header's menu (templates/_staff_nav.html) needs to know about the user:
    each link only where `can()` lets them through it, never to a refusal."""
    from django.conf import settings

    from motcua.accounts.authz import has_any
    from motcua.accounts.constants import Action
    from motcua.accounts.models import User
    from motcua.portal.kiosk import is_kiosk

    if is_kiosk(request):
        # The self-service screen: no one is logged in there, no officials' menu.
        return {"kiosk": True, "kiosk_idle_seconds": settings.KIOSK_IDLE_SECONDS}
    user = getattr(request, "user", None)
    official = bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or getattr(user, "kind", "") == User.Kind.OFFICIAL)
    )
    receive = official and has_any(user, {Action.DOSSIER_RECEIVE})
    reports = official and has_any(user, {Action.REPORT_VIEW})
    return {
        "is_official": official,
        "can_desk": official
        and has_any(user, {Action.DOSSIER_VIEW, Action.DOSSIER_RECEIVE, Action.DOSSIER_PROCESS}),
        "can_receive": receive,
        "can_reports": reports,
        # The book of a desk (its receiving officers) or of an agency (its leaders, who read
        # its reports): dossiers.ledger.ledger_permit.
        "can_ledger": receive or reports,
        "can_admin": official and admin_shows_something(request),
        # Certified copies (motcua.certification): who signs at a commune People's Committee.
        "can_certify": official
        and has_any(user, {Action.DOSSIER_SIGN})
        and _certifies_somewhere(user),
    }


def _certifies_somewhere(user) -> bool:
    from motcua.certification.permissions import certifying_agencies

    return certifying_agencies(user).exists()


def admin_shows_something(request: HttpRequest) -> bool:
    """The administration site lets the user in and shows them at least one page: its door
    (`has_permission`) alone is not enough, an index with nothing on it says "no permission"."""
    from motcua.core.admin_site import site

    if not site.has_permission(request):
        return False
    return bool(site.get_app_list(request))
