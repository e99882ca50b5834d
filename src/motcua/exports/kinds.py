"""What each kind of export needs: its parameters checked (permission first), its rows counted,
its file written. One entry per kind in `KINDS`; the ledger is the first.

A kind's `clean` is called when the export is requested and again when the worker starts, so a
grant revoked in between stops the file from being made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from motcua.core.errors import InvalidInput
from motcua.core.spreadsheets import xlsx_stream
from motcua.dossiers.documents import ledger_header
from motcua.dossiers.ledger import ledger_period_check, ledger_permit, ledger_rows
from motcua.dossiers.selectors import ledger_dossiers
from motcua.organizations.models import Agency
from motcua.organizations.selectors import agency_by_ref
from motcua.printing.forms import ledger_pdf_parts

from .constants import ExportFormat, ExportKind

Progress = Callable[[int], None]

# Sổ theo dõi hồ sơ: the printed book's columns (printing/templates/printing/ledger.html), with
# the hour of reception as its own column.
LEDGER_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên người nộp hồ sơ",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho tổ chức, cá nhân",
    "Ký nhận",
    "Ghi chú",
)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        message = _("Enter a date as YYYY-MM-DD.")
        raise InvalidInput(message, errors={field: [message]}) from None


@dataclass(frozen=True)
class LedgerExport:
    """Sổ theo dõi hồ sơ of one desk for a period: params {agency, start, end}."""

    def clean(self, actor, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters as stored (the desk's id, ISO dates), or NotAllowed / InvalidInput:
        the desk is resolved, then the permission checked, then the period."""
        desk = agency_by_ref(params.get("agency") or None, "agency")
        if desk is None:
            message = _("Choose the desk.")
            raise InvalidInput(message, errors={"agency": [message]})
        ledger_permit(actor, desk)
        start = _date(params.get("start"), "start")
        end = _date(params.get("end"), "end")
        ledger_period_check(start, end)
        return {"agency": desk.pk, "start": start.isoformat(), "end": end.isoformat()}

    def _parts(self, params: dict[str, Any]):
        desk = Agency.objects.select_related("province", "parent__parent").get(pk=params["agency"])
        start = dt.date.fromisoformat(params["start"])
        end = dt.date.fromisoformat(params["end"])
        return desk, start, end, ledger_dossiers(desk=desk, start=start, end=end)

    def describe(self, params: dict[str, Any]) -> str:
        desk = Agency.objects.filter(pk=params.get("agency")).first()
        start = dt.date.fromisoformat(params["start"])
        end = dt.date.fromisoformat(params["end"])
        return _("Dossier tracking book of %(desk)s, %(start)s–%(end)s") % {
            "desk": desk.name if desk else "?",
            "start": f"{start:%d/%m/%Y}",
            "end": f"{end:%d/%m/%Y}",
        }

    def filename(self, params: dict[str, Any], fmt: str) -> str:
        return f"so-theo-doi-{params['start']}-{params['end']}.{fmt}"

    def count(self, params: dict[str, Any], actor=None) -> int:
        return self._parts(params)[3].count()

    def write(
        self, params: dict[str, Any], fmt: str, out: IO[bytes], progress: Progress, actor=None
    ) -> int:
        """Write the file to `out`; `progress(n)` is called as rows are done. Returns the rows."""
        desk, start, end, dossiers = self._parts(params)
        header = ledger_header(desk, start=start, end=end)
        rows = ledger_rows(dossiers)
        if fmt == ExportFormat.XLSX:
            return xlsx_stream(
                out,
                title="Sổ theo dõi hồ sơ",
                preamble=[
                    [f"SỔ THEO DÕI HỒ SƠ — {header['unit_name']}"],
                    [header["title_period"]],
                ],
                header=LEDGER_COLUMNS,
                rows=(_ledger_cells(row) for row in _counted(rows, progress)),
            )
        done = 0

        def part_done(n: int) -> None:
            nonlocal done
            done = n
            progress(n)

        out.write(ledger_pdf_parts(header, rows, on_part=part_done))
        return done


def _ledger_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["number"],
        row["dossier_code"],
        row["procedure_name"],
        row["sets"],
        row["applicant_name"],
        row["applicant_contact"],
        row["competent_agency"],
        row["received_at"],
        row["due_at"],
        row["transferred_at"],
        row["result_received_at"],
        row["returned_at"],
        "",
        row["note"],
    ]


def _counted(rows: Iterator[dict[str, Any]], progress: Progress) -> Iterator[dict[str, Any]]:
    for n, row in enumerate(rows, start=1):
        yield row
        progress(n)


WORKLIST_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Thủ tục hành chính",
    "Người nộp",
    "Số định danh",
    "Kênh",
    "Trạng thái",
    "Bước xử lý",
    "Cán bộ xử lý",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Hạn bước xử lý",
    "Quá hạn",
)


@dataclass(frozen=True)
class WorklistExport:
    """The work desk's list as the official filtered it: params are its query string's values
    (`dossiers.worklist.PARAMS`), re-read with the owner's own permissions when rendered."""

    formats = (ExportFormat.XLSX,)

    def clean(self, actor, params: dict[str, Any]) -> dict[str, Any]:
        from motcua.accounts.authz import has_any
        from motcua.accounts.constants import Action
        from motcua.core.errors import NotAllowed
        from motcua.dossiers.worklist import PARAMS

        if not has_any(actor, {Action.DOSSIER_VIEW}):
            raise NotAllowed(_("You do not have permission for this action."))
        return {k: str(params[k])[:200] for k in PARAMS if params.get(k)}

    def _rows(self, actor, params: dict[str, Any]):
        from django.utils import timezone

        from motcua.dossiers.worklist import worklist_queryset

        now = timezone.now()
        qs, _p = worklist_queryset(actor, params, now=now, today=timezone.localdate())
        return qs, now

    def describe(self, params: dict[str, Any]) -> str:
        return _("Work desk list")

    def filename(self, params: dict[str, Any], fmt: str) -> str:
        return f"ban-lam-viec.{fmt}"

    def count(self, params: dict[str, Any], actor=None) -> int:
        return self._rows(actor, params)[0].count()

    def write(
        self, params: dict[str, Any], fmt: str, out: IO[bytes], progress: Progress, actor=None
    ) -> int:
        from motcua.core.workcalendar import TZ
        from motcua.dossiers.selectors import deadlines_of

        qs, now = self._rows(actor, params)

        def local(value):
            return value.astimezone(TZ).replace(tzinfo=None) if value else None

        def cells():
            for n, d in enumerate(qs.iterator(chunk_size=500), start=1):
                deadlines = deadlines_of(d, now)
                yield [
                    n,
                    d.code,
                    d.procedure_version.name,
                    d.applicant_name,
                    d.applicant_id_number,
                    d.get_channel_display(),
                    d.get_status_display(),
                    d.step_name,
                    (d.assignee.full_name or d.assignee.username) if d.assignee else "",
                    local(d.received_at),
                    local(d.due_at),
                    local(d.step_due_at),
                    "x" if deadlines.late else "",
                ]
                progress(n)

        return xlsx_stream(out, title="Bàn làm việc", header=WORKLIST_COLUMNS, rows=cells())


KINDS: dict[str, Any] = {ExportKind.LEDGER: LedgerExport(), ExportKind.WORKLIST: WorklistExport()}
