"""How `can()` scopes a dossier: the desk that received it, the competent agency and the unit
holding it now, with the procedure's field and the procedure itself."""

from __future__ import annotations

from motcua.accounts.authz import Scope, scope_of
from motcua.organizations.models import Agency

from .models import Dossier


def dossier_scope(dossier: Dossier) -> Scope:
    ids = {dossier.receiving_agency_id, dossier.competent_agency_id, dossier.step_agency_id}
    ids.discard(None)
    paths = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "path"))
    return Scope(
        agencies=tuple((pk, paths[pk]) for pk in sorted(ids) if pk in paths),
        field_id=dossier.procedure.field_id,
        procedure_id=dossier.procedure_id,
    )


@scope_of.register
def _scope_of_dossier(target: Dossier) -> Scope:
    return dossier_scope(target)
