"""How `can()` scopes catalog objects.

The catalog belongs to the province: a catalog administrator granted at the provincial People's
Committee (with its sub-tree) manages every procedure; one granted at a department manages the
procedures that department settles (it appears in their competence rules), optionally narrowed
to a field or one procedure by the grant itself.
"""

from __future__ import annotations

from motcua.accounts.authz import Scope, scope_of
from motcua.organizations.models import Agency, AgencyKind

from .models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    PublicService,
)


def province_roots() -> tuple[tuple[int, str], ...]:
    """The provincial People's Committees at the top of the agency trees."""
    return tuple(
        Agency.objects.filter(parent__isnull=True, kind=AgencyKind.PROVINCE_PC).values_list(
            "pk", "path"
        )
    )


def catalog_scope(*, field_id: int | None = None) -> Scope:
    """The scope of catalog-wide work (a new procedure in a field, an import, a list)."""
    return Scope(agencies=province_roots(), field_id=field_id)


@scope_of.register
def _scope_of_procedure(target: Procedure) -> Scope:
    competent = tuple(
        Agency.objects.filter(competence_rules__procedure=target)
        .values_list("pk", "path")
        .distinct()
    )
    return Scope(
        agencies=province_roots() + competent,
        field_id=target.field_id,
        procedure_id=target.pk,
    )


@scope_of.register
def _scope_of_version(target: ProcedureVersion) -> Scope:
    return scope_of(target.procedure)


@scope_of.register
def _scope_of_rule(target: CompetenceRule) -> Scope:
    return scope_of(target.procedure)


@scope_of.register
def _scope_of_service(target: PublicService) -> Scope:
    base = scope_of(target.procedure)
    return Scope(
        agencies=(*base.agencies, (target.agency_id, target.agency.path)),
        field_id=base.field_id,
        procedure_id=base.procedure_id,
    )


@scope_of.register(FormTemplate)
@scope_of.register(LifeEvent)
@scope_of.register(FullOnlineList)
def _scope_of_catalog_wide(target) -> Scope:
    # Shared by every procedure: managed at the province level, like a new procedure.
    return catalog_scope()
