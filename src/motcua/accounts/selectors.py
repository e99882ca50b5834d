"""Reads for officials, grants and the audit trail, filtered by what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound
from motcua.core.models import AuditEntry

from .authz import agencies_where, can
from .constants import Action
from .models import Grant, Role, User


def official_list(*, user: User, query: str = "", agency_id: int | None = None) -> QuerySet[User]:
    """Officials whose home agency the user may view, with their active grants prefetched."""
    visible = agencies_where(user, Action.OFFICIAL_VIEW)
    officials = (
        User.objects.filter(kind=User.Kind.OFFICIAL, agency__in=visible)
        .select_related("agency")
        .prefetch_related(
            Prefetch(
                "grants",
                queryset=Grant.objects.filter(revoked_at__isnull=True).select_related(
                    "role", "agency", "field", "procedure"
                ),
                to_attr="active_grants",
            )
        )
        .order_by("agency__path", "username")
    )
    if query:
        officials = officials.filter(
            Q(username__icontains=query)
            | Q(email__icontains=query)
            | Q(phone__contains=query)
            | Q(full_name__icontains=query)
        )
    if agency_id:
        officials = officials.filter(agency_id=agency_id)
    return officials


def official_get(*, user: User, official_id: int) -> User:
    """An official the user may view; anyone else is "not found"."""
    official = User.objects.select_related("agency").filter(pk=official_id).first()
    if official is None or not can(user, Action.OFFICIAL_VIEW, official):
        raise NotFound(_("Official not found."))
    return official


def grant_get(*, user: User, grant_id: int) -> Grant:
    grant = Grant.objects.select_related("agency", "user", "role").filter(pk=grant_id).first()
    if grant is None or not can(user, Action.OFFICIAL_VIEW, grant):
        raise NotFound(_("Grant not found."))
    return grant


def role_list() -> QuerySet[Role]:
    return Role.objects.order_by("pk")


def role_get(code: str) -> Role:
    try:
        return Role.objects.get(code=code)
    except Role.DoesNotExist:
        raise NotFound(_("Unknown role %(r)s.") % {"r": code}) from None


def audit_list(
    *, user: User, object_type: str = "", object_id: str = "", action: str = ""
) -> QuerySet[AuditEntry]:
    """Audit entries of the agencies the user may audit (system-wide ones: superuser only)."""
    entries = AuditEntry.objects.select_related("agency")
    if not user.is_superuser:
        # Literal ids, so the (agency, at) index answers "latest first" per agency.
        ids = list(agencies_where(user, Action.AUDIT_VIEW).values_list("pk", flat=True))
        entries = entries.filter(agency_id__in=ids)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-at", "-pk")


def users_by_username(usernames: list[str]) -> tuple[list[User], list[str]]:
    """The accounts named, in the order given (repeats dropped), and the names that match none."""
    names = list(dict.fromkeys(usernames))
    found = {
        u.username: u for u in User.objects.filter(username__in=names).select_related("agency")
    }
    return [found[n] for n in names if n in found], [n for n in names if n not in found]
