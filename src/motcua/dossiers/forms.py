"""Forms of the officials' dossier pages: reception at the desk and one form per action.

They only parse and check the shape of the input (required, numbers, dates); every rule is the
service's. Field names are the services' argument names, so an `InvalidInput` from a service
lands next to the field it names (`apply_errors`). Each action form carries the dossier version
the official saw (optimistic locking: the service refuses a stale one).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motcua.accounts.models import User
from motcua.core.workcalendar import TZ

from .constants import ApplicantKind, ReturnMethod
from .services import Applicant, ComponentIn


class _Form(forms.Form):
    """No colon after labels; required fields are marked for everyone (CSS adds the star)."""

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def apply_errors(form: forms.Form, errors: dict[str, list[str]], aliases: dict[str, str]) -> None:
    """Put a service's field errors on the form (`aliases` maps service keys to fields); the
    ones that name no field go above the form."""
    for key, messages in errors.items():
        name = aliases.get(key, key)
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


# Reception at the desk ---------------------------------------------------------------------


class ReceiveForm(_Form):
    """Tiếp nhận hồ sơ trực tiếp: the applicant, the desk, and whether to accept at once."""

    desk = forms.TypedChoiceField(label=gettext_lazy("Receiving desk"), coerce=int)
    applicant_kind = forms.ChoiceField(
        label=gettext_lazy("Applicant type"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.CITIZEN,
    )
    applicant_name = forms.CharField(
        label=gettext_lazy("Full name of the applicant (person or organization)"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_id_number = forms.CharField(
        label=gettext_lazy("Personal identification number or tax code"),
        help_text=gettext_lazy("A citizen's personal identification number has 12 digits."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        help_text=gettext_lazy("The applicant tracks the dossier with it; e.g. 0912345678."),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    applicant_address = forms.CharField(
        label=gettext_lazy("Address"), max_length=500, required=False
    )
    applicant_commune = forms.TypedChoiceField(
        label=gettext_lazy("Commune or ward of the applicant"),
        help_text=gettext_lazy("Decides the competent agency for procedures settled locally."),
        coerce=int,
        empty_value=None,
        required=False,
    )
    sets = forms.IntegerField(
        label=gettext_lazy("Number of sets"), min_value=1, max_value=20, initial=1
    )
    return_method = forms.ChoiceField(
        label=gettext_lazy("How the result is returned"),
        choices=ReturnMethod.choices,
        initial=ReturnMethod.DESK,
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary of the request"),
        max_length=1000,
        required=False,
        widget=_textarea(2),
    )
    accept = forms.BooleanField(
        label=gettext_lazy("The dossier is complete: accept it now and issue the receipt"),
        required=False,
        initial=True,
    )

    # InvalidInput keys of dossier_submit → fields of this form.
    ALIASES = {
        "applicant.kind": "applicant_kind",
        "applicant.name": "applicant_name",
        "applicant.id_number": "applicant_id_number",
        "applicant.phone": "applicant_phone",
    }

    def __init__(
        self,
        *args: Any,
        desks: list,
        communes: list[tuple[str, list[tuple[int, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.desks = {d.pk: d for d in desks}
        self.fields["desk"].choices = [(d.pk, d.name) for d in desks]
        self.fields["applicant_commune"].choices = [("", _("— Choose —")), *communes]

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            kind=data["applicant_kind"],
            name=data["applicant_name"],
            id_number=data["applicant_id_number"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
            address=data["applicant_address"],
            commune_id=data["applicant_commune"],
        )


class ComponentForm(_Form):
    """One component of the dossier as handed in: received or not, and how many papers."""

    # Not ticked by default: a blank row for a paper outside the catalog's list is ticked when
    # the officer fills it in; the catalog's required components come ticked (their initial).
    received = forms.BooleanField(label=gettext_lazy("Handed in"), required=False, initial=False)
    name = forms.CharField(label=gettext_lazy("Component"), max_length=2000, required=False)
    originals = forms.IntegerField(
        label=gettext_lazy("Originals"), min_value=0, max_value=100, initial=0
    )
    copies = forms.IntegerField(label=gettext_lazy("Copies"), min_value=0, max_value=100, initial=0)
    code = forms.CharField(required=False, widget=forms.HiddenInput, max_length=60)
    # The row is one of the catalog's components (offered by the form), not one typed in.
    listed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The paper scanned at the desk (optional), checked by its content (documents.inspection)
    # with the form, so every file's refusal is shown with the other errors and nothing is
    # saved until all pass.
    file = forms.FileField(label=gettext_lazy("Scanned file"), required=False)
    # Instead of a file: a paper of the applicant's data warehouse (R10), offered by the view
    # for the components the catalog marks reusable (its choices are set there).
    reuse = forms.TypedChoiceField(
        label=gettext_lazy("From the data warehouse"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        named = data.get("name", "").strip()
        handed_in = data.get("received") and named
        if named and not data.get("received") and not data.get("listed"):
            # A paper the officer typed in (not one of the catalog's): never dropped unseen.
            self.add_error(
                "received", _("Tick “Handed in” for a paper you add, or clear its name.")
            )
        reused = data.get("reuse") is not None
        if reused and not handed_in:
            self.add_error("reuse", _("Tick “Handed in” for the component of this paper."))
        if reused and data.get("file") is not None:
            self.add_error("reuse", _("Attach a file or reuse a paper, not both."))
        if handed_in and not reused and not (data.get("originals") or data.get("copies")):
            self.add_error("originals", _("Enter how many originals or copies were handed in."))
        self.checked = None
        upload = data.get("file")
        if upload is not None:
            if not handed_in:
                self.add_error("file", _("Tick “Handed in” for the component of this file."))
            else:
                self.checked = self._inspect(upload)
        return data

    def _inspect(self, upload):
        from motcua.core.errors import InvalidInput
        from motcua.documents.inspection import inspect
        from motcua.documents.services import read_content

        try:
            return inspect(read_content(upload), name=upload.name or "")
        except InvalidInput as exc:
            for message in [m for msgs in exc.errors.values() for m in msgs] or [exc.message]:
                self.add_error("file", message)
            return None

    def component(self) -> ComponentIn | None:
        data = self.cleaned_data
        if not data.get("received") or not data.get("name", "").strip():
            return None
        checked = getattr(self, "checked", None)
        return ComponentIn(
            name=data["name"].strip(),
            code=data.get("code", ""),
            originals=data.get("originals") or 0,
            copies=data.get("copies") or 0,
            file_name=checked.name if checked else "",
            file_size=checked.size if checked else 0,
            file_sha256=checked.sha256 if checked else "",
            file_type=checked.content_type if checked else "",
            upload=checked,
            reuse_document_id=data.get("reuse") if checked is None else None,
        )


ComponentFormSet = forms.formset_factory(
    ComponentForm, extra=2, max_num=60, validate_max=True, absolute_max=60
)


def components_of(formset) -> list[ComponentIn]:
    return [c for c in (form.component() for form in formset.forms) if c is not None]


# Actions on a dossier ----------------------------------------------------------------------


class VersionForm(_Form):
    """An action with nothing to fill in: the version seen is enough."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RefuseForm(VersionForm):
    reasons = forms.CharField(
        label=gettext_lazy("Reasons for refusing"),
        help_text=gettext_lazy("One reason per line; the refusal notice lists them."),
        widget=_textarea(3),
    )

    def clean_reasons(self) -> list[str]:
        return _lines(self.cleaned_data["reasons"])


class SupplementRequestForm(VersionForm):
    items = forms.CharField(
        label=gettext_lazy("What the applicant must add or correct"),
        help_text=gettext_lazy("One paper or correction per line."),
        widget=_textarea(3),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=_textarea(2))

    def clean_items(self) -> list[str]:
        return _lines(self.cleaned_data["items"])


class SupplementReceivedForm(VersionForm):
    components = forms.CharField(
        label=gettext_lazy("Papers received"),
        help_text=gettext_lazy("One per line; each is recorded as one original."),
        widget=_textarea(3),
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=_textarea(2), required=False)

    def clean_components(self) -> list[ComponentIn]:
        return [ComponentIn(name=n, originals=1) for n in _lines(self.cleaned_data["components"])]


class _OfficialChoice(forms.TypedChoiceField):
    """An official among the eligible ones, by id."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


def _official_choices(officials, blank: str | None, load=None) -> list[tuple[Any, str]]:
    """Officials by name (and position); with `load`, the open dossiers each holds now."""
    choices: list[tuple[Any, str]] = [("", blank)] if blank is not None else []
    for official in officials:
        label = official.full_name or official.username
        if official.position:
            label = f"{label} — {official.position}"
        if load is not None:
            n = load.get(official.pk, 0)
            label += " · " + ngettext(
                "holds %(n)s open dossier", "holds %(n)s open dossiers", n
            ) % {"n": n}
        choices.append((official.pk, label))
    return choices


class ActForm(VersionForm):
    """Complete the current step with one action (one form per action the step allows)."""

    action = forms.CharField(widget=forms.HiddenInput, max_length=20)
    note = forms.CharField(label=gettext_lazy("Note"), widget=_textarea(2), required=False)
    next_assignee = _OfficialChoice(
        label=gettext_lazy("Official for the next step"),
        help_text=gettext_lazy("Optional: leave empty for the unit to assign it."),
        required=False,
    )

    def __init__(self, *args: Any, candidates=(), load=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {u.pk: u for u in candidates}
        if candidates:
            self.fields["next_assignee"].choices = _official_choices(
                candidates, _("— Anyone —"), load
            )
        else:
            del self.fields["next_assignee"]

    def next_user(self) -> User | None:
        pk = self.cleaned_data.get("next_assignee")
        return self.candidates.get(pk) if pk else None


class AssignForm(VersionForm):
    assignee = _OfficialChoice(label=gettext_lazy("Official"))
    note = forms.CharField(label=gettext_lazy("Note"), widget=_textarea(2), required=False)

    def __init__(self, *args: Any, candidates=(), load=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["assignee"].choices = _official_choices(candidates, _("— Choose —"), load)

    def assignee_user(self) -> User:
        return self.candidates[self.cleaned_data["assignee"]]


class ConsultAnswerForm(_Form):
    consultation = forms.IntegerField(widget=forms.HiddenInput)
    opinion = forms.CharField(label=gettext_lazy("Opinion"), widget=_textarea(3))
    agrees = forms.TypedChoiceField(
        label=gettext_lazy("Conclusion"),
        choices=[
            ("yes", gettext_lazy("Agree")),
            ("no", gettext_lazy("Do not agree")),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )


class PaymentRequestForm(VersionForm):
    """A financial obligation set by another authority's notice (tax, land levy); the
    procedure's fees are asked from the payments page, computed from the catalog."""

    authority = forms.CharField(
        label=gettext_lazy("Authority that issued the notice"),
        max_length=255,
        help_text=gettext_lazy("For example: Thuế cơ sở 3 tỉnh …"),
    )
    notice_number = forms.CharField(label=gettext_lazy("Notice number"), max_length=60)
    amount_vnd = forms.IntegerField(
        label=gettext_lazy("Amount on the notice (đồng)"),
        min_value=1,
        max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("What the obligation is"), widget=_textarea(2), required=False
    )


class ResultDraftForm(forms.Form):
    """Lập dự thảo kết quả từ mẫu (services/results.py `result_draft_generate`)."""

    title = forms.CharField(
        label=gettext_lazy("Title (empty: the result's name in the catalog)"),
        max_length=255,
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Text of the result"),
        max_length=20_000,
        widget=_textarea(8),
        help_text=gettext_lazy(
            "What the agency decides or certifies, one paragraph per line; the header, the "
            "dossier it settles and the signature block are added."
        ),
    )


class ReturnForm(VersionForm):
    method = forms.ChoiceField(
        label=gettext_lazy("How the result is returned"), choices=ReturnMethod.choices
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=_textarea(2), required=False)


class ReasonForm(VersionForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=_textarea(3))


class StopForm(ReasonForm):
    requested_by = forms.ChoiceField(
        label=gettext_lazy("Who asked to stop"),
        choices=[
            ("agency", gettext_lazy("The competent agency")),
            ("applicant", gettext_lazy("The applicant")),
        ],
        initial="agency",
        widget=forms.RadioSelect,
    )


class ApologyForm(ReasonForm):
    new_due_at = forms.DateTimeField(
        label=gettext_lazy("New appointment"),
        help_text=gettext_lazy("Date and time in Vietnam, e.g. 15/12/2026 16:00."),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_new_due_at(self) -> dt.datetime:
        value = self.cleaned_data["new_due_at"]
        # Typed in Vietnam's time, whatever the server's zone.
        return value.replace(tzinfo=None).replace(tzinfo=TZ) if value.tzinfo else value
