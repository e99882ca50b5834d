"""How `can()` scopes catalog objects.

The catalog belongs to the province: a catalog administrator granted at the provincial People's
Committee (with its sub-tree) manages every procedure; one granted at a department manages the
procedures that department settles (it appears in their competence rules), optionally narrowed
to a field or one procedure by the grant itself.

On an installation shared by several provinces the catalog rows are shared too, so a procedure
belongs to the provinces its competence rules tie it to: the provinces of the agencies they
name and of the communes they override. One whose default rule says "the applicant's commune
settles it" (or that has no rule yet) serves every province and stays with every province's
catalog administrators; one a department settles is managed only by that department's province.
"""

from __future__ import annotations

from motcua.accounts.authz import Scope, scope_of
from motcua.organizations.models import Agency, AgencyKind

from .constants import CompetentMode
from .models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    LifeEvent,
    Procedure,
    ProcedureVersion,
    PublicService,
)


def province_roots(provinces: set[int] | None = None) -> tuple[tuple[int, str], ...]:
    """The provincial People's Committees at the top of the agency trees (of `provinces`, or
    of every province)."""
    roots = Agency.objects.filter(parent__isnull=True, kind=AgencyKind.PROVINCE_PC)
    if provinces is not None:
        roots = roots.filter(province_id__in=provinces)
    return tuple(roots.values_list("pk", "path"))


def catalog_scope(*, field_id: int | None = None) -> Scope:
    """The scope of catalog-wide work (a new procedure in a field, an import, a list)."""
    return Scope(agencies=province_roots(), field_id=field_id)


@scope_of.register
def _scope_of_procedure(target: Procedure) -> Scope:
    rules = CompetenceRule.objects.filter(procedure=target).values_list(
        "mode",
        "commune_id",
        "agency_id",
        "agency__path",
        "agency__province_id",
        "commune__province_id",
    )
    competent: dict[int, str] = {}
    provinces: set[int] = set()
    local_default = False
    for mode, commune_id, agency_id, path, agency_province, commune_province in rules:
        if agency_id is not None:
            competent[agency_id] = path
            provinces.add(agency_province)
        if commune_id is not None:
            provinces.add(commune_province)
        elif mode == CompetentMode.LOCAL_COMMUNE:
            local_default = True
    # Shared: the communes of every province settle it, or nothing ties it to one yet.
    shared = local_default or not provinces
    return Scope(
        agencies=province_roots(None if shared else provinces) + tuple(competent.items()),
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
