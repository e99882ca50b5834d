"""Reads of the procedure catalog: versions in force, ranked search, the health report."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Length
from django.utils import timezone

from motcua.core.errors import NotFound
from motcua.core.revisions import cached
from motcua.core.textnorm import fold
from motcua.organizations.models import Agency, AgencyKind

from . import completeness
from .competence import CompetenceIndex
from .constants import FROZEN_STATUSES, OPEN_STATUSES, CompetentMode, VersionStatus
from .content import ProcedureContent
from .models import (
    CatalogImport,
    CompetenceRule,
    Field,
    FormTemplate,
    FullOnlineList,
    LifeEvent,
    Procedure,
    ProcedureVersion,
)

# The revision (core.revisions) every catalog service bumps: procedures, versions, competence.
REVISION = "catalog"

# A national code or its prefix (1.001193, 2.000), or a localized code (1.001193.H20).
_CODE_LIKE = re.compile(r"^\d(\.[\dA-Z]*)*$")


def today() -> dt.date:
    return timezone.localdate()


def version_in_force(procedure: Procedure, on: dt.date | None = None) -> ProcedureVersion | None:
    """The frozen version with the latest effective date on or before `on` (default today).

    Its status says whether the procedure takes dossiers (published) or not (suspended,
    abolished). A dossier stores the version it was received under and keeps it.
    """
    return (
        procedure.versions.filter(status__in=FROZEN_STATUSES, effective_from__lte=on or today())
        .order_by("-effective_from")
        .first()
    )


def version_open(procedure: Procedure) -> ProcedureVersion | None:
    """The version being edited (draft or approved), if any."""
    return procedure.versions.filter(status__in=OPEN_STATUSES).first()


def procedure_get(code: str) -> Procedure:
    procedure = Procedure.objects.select_related("field").filter(code=code).first()
    if procedure is None:
        raise NotFound(f"{code}")
    return procedure


# Submissions arrive by the hundred per second and name their procedure by code, rows that
# change a few times a year: both reads below are kept in the shared cache until a catalog
# service changes the catalog (core.revisions), then read again by every process at once.


def procedure_get_cached(code: str) -> Procedure:
    """`procedure_get`, cached; an unknown code is never kept."""
    return cached(f"catalog.procedure:{code}", lambda: procedure_get(code), depends_on=[REVISION])


def version_in_force_cached(procedure: Procedure, on: dt.date) -> ProcedureVersion | None:
    """`version_in_force` with its field loaded, cached: a version suspended, abolished or
    published is seen by the very next submission."""

    def build() -> ProcedureVersion | None:
        version = version_in_force(procedure, on)
        if version is None:
            return None
        return ProcedureVersion.objects.select_related("field").get(pk=version.pk)

    return cached(f"catalog.version:{procedure.pk}:{on.isoformat()}", build, depends_on=[REVISION])


@dataclass
class PublicProcedure:
    """What a citizen sees: the procedure and the version in force, with its parts loaded."""

    procedure: Procedure
    version: ProcedureVersion
    content: ProcedureContent
    upcoming: ProcedureVersion | None = None


def procedure_public_get(code: str, on: dt.date | None = None) -> PublicProcedure:
    """The published procedure by code, as in force on `on`; NotFound if none is."""
    procedure = Procedure.objects.select_related("field").filter(code=code).first()
    version = version_in_force(procedure, on) if procedure else None
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise NotFound(code)
    version = (
        ProcedureVersion.objects.select_related("field")
        .prefetch_related(
            "times",
            "fees",
            "legal_bases",
            # The page links the files; their bytes (up to 10 MB each) stay in the database.
            Prefetch("components__form_template", queryset=FormTemplate.objects.defer("content")),
        )
        .get(pk=version.pk)
    )
    upcoming = (
        procedure.versions.filter(status=VersionStatus.PUBLISHED, effective_from__gt=on or today())
        .order_by("effective_from")
        .first()
    )
    return PublicProcedure(
        procedure, version, ProcedureContent.model_validate(version.document), upcoming
    )


def procedure_search(
    *,
    query: str = "",
    field_code: str = "",
    agency: Agency | None = None,
    level: str = "",
    online_level: str = "",
    life_event: str = "",
    published_only: bool = True,
) -> QuerySet[Procedure]:
    """Procedures matching `query` (words with or without diacritics, or a code), ranked.

    Every word must occur in the folded name (or the query is a code or its prefix). Rank: exact
    code, code prefix, exact name, name starting with the phrase, phrase anywhere, all words;
    ties go to names containing the query as typed (diacritics included), then shorter names.
    On PostgreSQL the folded name has a trigram index, so `LIKE '%word%'` stays fast.
    """
    qs = Procedure.objects.select_related("field")
    if published_only:
        qs = qs.filter(is_published=True)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if level:
        qs = qs.filter(level=level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    if life_event:
        qs = qs.filter(life_events__code=life_event)
    if agency is not None:
        qs = qs.filter(pk__in=_settled_by(agency))
    text = query.strip()
    folded = fold(text)
    if not folded:
        return qs.order_by("field__name", "name")
    code = text.upper()
    if _CODE_LIKE.match(code):
        return (
            qs.filter(code__startswith=code)
            .annotate(rank=Case(When(code=code, then=Value(100)), default=Value(90)))
            .order_by("-rank", "code")
        )
    for word in folded.split():
        qs = qs.filter(name_folded__contains=word)
    phrase = folded
    return qs.annotate(
        rank=Case(
            When(name_folded=phrase, then=Value(80)),
            When(name_folded__startswith=phrase, then=Value(70)),
            When(name_folded__startswith=f"thu tuc {phrase}", then=Value(70)),
            When(name_folded__contains=phrase, then=Value(60)),
            default=Value(40),
            output_field=IntegerField(),
        ),
        typed=Case(
            When(name__icontains=text, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        name_length=Length("name"),
    ).order_by("-rank", "-typed", "name_length", "code")


def field_list() -> QuerySet[Field]:
    """Fields with their number of published procedures, for browsing."""
    return (
        Field.objects.annotate(
            published=Count("procedures", filter=Q(procedures__is_published=True))
        )
        .filter(published__gt=0)
        .order_by("name")
    )


def life_event_list() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.annotate(
        published=Count("procedures", filter=Q(procedures__is_published=True))
    ).filter(published__gt=0)


def _settled_by(agency: Agency) -> QuerySet[Procedure]:
    """The procedures `agency` settles: rules naming it, and for a commune's People's Committee
    the "applicant's commune" rules that apply to its commune (its own rule, or the province
    default where the commune has none)."""
    named = Procedure.objects.filter(competence_rules__agency=agency)
    if agency.kind != AgencyKind.COMMUNE_PC or agency.commune_id is None:
        return named.values("pk")
    local = CompetentMode.LOCAL_COMMUNE
    own = Procedure.objects.filter(
        competence_rules__commune=agency.commune_id, competence_rules__mode=local
    )
    default = Procedure.objects.filter(
        competence_rules__commune__isnull=True, competence_rules__mode=local
    ).exclude(competence_rules__commune=agency.commune_id)
    return (named | own | default).values("pk")


def competent_agency_list() -> QuerySet[Agency]:
    """Agencies that settle some published procedure, for browsing by agency: those named in
    rules, and the communes' People's Committees when a rule leaves it to the applicant's
    commune."""
    condition = Q(competence_rules__procedure__is_published=True)
    if CompetenceRule.objects.filter(
        mode=CompetentMode.LOCAL_COMMUNE, procedure__is_published=True
    ).exists():
        condition |= Q(kind=AgencyKind.COMMUNE_PC, commune__isnull=False)
    return Agency.objects.filter(condition, is_active=True).distinct().order_by("path")


def form_template_get(pk: int) -> FormTemplate:
    template = FormTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise NotFound(str(pk))
    return template


def full_online_list_get(pk: int | None = None) -> FullOnlineList:
    """A full-online list decision (default: the latest)."""
    qs = FullOnlineList.objects.prefetch_related("procedures__field")
    decision = qs.filter(pk=pk).first() if pk else qs.first()
    if decision is None:
        raise NotFound(str(pk or ""))
    return decision


@dataclass
class HealthRow:
    """One procedure on the health page: the version checked and every gap found."""

    procedure: Procedure
    version: ProcedureVersion | None
    gaps: list[completeness.Gap] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps


@dataclass
class Health:
    rows: list[HealthRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def complete(self) -> int:
        return sum(1 for r in self.rows if r.complete)

    @property
    def published(self) -> int:
        return sum(1 for r in self.rows if r.procedure.is_published)

    @property
    def with_gaps(self) -> list[HealthRow]:
        return [r for r in self.rows if r.gaps]

    @property
    def percent(self) -> float:
        return round(100 * self.complete / self.total, 1) if self.total else 100.0


def catalog_health() -> Health:
    """Every procedure's gaps, checked on the version that matters.

    The version being edited if there is one (what will be published next), else the version
    in force; a procedure in the province's full-online list must also be configured fully
    online. A handful of queries for the whole catalog.
    """
    from django.utils.translation import gettext as _

    procedures = list(
        Procedure.objects.select_related("field").prefetch_related(
            Prefetch("versions", queryset=ProcedureVersion.objects.order_by("-number"))
        )
    )
    index = CompetenceIndex.load()
    templates = set(FormTemplate.objects.values_list("code", flat=True))
    full_online = set(
        FullOnlineList.procedures.through.objects.values_list("procedure_id", flat=True)
    )
    on = today()
    rows = []
    for procedure in procedures:
        versions = list(procedure.versions.all())
        version = next((v for v in versions if v.status in OPEN_STATUSES), None)
        if version is None:
            in_force = [
                v
                for v in versions
                if v.status in FROZEN_STATUSES and v.effective_from and v.effective_from <= on
            ]
            version = max(in_force, key=lambda v: v.effective_from, default=None) or next(
                iter(versions), None
            )
        if version is None:
            row = HealthRow(procedure, None, [completeness.Gap("no_version", _("No content."))])
        else:
            content = ProcedureContent.model_validate(version.document)
            found = completeness.gaps(procedure.pk, content, known_templates=templates, index=index)
            if procedure.pk in full_online and content.online_level != "full":
                found.append(
                    completeness.Gap(
                        "full_online_list_mismatch",
                        _(
                            "It is in the province's full-online list but not configured "
                            "fully online."
                        ),
                        "online_level",
                    )
                )
            row = HealthRow(procedure, version, found)
        rows.append(row)
    return Health(rows)


def version_gaps(version: ProcedureVersion) -> list[completeness.Gap]:
    """The completeness gate's findings for one version."""
    content = ProcedureContent.model_validate(version.document)
    return completeness.gaps(version.procedure_id, content)


def version_gaps_codes(version: ProcedureVersion) -> set[str]:
    """The codes of the gaps the gate finds in `version` (tests and the API use them)."""
    return {gap.code for gap in version_gaps(version)}


def catalog_import_get(pk: int) -> CatalogImport:
    """An import batch (preview or applied), for its preview page and the API."""
    batch = CatalogImport.objects.filter(pk=pk).first()
    if batch is None:
        raise NotFound(str(pk))
    return batch
