"""The printed forms of a dossier, built from its record and history (printing.contexts).

Receipt, supplement request, refusal, apology/extension letter, stop notice and the processing
control sheet are generated from the dossier and its events; the tracking book from the
dossiers a desk received in a period. Each carries a QR code to the public tracking page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import Conflict, NotFound
from motcua.organizations.models import Agency, AgencyKind
from motcua.printing.forms import form_pdf

from .constants import EventKind
from .ledger import ledger_rows
from .models import Dossier, DossierEvent, ExtensionLetter
from .process import processing_time_text


def tracking_url(dossier: Dossier) -> str:
    path = reverse("tracking")
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}?{urlencode({'ma': dossier.code})}"


def _top(agency: Agency) -> Agency:
    ids = agency.path_ids()
    root = Agency.objects.filter(pk=ids[0]).first() if ids else None
    return root or agency


def _place(agency: Agency) -> str:
    """The place name before the date: "Đồng Tháp, ngày …"."""
    return agency.province.name.replace("Tỉnh ", "").replace("Thành phố ", "")


def _header(dossier: Dossier, issuer: Agency | None = None) -> dict[str, Any]:
    issuer = issuer or dossier.receiving_agency
    unit = issuer
    if issuer.kind == AgencyKind.DESK and issuer.parent_id:
        unit = issuer.parent
    parent = unit.parent if unit.parent_id else _top(unit)
    return {
        "agency_name": parent.name.upper(),
        "unit_name": unit.name.upper(),
        "place": _place(issuer),
        "issued_at": timezone.now(),
    }


def _common(dossier: Dossier, issuer: Agency | None = None) -> dict[str, Any]:
    return {
        **_header(dossier, issuer),
        "dossier_code": dossier.code,
        "tracking_url": tracking_url(dossier),
        "applicant": {
            "name": dossier.applicant_name,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "identity_number": dossier.applicant_id_number,
        },
        "procedure_name": dossier.procedure_version.name,
        "received_at": dossier.received_at or dossier.submitted_at,
        "due_at": dossier.due_at,
    }


def _event(dossier: Dossier, kind: str) -> DossierEvent:
    event = dossier.events.filter(kind=kind).select_related("actor").order_by("-seq").first()
    if event is None:
        raise Conflict(_("This form does not apply to the dossier yet."), code="no_form")
    return event


def _person(user) -> dict[str, str]:
    if user is None:
        return {"name": ""}
    return {"name": user.full_name or user.username, "title": user.position}


def receipt_context(dossier: Dossier) -> dict[str, Any]:
    if dossier.received_at is None:
        raise Conflict(_("The dossier has not been accepted."), code="no_form")
    accept = _event(dossier, EventKind.ACCEPT)
    return {
        **_common(dossier),
        "components": [
            {"name": c.name, "originals": c.originals, "copies": c.copies}
            for c in dossier.components.all()
        ],
        "sets": dossier.sets,
        "processing_time_text": processing_time_text(dossier.procedure_version, dossier.channel),
        "return_place": f"{dossier.return_agency.name}"
        + (f", {dossier.return_agency.address}" if dossier.return_agency.address else ""),
        "ledger_book": dossier.ledger_book,
        "ledger_number": dossier.ledger_number or "",
        "received_by": _person(accept.actor)["name"],
        "signer": _person(accept.actor),
    }


def supplement_context(dossier: Dossier) -> dict[str, Any]:
    event = _event(dossier, EventKind.SUPPLEMENT_REQUEST)
    return {
        **_common(dossier),
        "items": event.data.get("items", []),
        "reason": event.data.get("reason", event.note),
        "contact": {
            "name": _person(event.actor)["name"],
            "phone": dossier.receiving_agency.phone,
        },
        "signer": _person(event.actor),
    }


def refusal_context(dossier: Dossier) -> dict[str, Any]:
    event = _event(dossier, EventKind.REFUSE)
    return {
        **_common(dossier),
        "reasons": event.data.get("reasons", [event.note]),
        "signer": _person(event.actor),
    }


def apology_context(dossier: Dossier, letter: ExtensionLetter | None = None) -> dict[str, Any]:
    letter = letter or dossier.letters.select_related("agency_at_fault", "signed_by").last()
    if letter is None:
        raise Conflict(_("No apology letter was issued for this dossier."), code="no_form")
    return {
        **_common(dossier, letter.agency_at_fault),
        "agency_name": _top(letter.agency_at_fault).name.upper(),
        "unit_name": letter.agency_at_fault.name.upper(),
        "issued_at": letter.issued_at,
        "original_due_at": letter.original_due_at,
        "new_due_at": letter.new_due_at,
        "reason": letter.reason,
        "agency_at_fault": letter.agency_at_fault.name,
        "sequence": letter.sequence,
        "signer": _person(letter.signed_by),
    }


def stop_context(dossier: Dossier) -> dict[str, Any]:
    event = _event(dossier, EventKind.STOP)
    return {
        **_common(dossier, dossier.competent_agency),
        "reason": event.data.get("reason", event.note),
        "requested_by": event.data.get("requested_by", "agency"),
        "decided_by": event.data.get("decided_by", ""),
        "signer": _person(event.actor),
    }


def control_sheet_context(dossier: Dossier) -> dict[str, Any]:
    """Phiếu kiểm soát: one row per hand-over between units, from the history."""
    rows = []
    cooperating: list[str] = []
    events = dossier.events.select_related("actor", "from_agency", "to_agency", "to_user")
    previous_actor = None
    for event in events.order_by("seq"):
        moved = (
            event.from_agency_id
            and event.to_agency_id
            and (event.from_agency_id != event.to_agency_id or event.kind == EventKind.ACCEPT)
        )
        if event.kind == EventKind.RETURN_RESULT:
            rows.append(
                {
                    "from_unit": event.from_agency.name if event.from_agency_id else "",
                    "from_person": _person(event.actor)["name"],
                    "to_unit": dossier.applicant_name,
                    "at": event.at,
                    "outcome": event.timeliness or None,
                    "note": "Trả kết quả cho tổ chức, cá nhân",
                }
            )
        elif moved:
            rows.append(
                {
                    "from_unit": event.from_agency.name,
                    "from_person": _person(event.actor or previous_actor)["name"],
                    "to_unit": event.to_agency.name,
                    "to_person": _person(event.to_user)["name"] if event.to_user_id else "",
                    "at": event.at,
                    "outcome": event.timeliness or None,
                    "note": event.note[:200],
                }
            )
            name = event.to_agency.name
            outside = not event.to_agency.is_within(dossier.competent_agency)
            if outside and name not in cooperating:
                cooperating.append(name)
        previous_actor = event.actor or previous_actor
    return {
        **_common(dossier),
        "competent_agency": dossier.competent_agency.name,
        "cooperating_agencies": [c for c in cooperating if c != dossier.receiving_agency.name],
        "rows": rows,
    }


BUILDERS = {
    "receipt": receipt_context,
    "supplement": supplement_context,
    "refusal": refusal_context,
    "apology": apology_context,
    "stop": stop_context,
    "control_sheet": control_sheet_context,
}


def dossier_form_pdf(dossier: Dossier, key: str) -> bytes:
    builder = BUILDERS.get(key)
    if builder is None:
        raise NotFound(_("There is no such form."))
    return form_pdf(key, builder(dossier))


def ledger_header(agency: Agency, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The ledger's heading for one desk and period (everything but the rows)."""
    unit = agency.parent if agency.kind == AgencyKind.DESK and agency.parent_id else agency
    return {
        "agency_name": (unit.parent.name if unit.parent_id else unit.name).upper(),
        "unit_name": unit.name.upper(),
        "place": _place(agency),
        "issued_at": timezone.now(),
        "title_period": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
    }


def ledger_context(
    agency: Agency, dossiers: QuerySet[Dossier], *, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """Sổ theo dõi hồ sơ of one desk for a period, from the dossiers and their history."""
    return {**ledger_header(agency, start=start, end=end), "rows": list(ledger_rows(dossiers))}


def ledger_pdf_for(
    agency: Agency, dossiers: QuerySet[Dossier], *, start: dt.date, end: dt.date
) -> bytes:
    return form_pdf("ledger", ledger_context(agency, dossiers, start=start, end=end))
