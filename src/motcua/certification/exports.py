"""The certification book as an .xlsx (core/spreadsheets.py: formula injection neutralized)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from motcua.core.spreadsheets import xlsx_stream

from .models import CertificationEntry


def book_xlsx(entries: Iterable[CertificationEntry], *, title: str) -> bytes:
    header = [
        _("Certifying agency"),
        _("Book"),
        _("Number"),
        _("Date"),
        _("Status"),
        _("Requester"),
        _("Identification number or code"),
        _("Type of the original"),
        _("Number of the original"),
        _("Issued by"),
        _("Issued on"),
        _("Pages"),
        _("Copies"),
        _("Fee (đồng)"),
        _("Certifier"),
        _("Dossier"),
        _("Reason voided"),
    ]
    rows = (
        [
            e.agency.name,
            e.book,
            e.number,
            e.date,
            e.get_status_display(),
            e.requester_name,
            e.requester_number,
            e.get_original_type_display(),
            e.original_number,
            e.original_issuer,
            e.original_issued_on,
            e.pages,
            e.copies,
            e.fee_vnd,
            e.certifier_name,
            e.dossier.code if e.dossier_id else "",
            e.void_reason,
        ]
        for e in entries
    )
    out = io.BytesIO()
    xlsx_stream(out, title=title, header=header, rows=rows, preamble=[[title]])
    return out.getvalue()
