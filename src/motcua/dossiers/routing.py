"""Route a dossier to the agency competent for the applicant's locality (R7).

Any desk in the province may receive any procedure's dossier (reception regardless of
administrative boundaries, Decree 118/2025/NĐ-CP); the catalog's per-locality competence says
who settles it and where the result is returned. The competence index of a procedure is cached
in process memory for `TTL` seconds: submissions arrive by the hundred per second, competence
rules change a few times a year.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Lock

from django.utils.translation import gettext as _

from motcua.catalog.competence import Competence, CompetenceIndex
from motcua.catalog.models import Procedure
from motcua.core.errors import Conflict
from motcua.organizations.models import Agency

TTL = 60.0
_cache: dict[int, tuple[float, CompetenceIndex]] = {}
_lock = Lock()


def _index(procedure: Procedure) -> CompetenceIndex:
    now = time.monotonic()
    hit = _cache.get(procedure.pk)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    index = CompetenceIndex.load([procedure])
    with _lock:
        _cache[procedure.pk] = (now, index)
    return index


def routing_cache_clear() -> None:
    with _lock:
        _cache.clear()


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

    With no desk (online submission) the competent agency's first receiving desk is used.
    """
    resolution = _index(procedure).resolve(procedure.pk, commune_id)
    if resolution.competence is None:
        raise Conflict(
            _("The dossier cannot be routed: %(problem)s") % {"problem": resolution.problem},
            code="no_competence",
        )
    competence = resolution.competence
    if desk is None:
        desk = competence.desks[0]
    in_area = any(d.pk == desk.pk for d in competence.desks) or desk.is_within(competence.agency)
    if desk.province_id != competence.agency.province_id:
        raise Conflict(
            _("%(desk)s is in another province and cannot receive this dossier.")
            % {"desk": desk.name},
            code="other_province",
        )
    return Route(competence=competence, receiving_agency=desk, boundary_free=not in_area)
