"""The applicant's rating form (public page): it parses; `rating_submit` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import COMMENT_MAX, Criterion, Level


class RatingForm(forms.Form):
    ma = forms.CharField(label=_("Dossier code"), max_length=60)
    so_dinh_danh = forms.CharField(
        label=_("Applicant's identity number (or tax code)"),
        max_length=20,
        help_text=_("The number given when the dossier was submitted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    muc_do = forms.ChoiceField(
        label=_("How satisfied are you with how your dossier was handled?"),
        choices=Level.choices,
        widget=forms.RadioSelect,
    )
    noi_dung = forms.CharField(
        label=_("Comment (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One optional mark per criterion, on the same scale ("no mark" by default).
        for criterion in Criterion:
            self.fields[f"tc_{criterion.value}"] = forms.ChoiceField(
                label=criterion.label,
                choices=[("", _("No mark")), *Level.choices],
                required=False,
                initial="",
                widget=forms.RadioSelect,
            )

    def criterion_fields(self) -> list:
        return [self[f"tc_{c.value}"] for c in Criterion]

    def marks(self) -> dict[str, str]:
        return {
            c.value: self.cleaned_data[f"tc_{c.value}"]
            for c in Criterion
            if self.cleaned_data.get(f"tc_{c.value}")
        }


class AccountRatingForm(RatingForm):
    """The same form for an applicant logged in with their identity account ("Hồ sơ của
    tôi"): the dossier and the verified number are known, not typed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["ma"]
        del self.fields["so_dinh_danh"]
