"""Resolve a step's unit reference to an agency, and find who may act there.

An official is eligible for a step when one of their active grants has the step's role, that
role allows the step's permission (`constants.STEP_PERMISSION`), and the grant covers the unit
(the unit itself, or an ancestor with "includes subordinate units") and the procedure (a grant
narrowed to a field or procedure must match it) — the same coverage rule as `can()`.
"""

from __future__ import annotations

from django.db.models import Q

from motcua.accounts.authz import Scope, _active_grants, _covers
from motcua.accounts.models import Grant, User
from motcua.catalog.models import Procedure
from motcua.organizations.models import Agency

from .constants import STEP_PERMISSION, UnitRefKind
from .spec import Step, UnitRef


def unit_resolve(
    ref: UnitRef, *, competent: Agency, receiving_desk: Agency | None = None
) -> Agency | None:
    """The agency a reference points at for one dossier (None when it cannot be found)."""
    if ref.ref == UnitRefKind.COMPETENT_AGENCY:
        return competent
    if ref.ref == UnitRefKind.RECEIVING_DESK:
        return receiving_desk
    if ref.agency_id is not None:
        return Agency.objects.filter(pk=ref.agency_id, is_active=True).first()
    if ref.agency_code:
        return Agency.objects.filter(code=ref.agency_code, is_active=True).first()
    return None


def officials_eligible(*, step: Step, unit: Agency, procedure: Procedure) -> list[User]:
    """Active officials who may act at `step` in `unit` for `procedure`, by name."""
    permission = STEP_PERMISSION[step.kind]
    grants = (
        Grant.objects.filter(
            revoked_at__isnull=True,
            role__code=step.role,
            agency__is_active=True,
            user__is_active=True,
            user__kind=User.Kind.OFFICIAL,
        )
        .filter(Q(agency=unit) | Q(include_subtree=True, agency_id__in=unit.path_ids()))
        .filter(Q(field__isnull=True) | Q(field_id=procedure.field_id))
        .filter(Q(procedure__isnull=True) | Q(procedure=procedure))
        .select_related("role", "user")
    )
    users = {g.user_id: g.user for g in grants if g.role.allows(permission)}
    return sorted(users.values(), key=lambda u: (u.full_name or u.username, u.pk))


def is_eligible(user: User, *, step: Step, unit: Agency, procedure: Procedure) -> bool:
    """May `user` act at `step` in `unit`? Superusers may act anywhere."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.kind != User.Kind.OFFICIAL:
        return False
    permission = STEP_PERMISSION[step.kind]
    scope = Scope(
        agencies=((unit.pk, unit.path),),
        field_id=procedure.field_id,
        procedure_id=procedure.pk,
    )
    return any(
        g.role.code == step.role and g.role.allows(permission) and _covers(g, scope)
        for g in _active_grants(user)
    )
