"""Route a dossier to the agency competent for the applicant's locality (R7).

Any desk in the province may receive any procedure's dossier (reception regardless of
administrative boundaries, Decree 118/2025/NĐ-CP); the catalog's per-locality competence says
who settles it and where the result is returned. The answer for a procedure and a commune is
kept in the shared cache (core.revisions): submissions arrive by the hundred per second,
competence rules and agencies change a few times a year, and each such change (a catalog or an
agency service) makes every process resolve afresh.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.catalog.competence import Competence, CompetenceIndex, Resolution
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import REVISION as CATALOG
from motcua.core.errors import Conflict
from motcua.core.revisions import cached
from motcua.organizations.models import Agency
from motcua.organizations.selectors import REVISION as ORGANIZATIONS


def _resolution(procedure: Procedure, commune_id: int | None) -> Resolution:
    # The language is in the key: a resolution that fails carries its reason, translated.
    return cached(
        f"routing:{procedure.pk}:{commune_id}:{get_language()}",
        lambda: CompetenceIndex.load([procedure]).resolve(procedure.pk, commune_id),
        depends_on=[CATALOG, ORGANIZATIONS],
    )


@dataclass(frozen=True)
class Route:
    competence: Competence
    receiving_agency: Agency
    boundary_free: bool

    @property
    def competent_agency(self) -> Agency:
        return self.competence.agency

    @property
    def return_agency(self) -> Agency:
        # The result comes back where it was handed in (the receipt says so).
        return self.receiving_agency


def route(procedure: Procedure, commune_id: int | None, desk: Agency | None) -> Route:
    """The competent agency for the applicant's commune and the desk receiving the dossier.

    With no desk (an online submission) the competent agency's electronic reception unit takes
    it (its one-stop unit, or the service center's desk for its department or field:
    `CompetenceIndex.electronic_unit`), which is in its area by construction.
    """
    resolution = _resolution(procedure, commune_id)
    if resolution.competence is None:
        raise Conflict(
            _("The dossier cannot be routed: %(problem)s") % {"problem": resolution.problem},
            code="no_competence",
        )
    competence = resolution.competence
    online = desk is None
    if online:
        desk = competence.electronic_unit or competence.desks[0]
    in_area = (
        online
        or any(d.pk == desk.pk for d in competence.desks)
        or desk.is_within(competence.agency)
    )
    if desk.province_id != competence.agency.province_id:
        raise Conflict(
            _("%(desk)s is in another province and cannot receive this dossier.")
            % {"desk": desk.name},
            code="other_province",
        )
    return Route(competence=competence, receiving_agency=desk, boundary_free=not in_area)
