"""Per-locality competence: who settles a procedure for a commune, and where it is received.

Telegram 33/CĐ-TTg problem (4): the central systems cannot be configured per locality. Here the
province configures it as data (`CompetenceRule`), without code changes:

- a rule names the competent agency, either "the People's Committee of the applicant's commune"
  (each commune settles for its own residents) or one named agency (a department);
- it says under which authority (own competence, decentralised, authorised — with the deciding
  agency and decision), and which desks may receive: the competent agency's own one-stop desks,
  every desk in the province (reception regardless of boundaries, Decree 118/2025/NĐ-CP), or a
  list;
- a rule without a commune is the province-wide default; a commune's own rule overrides it.

`CompetenceIndex` loads the agencies and rules once and resolves in memory, so the health page
can check thousands of procedures × communes with a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.organizations.models import Agency, AgencyKind

from .constants import AuthorityKind, CompetentMode, ReceivingMode
from .models import CompetenceRule, Procedure

DESK_KINDS = {AgencyKind.DESK, AgencyKind.ONE_STOP_UNIT}


@dataclass(frozen=True)
class Competence:
    """The answer for one procedure in one locality."""

    agency: Agency
    authority: str
    delegated_by: Agency | None
    delegation_basis: str
    desks: tuple[Agency, ...]
    rule: CompetenceRule
    # Where the national portal's online dossiers go: see CompetenceIndex.electronic_unit.
    electronic_unit: Agency | None = None

    @property
    def authority_label(self) -> str:
        return str(AuthorityKind(self.authority).label)


@dataclass
class Resolution:
    """A competence, or the reason there is none (for the health page)."""

    competence: Competence | None = None
    problem: str = ""


@dataclass
class CompetenceIndex:
    """Active agencies and rules, loaded once, resolved in memory."""

    agencies: dict[int, Agency] = field(default_factory=dict)
    commune_pc: dict[int, Agency] = field(default_factory=dict)
    commune_names: dict[int, str] = field(default_factory=dict)
    rules: dict[int, dict[int | None, CompetenceRule]] = field(default_factory=dict)
    procedure_fields: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, procedures: list[Procedure] | None = None) -> CompetenceIndex:
        index = cls()
        for agency in Agency.objects.filter(is_active=True).select_related("province", "commune"):
            index.agencies[agency.pk] = agency
            if agency.kind == AgencyKind.COMMUNE_PC and agency.commune_id:
                index.commune_pc.setdefault(agency.commune_id, agency)
                index.commune_names[agency.commune_id] = agency.commune.name
        rules = CompetenceRule.objects.select_related("commune", "procedure").prefetch_related(
            "desks"
        )
        if procedures is not None:
            rules = rules.filter(procedure__in=procedures)
        grouped: dict[int, dict[int | None, CompetenceRule]] = defaultdict(dict)
        for rule in rules:
            grouped[rule.procedure_id][rule.commune_id] = rule
            index.procedure_fields[rule.procedure_id] = rule.procedure.field_id
        index.rules = dict(grouped)
        return index

    def localities(self) -> list[int]:
        """Communes the province has set up (they have an active People's Committee)."""
        return sorted(self.commune_pc)

    def _desks_under(self, agency: Agency) -> list[Agency]:
        return [
            a
            for a in self.agencies.values()
            if a.kind in DESK_KINDS and a.path.startswith(agency.path)
        ]

    def _province_desks(self, province_id: int) -> list[Agency]:
        return [
            a
            for a in self.agencies.values()
            if a.kind in DESK_KINDS and a.province_id == province_id
        ]

    def _service_center_desks(self, province_id: int) -> list[Agency]:
        centers = [
            a
            for a in self.agencies.values()
            if a.kind == AgencyKind.SERVICE_CENTER and a.province_id == province_id
        ]
        return [d for c in centers for d in self._desks_under(c)]

    def resolve(self, procedure_id: int, commune_id: int | None) -> Resolution:
        rules = self.rules.get(procedure_id, {})
        rule = rules.get(commune_id) if commune_id is not None else None
        rule = rule or rules.get(None)
        if rule is None:
            return Resolution(problem=_("No competent agency is configured."))
        if rule.mode == CompetentMode.LOCAL_COMMUNE:
            agency = self.commune_pc.get(commune_id) if commune_id is not None else None
            if agency is None:
                return Resolution(
                    problem=_("The commune has no People's Committee set up in the system.")
                )
        else:
            agency = self.agencies.get(rule.agency_id)
            if agency is None:
                return Resolution(problem=_("The competent agency is inactive."))
        if rule.receiving == ReceivingMode.ALL_DESKS:
            desks = self._province_desks(agency.province_id)
        elif rule.receiving == ReceivingMode.LISTED:
            desks = [d for d in rule.desks.all() if d.pk in self.agencies]
        else:
            # A department's dossiers are received at the province's Public Administration
            # Service Center when the department has no one-stop desk of its own.
            desks = self._desks_under(agency) or self._service_center_desks(agency.province_id)
        if not desks:
            return Resolution(problem=_("No one-stop desk may receive it."))
        desks.sort(key=lambda d: d.path)
        unit = self.electronic_unit(agency, self.procedure_fields.get(procedure_id))
        if rule.receiving == ReceivingMode.LISTED and not any(
            unit.pk == d.pk or d.is_within(unit) for d in desks
        ):
            # The province listed the desks that may receive: the electronic unit is one of them.
            unit = desks[0]
        return Resolution(
            Competence(
                agency=agency,
                authority=rule.authority,
                delegated_by=self.agencies.get(rule.delegated_by_id),
                delegation_basis=rule.delegation_basis,
                desks=tuple(desks),
                rule=rule,
                electronic_unit=unit,
            )
        )

    def electronic_unit(self, agency: Agency, field_id: int | None) -> Agency:
        """The unit that takes the competent agency's online dossiers (bộ phận tiếp nhận hồ sơ
        điện tử), whatever the desks the rule lets receive in person:

        1. the agency's own one-stop unit (a commune's, or a department's that has one, also
           when the competent agency is a division inside that department);
        2. for an agency without one, the province's service center: its desk for the
           procedure's field, else its desk for the agency's department, else the center
           itself (its officials receive for every desk).

        Never "the first desk": an online submission of a finance procedure must not land at
        the land desk because that desk sorts first.
        """
        chain = [self.agencies[pk] for pk in agency.path_ids() if pk in self.agencies]
        # The agency itself, then its parents up to (not including) the province's root.
        owners = [a for a in reversed(chain) if a.kind != AgencyKind.PROVINCE_PC]
        for owner in owners:
            units = sorted(
                (
                    a
                    for a in self.agencies.values()
                    if a.kind == AgencyKind.ONE_STOP_UNIT and a.path.startswith(owner.path)
                ),
                key=lambda a: a.path,
            )
            if units:
                return units[0]
            if owner.kind in (AgencyKind.DEPARTMENT, AgencyKind.COMMUNE_PC):
                break
        centers = sorted(
            (
                a
                for a in self.agencies.values()
                if a.kind == AgencyKind.SERVICE_CENTER and a.province_id == agency.province_id
            ),
            key=lambda a: a.path,
        )
        center_desks = sorted(
            (d for c in centers for d in self._desks_under(c) if d.kind == AgencyKind.DESK),
            key=lambda d: d.path,
        )
        if field_id is not None:
            for desk in center_desks:
                if desk.serves_field_id == field_id:
                    return desk
        for owner in owners:  # the nearest first: the division's own desk, then the department's
            for desk in center_desks:
                if desk.serves_agency_id == owner.pk:
                    return desk
        if centers:
            return centers[0]
        # No service center: the first unit of the agency's own receiving desks.
        own = sorted(self._desks_under(agency), key=lambda d: d.path)
        return own[0] if own else agency


def competence_resolve(procedure: Procedure, commune_id: int | None) -> Competence | None:
    """Who settles `procedure` for residents of `commune_id`, and which desks receive it."""
    return CompetenceIndex.load([procedure]).resolve(procedure.pk, commune_id).competence
