"""One function decides every access: `can(user, action, target)`.

Every view, API endpoint, admin page and command asks it. A target is mapped to a `Scope` (the
agencies it belongs to, and its field and procedure, when it has them); the user is allowed when
one of their active grants has a role that allows the action and covers that scope.

A grant covers a scope when:
- its agency is one of the scope's agencies, or, with `include_subtree`, an ancestor of one;
- if the grant names a field, the target is in that field; if it names a procedure, the target
  is that procedure. A target with no field (an agency, an official) is therefore covered only
  by grants without a field or procedure restriction.

Superusers (the installation's first account, created with `createsuperuser`) may do anything;
inactive users and citizens hold no grants, so they may do nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.core.errors import NotAllowed
from motcua.core.models import AuditEntry
from motcua.organizations.models import Agency

from .models import Grant, User


@dataclass(frozen=True)
class Scope:
    """Where a target lives: its agencies (id and path), field and procedure."""

    agencies: tuple[tuple[int, str], ...] = ()
    field_id: int | None = None
    procedure_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)


@singledispatch
def scope_of(target) -> Scope:
    """Map a target to its scope. Apps register their own models with `@scope_of.register`."""
    raise TypeError(f"can() does not know how to scope a {type(target).__name__}")


@scope_of.register
def _scope_of_scope(target: Scope) -> Scope:
    return target


@scope_of.register
def _scope_of_agency(target: Agency) -> Scope:
    return Scope(agencies=((target.pk, target.path),))


@scope_of.register
def _scope_of_user(target: User) -> Scope:
    # An official belongs to their home agency; an account with none is only a superuser's.
    if target.agency_id is None:
        return Scope()
    return Scope(agencies=((target.agency_id, target.agency.path),))


@scope_of.register
def _scope_of_grant(target: Grant) -> Scope:
    # Granting a role is managing the agency it is granted in.
    return Scope(agencies=((target.agency_id, target.agency.path),))


# Grants change a few times a day and are read on every request: kept per process under the
# accounts' and agencies' revision numbers (core/revisions.py), which grant_create, grant_revoke,
# the built-in roles' refresh and agency changes bump on commit.
REVISION = "accounts"


def _load_grants(user_id: int) -> list[Grant]:
    return list(
        Grant.objects.filter(user_id=user_id, revoked_at__isnull=True)
        .select_related("role", "agency")
        .filter(agency__is_active=True)
    )


def _active_grants(user: User) -> list[Grant]:
    # Kept on the user object for the request: one look-up however many checks a page makes.
    grants = getattr(user, "_motcua_grants", None)
    if grants is None:
        from motcua.core.revisions import cached

        grants = cached(
            f"accounts.grants:{user.pk}",
            lambda: _load_grants(user.pk),
            depends_on=[REVISION, "organizations"],
        )
        user._motcua_grants = grants
    return grants


def forget_grants(user: User) -> None:
    """Drop the per-object grant cache (after a user's grants change)."""
    if hasattr(user, "_motcua_grants"):
        del user._motcua_grants


def _covers(grant: Grant, scope: Scope) -> bool:
    if grant.field_id is not None and grant.field_id != scope.field_id:
        return False
    if grant.procedure_id is not None and grant.procedure_id != scope.procedure_id:
        return False
    for agency_id, path in scope.agencies:
        if agency_id == grant.agency_id:
            return True
        if grant.include_subtree and path.startswith(grant.agency.path):
            return True
    return False


# Accounts whose grants count: officials, and system accounts (the national portal's intake).
_GRANTED_KINDS = (User.Kind.OFFICIAL, User.Kind.SYSTEM)


def can(user: User | None, action: str, target) -> bool:
    """May `user` do `action` on `target`? The one authorization decision of the system."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind not in _GRANTED_KINDS:
        return False
    scope = scope_of(target)
    return any(g.role.allows(action) and _covers(g, scope) for g in _active_grants(user))


def holds(
    user: User | None,
    action: str,
    agency: Agency,
    *,
    include_subtree: bool = False,
    field_id: int | None = None,
    procedure_id: int | None = None,
) -> bool:
    """Does `user` hold `action` over the whole of a grant's scope?

    The scope is `agency` (and, with `include_subtree`, every agency under it), narrowed to a
    field and/or a procedure. It is what a user must hold to hand the action to someone else:
    a grant without a field restriction is covered only by grants without one, a sub-tree only
    by a grant on it or above it that includes its sub-tree.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind != User.Kind.OFFICIAL:
        return False
    for grant in _active_grants(user):
        if not grant.role.allows(action):
            continue
        if grant.field_id is not None and grant.field_id != field_id:
            continue
        if grant.procedure_id is not None and grant.procedure_id != procedure_id:
            continue
        if grant.agency_id == agency.pk and (grant.include_subtree or not include_subtree):
            return True
        if grant.include_subtree and agency.path.startswith(grant.agency.path):
            return True
    return False


def require(user: User | None, action: str, target) -> None:
    """Raise NotAllowed unless `can(user, action, target)`."""
    if not can(user, action, target):
        raise NotAllowed(_("You do not have permission for this action."))


def has_any(user: User | None, actions: set[str] | list[str]) -> bool:
    """Does the user hold any of `actions` anywhere (menus, the admin site's door)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind != User.Kind.OFFICIAL:
        return False
    return any(action in g.role.actions for g in _active_grants(user) for action in actions)


def agencies_where(user: User, action: str) -> QuerySet[Agency]:
    """The agencies on which `user` may do `action` with an unrestricted grant.

    The permission-aware counterpart of `can` for lists: filter a queryset by
    `agency__in=agencies_where(user, action)` instead of calling `can` per row.
    """
    if user.is_superuser:
        return Agency.objects.all()
    if not user.is_active or user.kind != User.Kind.OFFICIAL:
        return Agency.objects.none()
    condition = Q(pk__in=[])
    for grant in _active_grants(user):
        if not grant.role.allows(action) or grant.field_id or grant.procedure_id:
            continue
        if grant.include_subtree:
            condition |= Q(path__startswith=grant.agency.path)
        else:
            condition |= Q(pk=grant.agency_id)
    return Agency.objects.filter(condition)


@scope_of.register
def _scope_of_audit_entry(target: AuditEntry) -> Scope:
    if target.agency_id is None:
        return Scope()
    return Scope(agencies=((target.agency_id, target.agency.path),))
