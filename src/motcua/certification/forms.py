"""The form of the "Chứng thực bản sao điện tử" page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from motcua.documents.constants import DocumentType, OwnerKind

from .constants import MAX_COPIES
from .services import Original, Requester

# The service's error keys, by the form field they belong to.
SERVICE_FIELDS = {"scan": "scan", "dossier": "__all__", "agency": "agency"}


class CertifyForm(forms.Form):
    required_css_class = "required"

    agency = forms.ModelChoiceField(label=gettext_lazy("Certifying agency"), queryset=None)
    scan = forms.FileField(
        label=gettext_lazy("Scan of the original"),
        help_text=gettext_lazy("PDF, JPEG or PNG, scanned from the original you have checked."),
    )
    requester_kind = forms.ChoiceField(
        label=gettext_lazy("Requester is"), choices=OwnerKind.choices, initial=OwnerKind.PERSON
    )
    requester_name = forms.CharField(label=gettext_lazy("Requester's full name"), max_length=255)
    requester_number = forms.CharField(
        label=gettext_lazy("Personal identification number or organization code"),
        max_length=20,
    )
    document_type = forms.ChoiceField(
        label=gettext_lazy("Type of the original"), choices=DocumentType.choices
    )
    original_number = forms.CharField(
        label=gettext_lazy("Number of the original"), max_length=100, required=False
    )
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=255, required=False)
    issued_on = forms.DateField(
        label=gettext_lazy("Issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    copies = forms.IntegerField(
        label=gettext_lazy("Copies"), min_value=1, max_value=MAX_COPIES, initial=1
    )

    def __init__(self, *args: Any, agencies=None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies is not None and len(agencies) == 1:
            self.fields["agency"].initial = agencies.first().pk

    def requester(self) -> Requester:
        data = self.cleaned_data
        return Requester(
            name=data["requester_name"],
            number=data["requester_number"],
            kind=data["requester_kind"],
        )

    def original(self) -> Original:
        data = self.cleaned_data
        return Original(
            document_type=data["document_type"],
            number=data["original_number"],
            issuer=data["issuer"],
            issued_on=data["issued_on"],
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = SERVICE_FIELDS.get(key, key)
            name = name if name in self.fields else None
            for message in messages:
                self.add_error(name, message)
