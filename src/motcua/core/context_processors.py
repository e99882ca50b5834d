from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the page header needs to know about the user: is there an admin door for them?"""
    from motcua.accounts.authz import has_any
    from motcua.accounts.constants import ADMIN_SITE_ACTIONS

    return {"can_admin": has_any(getattr(request, "user", None), ADMIN_SITE_ACTIONS)}
