"""The draft editing page's forms: a procedure version's content document on screen.

The forms only carry text between the page and the document; they validate nothing themselves.
`document_from_forms` turns what was typed into a content document (blank → absent, dd/mm/yyyy →
ISO, "10.000" đồng → 10000) and the service (`version_update` / `version_save`) validates it with
`ProcedureContent`, the one validation every import goes through; `attach_errors` puts its
per-path messages ("fees.2.amount_vnd") back on the right row and field, all at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from .constants import Channel, FeeKind, Level, OnlineLevel, Requirement, ReuseSource, TimeUnit
from .models import FormTemplate

LIST_NAMES = ("times", "fees", "components", "legal_bases")

_DATE_VN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_THOUSANDS = re.compile(r"^\d{1,3}([.\s]\d{3})+$")


def _text(label, *, rows: int = 0, size: int = 0, **kwargs) -> forms.CharField:
    attrs = {"rows": rows, "cols": 80} if rows else ({"size": size} if size else {})
    widget = forms.Textarea(attrs=attrs) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, strip=True, widget=widget, **kwargs)


def _choice(label, choices, *, blank: str | None = None) -> forms.CharField:
    # A CharField with a select: the document's enum checks the value, not the form.
    options = ([("", blank)] if blank is not None else []) + list(choices)
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=options))


def _number(label, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 10}),
        **kwargs,
    )


def _date(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"size": 12, "placeholder": "dd/mm/yyyy"}),
        help_text=_("Day/month/year, e.g. 16/01/2026."),
    )


def _flag(label) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


def _any_channel() -> str:
    return str(_("Any channel"))


class GeneralForm(forms.Form):
    """The version's own fields (its code is the procedure's and is not edited)."""

    name = _text(_("Procedure name"), rows=2)
    field_code = _text(_("Field code"), size=20)
    field_name = _text(
        _("Field name"), size=60, help_text=_("Needed only for a field new to the catalog.")
    )
    level = _choice(_("Level"), Level.choices)
    is_province_specific = _flag(_("Specific to the province"))
    online_level = _choice(_("Online service level"), OnlineLevel.choices)
    channels = forms.MultipleChoiceField(
        label=_("Submission channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    subjects = _text(_("Subjects (đối tượng thực hiện)"), rows=3)
    steps = _text(_("Steps (trình tự thực hiện)"), rows=6)
    conditions = _text(_("Conditions"), rows=4)
    result_name = _text(_("Result (kết quả thực hiện)"), rows=2)
    result_validity = _text(_("Validity of the result"), size=60)
    eform = _text(
        _("E-form (JSON Schema)"),
        rows=8,
        help_text=_("A JSON Schema object whose fields each have a Vietnamese title."),
    )
    is_lien_thong = _flag(_("Inter-agency procedure (liên thông)"))
    lien_thong_agencies = _text(_("Agencies it goes through"), rows=2)
    decision_number = _text(_("Publication decision number"), size=30)
    decision_date = _date(_("Publication decision date"))
    decision_issuer = _text(_("Issued by"), size=60)
    effective_from = _date(_("Effective from"))
    note = _text(_("Internal note (never shown to citizens)"), rows=3)


PUBLIC_DESCRIPTION = _("Description (public)")
INTERNAL_NOTE = _("Internal note (not shown to citizens)")


class TimeForm(forms.Form):
    """Thời hạn giải quyết."""

    channel = _choice(_("Channel"), Channel.choices, blank=_any_channel())
    case = _text(_("Case"), size=60, help_text=_("Empty: every case."))
    amount = _number(_("Time limit (number)"))
    unit = _choice(_("Unit"), TimeUnit.choices)
    cutoff = forms.CharField(
        label=_("Same-day cut-off"),
        required=False,
        widget=forms.TextInput(attrs={"size": 6, "placeholder": "HH:MM"}),
        help_text=_("Received after it: settled the next working day."),
    )
    description = _text(PUBLIC_DESCRIPTION, rows=2)
    note = _text(INTERNAL_NOTE, rows=2)


class FeeForm(forms.Form):
    """Phí, lệ phí."""

    kind = _choice(_("Kind"), FeeKind.choices)
    name = _text(_("Name"), size=60)
    channel = _choice(_("Channel"), Channel.choices, blank=_any_channel())
    amount_vnd = _number(_("Amount (đồng)"), help_text=_("Empty: not known yet."))
    unit = _text(_("Per"), size=30, help_text=_("E.g. “per case”; not “đồng”."))
    basis = _text(_("Legal basis of the amount"), size=60)
    online_amount_vnd = _number(_("Amount when submitted online (đồng)"))
    online_reduction_basis = _text(_("Basis of the online reduction"), size=60)
    exemptions = _text(_("Exemptions"), rows=2)
    description = _text(PUBLIC_DESCRIPTION, rows=2)
    note = _text(INTERNAL_NOTE, rows=2)


class ComponentForm(forms.Form):
    """Thành phần hồ sơ."""

    code = _text(_("Code"), size=20)
    name = _text(_("Name"), rows=2)
    originals = _number(_("Originals"))
    copies = _number(_("Copies"))
    requirement = _choice(_("Requirement"), Requirement.choices)
    condition = _text(_("Condition (when conditional)"), rows=2)
    form_required = _flag(_("The law prescribes a form"))
    form_template = _choice(_("Form template"), [], blank="—")
    reuse = _choice(_("Reused from"), ReuseSource.choices)
    reuse_source_name = _text(_("Name of the source"), size=60)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        templates = list(FormTemplate.objects.order_by("code").values_list("code", "name"))
        current = self.data.get(self.add_prefix("form_template")) if self.is_bound else None
        current = current or self.initial.get("form_template")
        known = {code for code, _name in templates}
        choices = [("", "—"), *((code, f"{code} — {name}") for code, name in templates)]
        if current and current not in known:
            # Keep what the document says, so the gate can name the unknown template.
            choices.append((current, current))
        self.fields["form_template"].widget.choices = choices


class LegalBasisForm(forms.Form):
    """Căn cứ pháp lý."""

    number = _text(_("Number"), size=30)
    title = _text(_("Title"), rows=2)
    issued_on = _date(_("Issued on"))
    issuer = _text(_("Issuer"), size=60)


class RowFormSet(BaseFormSet):
    """Rows of one list; `errors_from_service` collects the list's own errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.service_errors: list[str] = []

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")


FORMS = {
    "times": TimeForm,
    "fees": FeeForm,
    "components": ComponentForm,
    "legal_bases": LegalBasisForm,
}
FORMSETS = {
    name: formset_factory(form, formset=RowFormSet, extra=0, can_delete=True)
    for name, form in FORMS.items()
}
# Fields whose value a new row already has (a select's first option): they do not make a row
# worth keeping.
_PRESET = {"unit", "kind", "requirement", "reuse"}
_DATES = {"decision_date", "effective_from", "issued_on"}
_MONEY = {"amount_vnd", "online_amount_vnd"}


def _show_date(value: Any) -> str:
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _initial_row(item: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for key, value in item.items():
        if key in _DATES:
            row[key] = _show_date(value)
        elif key == "cutoff":
            row[key] = (value or "")[:5]
        elif value is None:
            row[key] = ""
        else:
            row[key] = value
    return row


def initial_from_document(document: dict[str, Any]) -> tuple[dict, dict[str, list[dict]]]:
    """The forms' initial values for a content document."""
    general = _initial_row({k: v for k, v in document.items() if k not in LIST_NAMES})
    eform = document.get("eform")
    general["eform"] = json.dumps(eform, ensure_ascii=False, indent=2) if eform else ""
    rows = {name: [_initial_row(item) for item in document.get(name) or []] for name in LIST_NAMES}
    return general, rows


def build_forms(
    document: dict[str, Any], data=None, *, add: str = ""
) -> tuple[GeneralForm, dict[str, RowFormSet]]:
    """The page's forms: from the document (GET), or bound to what was posted.

    `add` names a list that gets one more blank row (the "add a row" button; without
    JavaScript the page is posted and shown again with the row).
    """
    general_initial, rows = initial_from_document(document)
    if data is not None and add in FORMSETS:
        data = data.copy()
        key = f"{add}-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + 1)
    general = GeneralForm(data, initial=general_initial)
    formsets = {name: FORMSETS[name](data, initial=rows[name], prefix=name) for name in LIST_NAMES}
    return general, formsets


def _value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name in _DATES and (match := _DATE_VN.match(value)):
            day, month, year = match.groups()
            value = f"{year}-{int(month):02d}-{int(day):02d}"
        elif name in _MONEY and _THOUSANDS.match(value):
            value = re.sub(r"[.\s]", "", value)
    return value


def _row(data: dict[str, Any]) -> dict[str, Any]:
    # Blank means absent: the document's default applies, or it says the value is required.
    return {
        name: _value(name, value)
        for name, value in data.items()
        if name != "DELETE" and value not in ("", None)
    }


def _blank(data: dict[str, Any]) -> bool:
    return not any(
        value for name, value in data.items() if name not in _PRESET and name != "DELETE"
    )


def document_from_forms(
    code: str, general: GeneralForm, formsets: dict[str, RowFormSet]
) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The content document the forms hold, and for each list which form each item came from.

    Call after `is_valid()` on every form (they only fail when the page was tampered with).
    Rows marked for removal and new rows left blank are left out.
    """
    document: dict[str, Any] = {"code": code, **_row(general.cleaned_data)}
    if "eform" in document:
        # Not JSON: left as text, and the document says it is the wrong kind of value.
        with contextlib.suppress(ValueError):
            document["eform"] = json.loads(document["eform"])
    document["channels"] = general.cleaned_data.get("channels") or []
    for name in ("is_province_specific", "is_lien_thong"):
        document[name] = bool(general.cleaned_data.get(name))
    origins: dict[str, list[int]] = {}
    for name, formset in formsets.items():
        items, origin = [], []
        for index, form in enumerate(formset.forms):
            data = form.cleaned_data
            if not data or data.get("DELETE") or _blank(data):
                continue
            item = _row(data)
            for flag in ("form_required",):
                if flag in form.fields:
                    item[flag] = bool(data.get(flag))
            items.append(item)
            origin.append(index)
        document[name] = items
        origins[name] = origin
    return document, origins


def attach_errors(
    errors: dict[str, list[str]],
    general: GeneralForm,
    formsets: dict[str, RowFormSet],
    origins: dict[str, list[int]],
) -> None:
    """Put the service's per-path messages on the fields they are about."""
    for path, messages in errors.items():
        head, _sep, rest = path.partition(".")
        if head in formsets:
            formset = formsets[head]
            index, _sep, field = rest.partition(".")
            if not index.isdigit() or int(index) >= len(origins[head]):
                formset.service_errors.extend(messages)
                continue
            form = formset.forms[origins[head][int(index)]]
            target = field.split(".")[0] if field.split(".")[0] in form.fields else None
            for message in messages:
                form.add_error(target, message)
        else:
            target = head if head in general.fields else None
            for message in messages:
                general.add_error(target, message)
