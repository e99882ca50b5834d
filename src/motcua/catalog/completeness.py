"""The completeness gate (R1): what a procedure still lacks before it may be published.

Decree 63/2010/NĐ-CP art. 8 (as amended by Decree 48/2013/NĐ-CP) lists the parts every
procedure must have: steps, channels, dossier (components and counts), time limit, subjects,
implementing agency, result; and where applicable forms, conditions, fees. The publication
decision adds the legal basis (Decree 92/2017/NĐ-CP). On top of that the system needs what it
runs on: a fee rule it can charge, a time it can count, an e-form for full-online service, and a
competent agency for every locality set up in the province.

`gaps()` returns every gap at once — the health page lists them all, so the province can reach
100% and prove it; publishing refuses while any remains.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, SchemaError

from .competence import CompetenceIndex
from .constants import Channel, OnlineLevel, Requirement
from .content import ProcedureContent


@dataclass(frozen=True)
class Gap:
    """One missing or inconsistent part. `where` is the content path ("fees.1.amount_vnd")."""

    code: str
    message: str
    where: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "where": self.where}


def eform_problems(schema: dict) -> list[str]:
    """Why an e-form is not usable: not a JSON Schema object, or a field without a label."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [_("The e-form is not a valid JSON Schema: %(e)s") % {"e": exc.message}]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return [_("The e-form must be an object with fields (properties).")]
    if not schema["properties"]:
        return [_("The e-form has no fields.")]
    return [
        _("E-form field %(f)s has no Vietnamese label (title).") % {"f": name}
        for name, prop in schema["properties"].items()
        if not isinstance(prop, dict) or not str(prop.get("title", "")).strip()
    ]


def content_gaps(content: ProcedureContent, *, known_templates: set[str]) -> list[Gap]:
    """Gaps found in the content document itself."""
    gaps: list[Gap] = []

    def gap(code: str, message: str, where: str = "") -> None:
        gaps.append(Gap(code, message, where))

    if not content.steps.strip():
        gap("no_steps", _("The steps (trình tự thực hiện) are missing."), "steps")
    if not content.subjects.strip():
        gap("no_subjects", _("The subjects (đối tượng thực hiện) are missing."), "subjects")
    if not content.result_name.strip():
        gap("no_result", _("The result (kết quả thực hiện) is missing."), "result_name")

    # Channels and processing times.
    if not content.channels:
        gap("no_channel", _("No submission channel is declared."), "channels")
    if not content.times:
        gap("no_time", _("The processing time is missing."), "times")
    else:
        covered = {t.channel for t in content.times}
        for channel in content.channels:
            if channel not in covered and None not in covered:
                gap(
                    "no_time_for_channel",
                    _("No processing time for the channel: %(c)s.") % {"c": Channel(channel).label},
                    "times",
                )

    # Fees and charges.
    if not content.fees:
        gap(
            "no_fee",
            _("No fee rule: state the fees and charges, or that none are collected."),
            "fees",
        )
    for i, fee in enumerate(content.fees):
        if fee.amount_vnd is None:
            gap(
                "fee_amount_missing",
                _("The amount of “%(n)s” is missing.") % {"n": fee.name},
                f"fees.{i}.amount_vnd",
            )
        elif fee.online_amount_vnd is not None and fee.online_amount_vnd > fee.amount_vnd:
            gap(
                "fee_online_higher",
                _("The online amount of “%(n)s” is higher than the normal amount.")
                % {"n": fee.name},
                f"fees.{i}.online_amount_vnd",
            )

    # Dossier components and their forms.
    if not content.components:
        gap("no_components", _("The dossier components are missing."), "components")
    for i, component in enumerate(content.components):
        label = component.name[:80]
        if component.form_required and not component.form_template:
            gap(
                "component_form_missing",
                _("Component “%(n)s” needs a form but has no template file.") % {"n": label},
                f"components.{i}.form_template",
            )
        elif component.form_template and component.form_template not in known_templates:
            gap(
                "component_form_unknown",
                _("Component “%(n)s” names an unknown form template %(t)s.")
                % {"n": label, "t": component.form_template},
                f"components.{i}.form_template",
            )
        if component.requirement == Requirement.CONDITIONAL and not component.condition:
            gap(
                "component_condition_missing",
                _("Component “%(n)s” is conditional but its condition is not stated.")
                % {"n": label},
                f"components.{i}.condition",
            )
        if component.originals + component.copies == 0:
            gap(
                "component_quantity_missing",
                _("Component “%(n)s” has no number of originals or copies.") % {"n": label},
                f"components.{i}.originals",
            )

    if not content.legal_bases:
        gap("no_legal_basis", _("The legal basis is missing."), "legal_bases")

    # Online service level, channels and the e-form must agree.
    online = Channel.ONLINE in content.channels
    if content.online_level != OnlineLevel.NONE and not online:
        gap(
            "online_level_without_channel",
            _("An online service level is declared but the online channel is not."),
            "online_level",
        )
    if online and content.online_level == OnlineLevel.NONE:
        gap(
            "online_channel_without_level",
            _("The online channel is declared but the online service level is not."),
            "online_level",
        )
    if content.online_level == OnlineLevel.FULL and not content.eform:
        gap(
            "full_online_without_eform",
            _("A fully online service needs an e-form."),
            "eform",
        )
    if content.eform:
        for problem in eform_problems(content.eform):
            gap("eform_invalid", problem, "eform")

    if content.is_lien_thong and not content.lien_thong_agencies.strip():
        gap(
            "lien_thong_agencies_missing",
            _("An inter-agency procedure must name the agencies it goes through."),
            "lien_thong_agencies",
        )

    # The publication decision.
    if not content.decision_number:
        gap("no_decision", _("The publication decision number is missing."), "decision_number")
    if not content.decision_date:
        gap("no_decision_date", _("The publication decision date is missing."), "decision_date")
    if not content.effective_from:
        gap("no_effective_date", _("The effective date is missing."), "effective_from")
    elif content.decision_date and content.effective_from < content.decision_date:
        gap(
            "effective_before_decision",
            _("The effective date is before the publication decision."),
            "effective_from",
        )
    return gaps


def competence_gaps(procedure_id: int, index: CompetenceIndex) -> list[Gap]:
    """A gap for every locality set up in the province where nobody is competent."""
    localities = index.localities()
    if procedure_id not in index.rules:
        return [Gap("no_competence", _("No competent agency is configured."), "competence")]
    targets: list[int | None] = list(localities) or [None]
    problems: dict[str, list[int | None]] = {}
    for commune_id in targets:
        resolution = index.resolve(procedure_id, commune_id)
        if resolution.competence is None:
            problems.setdefault(resolution.problem, []).append(commune_id)
    gaps = []
    names = index.commune_names
    for problem, communes in problems.items():
        where = ", ".join(names.get(c, "") for c in communes if c) or _("the whole province")
        gaps.append(
            Gap(
                "no_competence_locality",
                _("%(where)s: %(problem)s") % {"where": where, "problem": problem},
                "competence",
            )
        )
    return gaps


def gaps(
    procedure_id: int | None,
    content: ProcedureContent,
    *,
    known_templates: set[str] | None = None,
    index: CompetenceIndex | None = None,
) -> list[Gap]:
    """Every gap of `content` as the version of `procedure_id` (None: not created yet)."""
    from .models import FormTemplate

    if known_templates is None:
        codes = [c.form_template for c in content.components if c.form_template]
        known_templates = set(
            FormTemplate.objects.filter(code__in=codes).values_list("code", flat=True)
        )
    found = content_gaps(content, known_templates=known_templates)
    if procedure_id is None:
        found.append(Gap("no_competence", _("No competent agency is configured."), "competence"))
    else:
        if index is None:
            from .models import Procedure

            index = CompetenceIndex.load(list(Procedure.objects.filter(pk=procedure_id)))
        found.extend(competence_gaps(procedure_id, index))
    return found
