from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the page header needs to know about the user: is there an admin door for them, do
    they receive dossiers somewhere (the tracking book's page)?"""
    from motcua.accounts.authz import has_any
    from motcua.accounts.constants import ADMIN_SITE_ACTIONS, Action

    user = getattr(request, "user", None)
    return {
        "can_admin": has_any(user, ADMIN_SITE_ACTIONS),
        "can_ledger": has_any(user, {Action.DOSSIER_RECEIVE}),
    }
