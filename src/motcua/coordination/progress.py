"""What a ministry's system or the coordination system is told about a dossier it handed us
(DOMAIN-integration.md §5 inbound: `TienTrinhHoSoBTXH`): one row per history row, written by
`dossiers/services/events.py` `write_events` in the transaction of the change, as outbox events
of destination `ministry:<system>` (aggregate `inbound`, the dossier's code, the history
sequence), so they go out in order, each once — like §9.3 for the national portal's dossiers.

`StatusId` is the national status code of the row (§1.4, 1–10; the one list of dossier statuses
both sides know — the system's own list is UNCONFIRMED); `MaHoSo` is the system's code of the
dossier (kept in the e-form data), `MaHoSoDonVi` ours.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.national import portal_time
from motcua.outbox.services import OutboxItem

PROGRESS_KIND = "dossier.progress"
AGGREGATE = "inbound"


def progress_row(d: Dossier, row: DossierEvent, actor: User | None) -> dict[str, Any]:
    agency = row.to_agency or d.step_agency or d.receiving_agency
    return {
        "AcceptKey": d.source_key,
        "MaHoSo": str(d.form_data.get("MaHoSo") or d.code)[:60],
        "MaHoSoDonVi": d.code,
        "TaiKhoanXuLy": actor.get_username() if actor is not None else "",
        "NguoiXuLy": (actor.full_name or actor.get_username()) if actor is not None else "",
        "ChucDanh": actor.position if actor is not None else "",
        "ThoiDiemXuLy": portal_time(row.at),
        "DonViXuLy": agency.name if agency is not None else "",
        "NoiDungXuLy": (row.note or row.get_kind_display())[:1000],
        "StatusId": str(row.national_status),
        "NgayBatDau": portal_time(d.received_at or d.submitted_at),
        "NgayKetThucTheoQuyDinh": portal_time(d.due_at),
    }


def portal_reported_by_source(d: Dossier) -> bool:
    """Is the dossier on the national portal through the system that handed it to us (its
    EXTERNAL_<NAME>_REPORTS_TO_PORTAL)? Then its progress goes back to that system only: synced
    again by us as a desk-born dossier, the portal would hold it twice (UNCONFIRMED: §5 does
    not say which side reports it; one owner per dossier is the safe reading)."""
    if not d.source_key:
        return False
    system = settings.EXTERNAL_SYSTEMS.get(d.source_system)
    return bool(system and system.get("reports_to_portal", True))


def progress_items(d: Dossier, rows: list[DossierEvent], actor: User | None) -> list[OutboxItem]:
    """The outbox events of these history rows for the system that handed the dossier over
    (none for other dossiers, or when that system is no longer configured)."""
    if not d.source_key or d.source_system not in settings.EXTERNAL_SYSTEMS:
        return []
    destination = f"ministry:{d.source_system}"
    return [
        OutboxItem(
            destination=destination,
            kind=PROGRESS_KIND,
            aggregate_type=AGGREGATE,
            aggregate_id=d.code,
            aggregate_seq=row.seq,
            payload={"system": d.source_system, "progress": progress_row(d, row, actor)},
        )
        for row in rows
    ]
