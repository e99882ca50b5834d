"""What the applicant is told when their dossier changes status, as outbox events.

`notification_items` is called by dossiers.services.events.write_events, the one place every
transition ends, inside its transaction: for each history row that changes the status to one
the applicant must hear about, one event for destination "sms" (when the dossier has a phone)
and one for "email" (when it has an e-mail), the text rendered now from the Vietnamese templates
(templates/notifications/<status>.txt: the first line is the e-mail's subject, the second the
SMS, the rest the e-mail's body), so delivery later sends exactly what was true at the change.
Test (sandbox) dossiers never notify (write_events returns before). The outbox key
"sms:dossier:<code>:<seq>" is the gateways' request id: a repeated delivery is sent once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from motcua.core.workcalendar import TZ
from motcua.dossiers.constants import Status
from motcua.outbox.services import OutboxItem

SMS, EMAIL = "sms", "email"

# The statuses the applicant is told about (the others are internal steps of processing).
NOTIFIED = {
    Status.SUBMITTED,  # an online dossier arrived (registered at a desk: the receipt is in hand)
    Status.ACCEPTED,
    Status.SUPPLEMENT,
    Status.REFUSED,
    Status.AWAITING_PAYMENT,
    Status.STOPPED,
    Status.DONE,
    Status.RETURNED,
}


def tracking_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/tra-cuu-ho-so/?{urlencode({'ma': code})}"


def render(d: Any, row: Any) -> tuple[str, str, str]:
    """(subject, sms, e-mail body) for the history row `row` of dossier `d`."""
    data = row.data or {}
    context = {
        "code": d.code,
        "name": d.applicant_name,
        "procedure": d.procedure.name,
        "link": tracking_url(d.code),
        "due": f"{d.due_at.astimezone(TZ):%H:%M} ngày {d.due_at.astimezone(TZ):%d/%m/%Y}"
        if d.due_at
        else "",
        "items": data.get("items") or [],
        "reasons": data.get("reasons") or ([row.note] if row.note else []),
        "note": row.note,
        "agency": (d.return_agency or d.receiving_agency).name,
    }
    with translation.override("vi"):
        text = render_to_string(f"notifications/{row.to_status}.txt", context)
    lines = text.strip().splitlines()
    subject, sms = lines[0].strip(), lines[1].strip()
    body = "\n".join(lines[2:]).strip()
    # Never cut: a cut message loses the tracking link; gateways join the parts.
    return subject, sms, body


def notification_items(d: Any, rows: Iterable[Any]) -> list[OutboxItem]:
    if not settings.NOTIFY_APPLICANTS or not (d.applicant_phone or d.applicant_email):
        return []
    items: list[OutboxItem] = []
    for row in rows:
        if row.from_status == row.to_status or row.to_status not in NOTIFIED:
            continue
        if row.to_status == Status.SUBMITTED and d.channel != "online":
            continue
        subject, sms, body = render(d, row)
        common = {"aggregate_type": "dossier", "aggregate_id": d.code, "aggregate_seq": row.seq}
        if d.applicant_phone:
            items.append(
                OutboxItem(
                    destination=SMS,
                    kind="notify.sms",
                    payload={"phone": d.applicant_phone, "message": sms, "status": row.to_status},
                    **common,
                )
            )
        if d.applicant_email:
            items.append(
                OutboxItem(
                    destination=EMAIL,
                    kind="notify.email",
                    payload={
                        "to": d.applicant_email,
                        "subject": subject,
                        "text": body,
                        "status": row.to_status,
                    },
                    **common,
                )
            )
    return items
