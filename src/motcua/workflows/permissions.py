"""How `can()` scopes process definitions: like the procedure they belong to, plus their agency.

A definition belongs to one province: only that province's People's Committee tree (and the
definition's own agency) covers it, so another province's catalog administrator on the same
installation cannot change it.
"""

from __future__ import annotations

from motcua.accounts.authz import Scope, scope_of
from motcua.organizations.models import Agency, AgencyKind

from .models import ProcessDefinition


def _province_roots(province_id: int) -> tuple[tuple[int, str], ...]:
    return tuple(
        Agency.objects.filter(
            parent__isnull=True, kind=AgencyKind.PROVINCE_PC, province_id=province_id
        ).values_list("pk", "path")
    )


@scope_of.register
def _scope_of_definition(target: ProcessDefinition) -> Scope:
    agencies = _province_roots(target.province_id)
    if target.agency_id is not None:
        agencies += ((target.agency_id, target.agency.path),)
    return Scope(
        agencies=agencies,
        field_id=target.procedure.field_id,
        procedure_id=target.procedure_id,
    )
