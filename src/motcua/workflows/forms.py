"""Forms of the workflow configuration pages: they parse, the services decide.

The step editor is a plain Django formset, one fieldset per step, so it works without
JavaScript: transitions are four fixed (action → next step) pairs, units and roles are selects.
The forms only turn the posted fields into a `WorkflowSpec` document; every rule (keys, limits,
named units in the province…) is the service's, whose `InvalidInput` errors ("steps.2.limit_amount")
are put back next to the field they name (`apply_service_errors`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.accounts.models import Role
from motcua.catalog.models import Procedure
from motcua.organizations.models import Agency

from .constants import LimitUnit, StepAction, StepKind, UnitRefKind
from .models import ProcessDefinition

TRANSITION_SLOTS = 4
COMPETENT = UnitRefKind.COMPETENT_AGENCY.value
DESK = UnitRefKind.RECEIVING_DESK.value
END = ""  # the "next step" choice that ends processing


def agency_choices(province_id: int) -> list[tuple[str, str]]:
    """The province's active agencies as `agency:<id>` choices, indented by depth."""
    agencies = Agency.objects.filter(province_id=province_id, is_active=True).order_by("path")
    return [
        (f"agency:{a.pk}", "— " * a.depth + a.name) for a in agencies.only("pk", "name", "depth")
    ]


def role_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Role.objects.order_by("pk")]


def unit_value(unit: dict[str, Any]) -> str:
    """A document's unit reference as the value of the unit select."""
    ref = unit.get("ref") or COMPETENT
    if ref != UnitRefKind.AGENCY:
        return ref
    if unit.get("agency_id") is not None:
        return f"agency:{unit['agency_id']}"
    return f"code:{unit.get('agency_code', '')}"


def unit_from_value(value: str, known: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The unit select's value back as a document unit reference."""
    if value in (COMPETENT, DESK):
        return {"ref": value}
    if value in known:  # a named unit the document already had (kept with its code and name)
        return dict(known[value])
    if value.startswith("agency:") and value[7:].isdigit():
        return {"ref": UnitRefKind.AGENCY.value, "agency_id": int(value[7:])}
    if value.startswith("code:"):
        return {"ref": UnitRefKind.AGENCY.value, "agency_code": value[5:]}
    return {"ref": COMPETENT}


class StepForm(forms.Form):
    """One step (bước xử lý) of the editor."""

    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=40,
        help_text=gettext_lazy(
            "Short code: lower-case letters without diacritics, digits, _ or -."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Step name"), max_length=255)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=StepKind.choices, initial=StepKind.PROCESS
    )
    unit = forms.ChoiceField(label=gettext_lazy("Responsible unit"))
    role = forms.ChoiceField(label=gettext_lazy("Role of the official"))
    system = forms.ChoiceField(
        label=gettext_lazy("External system"),
        required=False,
        help_text=gettext_lazy("Only for a hand-over to a ministry's or the coordination system."),
    )
    limit_amount = forms.IntegerField(label=gettext_lazy("Time limit"), min_value=0)
    limit_unit = forms.ChoiceField(
        label=gettext_lazy("Unit of time"),
        choices=LimitUnit.choices,
        initial=LimitUnit.WORKING_HOURS,
    )
    consult_units = forms.MultipleChoiceField(
        label=gettext_lazy("Units consulted in parallel"),
        required=False,
        help_text=gettext_lazy("Only for a consultation step. Hold Ctrl (or ⌘) to choose several."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, unit_choices=(), role_choices=(), next_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            (COMPETENT, _("The competent agency")),
            (DESK, _("The desk that received the dossier")),
            (_("A named agency or unit"), list(unit_choices)),
        ]
        self.fields["unit"].initial = COMPETENT
        self.fields["role"].choices = list(role_choices)
        self.fields["role"].initial = "specialist"
        self.fields["system"].choices = [("", "—")] + [
            (name, config["label"]) for name, config in settings.EXTERNAL_SYSTEMS.items()
        ]
        self.fields["consult_units"].choices = list(unit_choices)
        self.fields["consult_units"].widget.attrs["size"] = 6
        for i in range(1, TRANSITION_SLOTS + 1):
            self.fields[f"t{i}_action"] = forms.ChoiceField(
                label=_("Action %(n)d") % {"n": i},
                choices=[("", "—"), *StepAction.choices],
                required=False,
            )
            self.fields[f"t{i}_next"] = forms.ChoiceField(
                label=_("Then %(n)d") % {"n": i},
                choices=[(END, _("End of processing")), *next_choices],
                required=False,
            )

    def transition_fields(self):
        return [(self[f"t{i}_action"], self[f"t{i}_next"]) for i in range(1, TRANSITION_SLOTS + 1)]

    def main_fields(self):
        return [self[name] for name in ("key", "name", "kind", "unit", "role", "system")]

    @staticmethod
    def initial_for(step: dict[str, Any]) -> dict[str, Any]:
        initial = {
            "key": step.get("key", ""),
            "name": step.get("name", ""),
            "kind": step.get("kind", StepKind.PROCESS),
            "unit": unit_value(step.get("unit") or {}),
            "role": step.get("role", ""),
            "system": step.get("system", ""),
            "limit_amount": step.get("limit_amount", 0),
            "limit_unit": step.get("limit_unit", LimitUnit.WORKING_HOURS),
            "consult_units": [unit_value(u) for u in step.get("consult_units") or []],
            "note": step.get("note", ""),
        }
        for i, t in enumerate((step.get("transitions") or [])[:TRANSITION_SLOTS], start=1):
            initial[f"t{i}_action"] = t.get("action", "")
            initial[f"t{i}_next"] = t.get("next") or END
        return initial

    def step_document(self, known_units: dict[str, dict[str, Any]]) -> dict[str, Any]:
        data = self.cleaned_data
        transitions = []
        for i in range(1, TRANSITION_SLOTS + 1):
            action = data.get(f"t{i}_action")
            if action:
                transitions.append({"action": action, "next": data.get(f"t{i}_next") or None})
        return {
            "key": data["key"],
            "name": data["name"],
            "kind": data["kind"],
            "unit": unit_from_value(data["unit"], known_units),
            "role": data["role"],
            "system": data.get("system") or "",
            "limit_amount": data["limit_amount"],
            "limit_unit": data["limit_unit"],
            "transitions": transitions,
            "consult_units": [unit_from_value(v, known_units) for v in data["consult_units"]],
            "note": data.get("note", ""),
        }


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit_choices=(), role_choices=(), next_choices=(), **kwargs):
        self.unit_choices = unit_choices
        self.role_choices = role_choices
        self.next_choices = next_choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            "unit_choices": self.unit_choices,
            "role_choices": self.role_choices,
            "next_choices": self.next_choices,
        }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Position")
            form.fields["ORDER"].help_text = _("The first step is where processing starts.")
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Delete this step")

    def documents(self, known_units) -> list[tuple[int, dict[str, Any]]]:
        """(form index, step document) in the chosen order; deleted and untouched blank steps
        are left out."""
        indexed = {id(f): i for i, f in enumerate(self.forms)}
        return [(indexed[id(f)], f.step_document(known_units)) for f in self.ordered_forms]


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=0, can_order=True, can_delete=True
)


def next_choices_for(document: dict[str, Any], data=None, prefix: str = "steps"):
    """The steps a transition may lead to: the saved ones plus any key typed in this post."""
    seen: dict[str, str] = {}
    for step in document.get("steps") or []:
        if isinstance(step, dict) and step.get("key"):
            seen[step["key"]] = f"{step.get('name') or step['key']} ({step['key']})"
    if data is not None:
        pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)-key$")
        for name, value in sorted(data.items()):
            match = pattern.match(name)
            value = (value or "").strip()
            if match and value and value not in seen:
                label = data.get(f"{prefix}-{match.group(1)}-name", "") or value
                seen[value] = f"{label} ({value})"
    return list(seen.items())


def known_units_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Named units already in the document, by select value, kept as they are."""
    known: dict[str, dict[str, Any]] = {}
    for step in document.get("steps") or []:
        if not isinstance(step, dict):
            continue
        for unit in [step.get("unit") or {}, *(step.get("consult_units") or [])]:
            if isinstance(unit, dict) and unit.get("ref") == UnitRefKind.AGENCY:
                known[unit_value(unit)] = unit
    return known


def extra_unit_choices(document: dict[str, Any], choices: list[tuple[str, str]]):
    """Named units of the document missing from the province's list (imported by code only,
    or since deactivated), so the select can still show what is saved."""
    present = {value for value, _label in choices}
    extra = []
    for value, unit in known_units_of(document).items():
        if value not in present:
            label = unit.get("agency_name") or unit.get("agency_code") or value
            extra.append((value, f"{label} ⚠"))
    return extra


_STEP_ERROR = re.compile(r"^steps\.(\d+)(?:\.([a-z_]+))?(?:\.(\d+))?(?:\.([a-z_]+))?$")


def apply_service_errors(
    formset, errors: dict[str, list[str]], index_map: dict[int, int]
) -> list[str]:
    """Put an InvalidInput's errors next to the fields they name; return the ones that name no
    field (shown above the steps). `index_map` maps a step's position in the document to its
    form's index."""
    general: list[str] = []
    for key, messages in errors.items():
        match = _STEP_ERROR.match(key)
        form = None
        field = None
        if match and int(match.group(1)) in index_map:
            form = formset.forms[index_map[int(match.group(1))]]
            name, slot, sub = match.group(2), match.group(3), match.group(4)
            if name == "transitions" and slot is not None and int(slot) < TRANSITION_SLOTS:
                field = f"t{int(slot) + 1}_{'next' if sub == 'next' else 'action'}"
            elif name in ("unit", "consult_units") or name in form.fields:
                field = name
        for message in messages:
            if form is None:
                general.append(message if key in ("steps", "__all__") else f"{key}: {message}")
            elif field is None:
                form.add_error(None, message)
            else:
                form.add_error(field, message)
    return general


class DefinitionMetaForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RawJsonForm(forms.Form):
    document = forms.CharField(
        label=gettext_lazy("Steps as JSON"),
        widget=forms.Textarea(attrs={"rows": 18, "cols": 80, "spellcheck": "false"}),
        help_text=gettext_lazy(
            'The whole document: {"steps": [...]}. Saved through the same checks as the form.'
        ),
    )

    def clean_document(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cleaned_data["document"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON (line %(line)d, column %(col)d).")
                % {"line": exc.lineno, "col": exc.colno}
            ) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError(_('Expected an object such as {"steps": [...]}.'))
        return data


# Creating and importing ----------------------------------------------------------------------

START_EMPTY = "template"


def competent_agency_choices(agencies) -> list[tuple[str, str]]:
    return [(str(a.pk), "— " * a.depth + a.name) for a in agencies]


class ScopeFields(forms.Form):
    """Procedure and scope (province-wide or one competent agency), shared by create and import."""

    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Procedure"),
        queryset=Procedure.objects.none(),
        help_text=gettext_lazy("Published procedures of the catalog."),
    )
    province = forms.TypedChoiceField(label=gettext_lazy("Province"), coerce=int)
    agency = forms.ChoiceField(
        label=gettext_lazy("Applies to"),
        required=False,
        help_text=gettext_lazy(
            "Province-wide: every competent agency without its own workflow uses it."
        ),
    )

    def __init__(self, *args, provinces, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.filter(is_published=True).order_by(
            "code"
        )
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} — {p.name}"
        self.fields["province"].choices = [(p.pk, p.name) for p in provinces]
        if len(provinces) == 1:
            self.fields["province"].initial = provinces[0].pk
            self.fields["province"].widget = forms.HiddenInput()
        self._agencies = {str(a.pk): a for a in agencies}
        self.fields["agency"].choices = [
            ("", _("Province-wide (default for every competent agency)")),
            (_("Only for one competent agency"), competent_agency_choices(agencies)),
        ]

    def clean(self):
        data = super().clean()
        agency = self._agencies.get(data.get("agency") or "")
        if agency is not None and data.get("province") and agency.province_id != data["province"]:
            self.add_error("agency", _("The agency belongs to another province."))
        data["agency"] = agency
        return data


class DefinitionCreateForm(ScopeFields):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Leave empty to use the procedure's name."),
    )
    start = forms.ChoiceField(label=gettext_lazy("Start from"))
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._sources = {str(d.pk): d for d in sources}
        self.fields["start"].choices = [
            (START_EMPTY, _("The usual five steps: receive → process → approve → sign → return")),
            (
                _("A copy of an existing workflow"),
                [
                    (
                        str(d.pk),
                        f"{d.procedure.code} · {d.name} v{d.number} ({d.get_status_display()})",
                    )
                    for d in sources
                ],
            ),
        ]

    def clean_start(self):
        value = self.cleaned_data["start"]
        return None if value == START_EMPTY else self._sources.get(value)


class DefinitionImportForm(ScopeFields):
    file = forms.FileField(
        label=gettext_lazy("Exported workflow (.json)"),
        help_text=gettext_lazy("A file made by “Export JSON” here or in another province."),
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            data = json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise forms.ValidationError(_("The file is not valid JSON.")) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError(_("This is not a workflow export."))
        return data


def empty_template() -> dict[str, Any]:
    """Receive → process → approve → sign → return, the shape most procedures follow."""

    def step(key, name, kind, unit, role, amount, limit_unit, transitions):
        return {
            "key": key,
            "name": name,
            "kind": kind,
            "unit": {"ref": unit},
            "role": role,
            "limit_amount": amount,
            "limit_unit": limit_unit,
            "transitions": [{"action": a, "next": n} for a, n in transitions],
            "consult_units": [],
            "note": "",
        }

    hours, days = LimitUnit.WORKING_HOURS.value, LimitUnit.WORKING_DAYS.value
    return {
        "steps": [
            step(
                "tiep-nhan",
                _("Receive the dossier"),
                "receive",
                DESK,
                "receiving_officer",
                4,
                hours,
                [("forward", "xu-ly")],
            ),
            step(
                "xu-ly",
                _("Examine the dossier and draft the result"),
                "process",
                COMPETENT,
                "specialist",
                2,
                days,
                [("forward", "duyet"), ("refuse", "duyet")],
            ),
            step(
                "duyet",
                _("Unit leader approves"),
                "approve",
                COMPETENT,
                "unit_leader",
                1,
                days,
                [("approve", "ky"), ("return", "xu-ly")],
            ),
            step(
                "ky",
                _("Agency leader signs"),
                "sign",
                COMPETENT,
                "agency_leader",
                1,
                days,
                [("approve", "tra-ket-qua"), ("return", "duyet")],
            ),
            step(
                "tra-ket-qua",
                _("Return the result"),
                "return",
                DESK,
                "receiving_officer",
                4,
                hours,
                [("forward", None)],
            ),
        ]
    }


def definition_json(definition: ProcessDefinition) -> str:
    return json.dumps(definition.document, ensure_ascii=False, indent=2)
