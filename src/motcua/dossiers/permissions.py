"""How `can()` scopes a dossier: the desk that received it, the competent agency and the unit
holding it now, with the procedure's field and the procedure itself."""

from __future__ import annotations

from motcua.accounts.authz import Scope, scope_of

from .models import Dossier


def dossier_scope(dossier: Dossier) -> Scope:
    # The selectors load these three with the dossier; no query here.
    agencies = {
        a.pk: a.path
        for a in (dossier.receiving_agency, dossier.competent_agency, dossier.step_agency)
        if a is not None
    }
    return Scope(
        agencies=tuple(sorted(agencies.items())),
        field_id=dossier.procedure.field_id,
        procedure_id=dossier.procedure_id,
    )


@scope_of.register
def _scope_of_dossier(target: Dossier) -> Scope:
    return dossier_scope(target)
