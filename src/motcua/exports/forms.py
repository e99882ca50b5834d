"""The tracking book's export form: it parses; the service decides (permission, period)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import ExportFormat


class LedgerExportForm(forms.Form):
    """Sổ theo dõi hồ sơ: the desk, the first and last day, PDF or .xlsx."""

    required_css_class = "required"
    ALIASES = {"agency": "desk"}

    desk = forms.TypedChoiceField(label=_("Desk or agency"), coerce=int)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, desks: list, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["desk"].choices = [(d.pk, d.name) for d in desks]
