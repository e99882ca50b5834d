"""The forms of the dossier page's "Giấy tờ" section: upload, replace, digitize."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from .constants import DocumentKind, DocumentType, OwnerKind
from .services import Digitization

# What an official adds by hand on the dossier page (results come with the signing step).
UPLOAD_KINDS = [
    (k.value, k.label)
    for k in (DocumentKind.COMPONENT, DocumentKind.SUPPLEMENT, DocumentKind.DRAFT_RESULT)
] + [(DocumentKind.RESULT.value, DocumentKind.RESULT.label)]
UPLOAD_KINDS += [(DocumentKind.OTHER.value, DocumentKind.OTHER.label)]


class _Form(forms.Form):
    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UploadForm(_Form):
    file = forms.FileField(label=gettext_lazy("File"))
    component = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of paper"), choices=UPLOAD_KINDS, initial=DocumentKind.COMPONENT
    )


class ReplaceForm(_Form):
    file = forms.FileField(label=gettext_lazy("New version"))


class DigitizeForm(_Form):
    document_type = forms.ChoiceField(
        label=gettext_lazy("Document type"),
        choices=[("", "—"), *DocumentType.choices],
    )
    number = forms.CharField(label=gettext_lazy("Number"), max_length=100, required=False)
    issued_on = forms.DateField(
        label=gettext_lazy("Issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    issuer = forms.CharField(label=gettext_lazy("Issuing agency"), max_length=255, required=False)
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    owner_kind = forms.ChoiceField(
        label=gettext_lazy("Owner"), choices=OwnerKind.choices, required=False
    )
    owner_number = forms.CharField(
        label=gettext_lazy("Owner's identity number or organization code"),
        max_length=20,
        required=False,
    )

    def digitization(self) -> Digitization:
        data = self.cleaned_data
        return Digitization(
            document_type=data["document_type"],
            number=data.get("number") or "",
            issued_on=data.get("issued_on"),
            issuer=data.get("issuer") or "",
            valid_until=data.get("valid_until"),
            owner_kind=data.get("owner_kind") or None,
            owner_number=data.get("owner_number") or None,
        )
