"""The one-stop forms (biểu mẫu) as PDF, versioned by legal basis.

Forms are keyed by name and legal basis, never by number alone (DOMAIN.md decision 1): Circular
03/2025/TT-VPCP, Annex I, renumbers the 2018 set (the control sheet moves from Mẫu 05 to 06, the
ledger from 06 to 07) and adds two forms. A dossier is printed with the set in force on the day it
was received: the 2025 set from 1/7/2025, when Decree 118/2025/NĐ-CP replaced Decree 61/2018/NĐ-CP,
the 2018 set (Circular 01/2018/TT-VPCP) before. The 2025 field sets are not confirmed
(DOMAIN-legal-2025.md §8): forms 01, 02, 03, 06 and 07 keep the 2018 fields.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from motcua.core.errors import InvalidInput, NotFound

from . import contexts
from .dates import local_date
from .pdf import qr_svg, render_pdf

QR_CAPTION = "Quét mã để tra cứu hồ sơ"


@dataclass(frozen=True)
class LegalBasis:
    """The text that sets a form set, and the reception dates it governs."""

    slug: str
    name: str  # "Thông tư 03/2025/TT-VPCP"
    applies_from: date | None  # reception date, inclusive
    applies_until: date | None  # reception date, exclusive
    unit_label: str  # the one-stop unit as named in running text under this basis

    def governs(self, received_on: date) -> bool:
        """True when a dossier received on `received_on` is printed with this set."""
        after_start = self.applies_from is None or received_on >= self.applies_from
        before_end = self.applies_until is None or received_on < self.applies_until
        return after_start and before_end


# Decree 118/2025/NĐ-CP takes effect on 1/7/2025 (DOMAIN-legal-2025.md §0). Circular 03/2025's own
# effective date is unconfirmed; DOMAIN.md decision 1 prints its set for every dossier received
# from that day.
SWITCH_DATE = date(2025, 7, 1)
CIRCULAR_01_2018 = LegalBasis(
    "tt01-2018",
    "Thông tư 01/2018/TT-VPCP",
    None,
    SWITCH_DATE,
    "Bộ phận Tiếp nhận và Trả kết quả",
)
CIRCULAR_03_2025 = LegalBasis(
    "tt03-2025", "Thông tư 03/2025/TT-VPCP", SWITCH_DATE, None, "Bộ phận Một cửa"
)
LEGAL_BASES = (CIRCULAR_03_2025, CIRCULAR_01_2018)


@dataclass(frozen=True)
class FormSpec:
    """One official form: its key, exact title and number under one legal basis."""

    key: str
    title: str
    number: str  # "01": printed as "Mẫu số 01", never used to look the form up
    basis: LegalBasis
    template_name: str
    landscape: bool = False

    @property
    def id(self) -> str:
        """Registry key: "<basis slug>.<key>", e.g. "tt03-2025.receipt"."""
        return f"{self.basis.slug}.{self.key}"

    @property
    def footnote(self) -> str:
        """ "Mẫu số 01 – Thông tư 03/2025/TT-VPCP", printed small at the foot of the page."""
        return f"Mẫu số {self.number} – {self.basis.name}"


def _spec(key: str, title: str, number: str, basis: LegalBasis, template: str, **kw) -> FormSpec:
    return FormSpec(key, title, number, basis, f"printing/{template}.html", **kw)


# Titles: Circular 03/2025/TT-VPCP Annex I (DOMAIN-legal-2025.md §8), Circular 01/2018/TT-VPCP
# Mẫu 01–06 (DOMAIN-legal.md §2).
_SPECS = (
    _spec("receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "01", CIRCULAR_03_2025, "receipt"),
    _spec("supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "02", CIRCULAR_03_2025,
          "supplement"),
    _spec("refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "03", CIRCULAR_03_2025, "refusal"),
    _spec("apology", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", "04",
          CIRCULAR_03_2025, "apology_2025"),
    _spec("stop", "Thông báo dừng giải quyết hồ sơ", "05", CIRCULAR_03_2025, "stop"),
    _spec("control_sheet", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "06", CIRCULAR_03_2025,
          "control_sheet"),
    _spec("ledger", "Sổ theo dõi hồ sơ", "07", CIRCULAR_03_2025, "ledger", landscape=True),
    _spec("receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "01", CIRCULAR_01_2018, "receipt"),
    _spec("supplement", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "02", CIRCULAR_01_2018,
          "supplement"),
    _spec("refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "03", CIRCULAR_01_2018, "refusal"),
    _spec("apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "04", CIRCULAR_01_2018,
          "apology_2018"),
    _spec("control_sheet", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "05", CIRCULAR_01_2018,
          "control_sheet"),
    _spec("ledger", "Sổ theo dõi hồ sơ", "06", CIRCULAR_01_2018, "ledger", landscape=True),
)  # fmt: skip

FORMS: dict[str, FormSpec] = {spec.id: spec for spec in _SPECS}
FORM_KEYS = ("receipt", "supplement", "refusal", "apology", "stop", "control_sheet", "ledger")


class FormNotAvailable(NotFound):
    """The form does not exist in the set that governs the dossier (e.g. "stop" before 2025)."""

    code = "form_not_available"


def basis_for(received_on: date | datetime) -> LegalBasis:
    """The legal basis governing a dossier received on that day (in Vietnam time)."""
    day = local_date(received_on)
    return next(basis for basis in LEGAL_BASES if basis.governs(day))


def form_for(key: str, received_on: date | datetime) -> FormSpec:
    """The form `key` of the set in force on `received_on`; FormNotAvailable if there is none."""
    basis = basis_for(received_on)
    spec = FORMS.get(f"{basis.slug}.{key}")
    if spec is None:
        raise FormNotAvailable(
            _("The form “%(key)s” does not exist under %(basis)s.")
            % {"key": key, "basis": basis.name}
        )
    return spec


def _check(context: Mapping[str, Any], shape: type) -> None:
    missing = sorted(k for k in shape.__required_keys__ if k not in context)
    if missing:
        raise InvalidInput(
            _("The form cannot be printed: missing %(keys)s.") % {"keys": ", ".join(missing)},
            errors={key: [_("This field is required.")] for key in missing},
        )


def _render(key: str, context: Mapping[str, Any], shape: type, **extra: Any) -> bytes:
    _check(context, shape)
    spec = form_for(key, context.get("received_at") or context["issued_at"])
    tracking_url = context.get("tracking_url")
    template_context = {
        "applicant": {},
        "signer": {},
        "unit_label": spec.basis.unit_label,
        **context,
        **extra,
        "form": spec,
        "qr": qr_svg(tracking_url) if tracking_url else "",
        "qr_caption": QR_CAPTION,
    }
    return render_pdf(spec.template_name, template_context)


def receipt_pdf(context: contexts.ReceiptContext) -> bytes:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01 in both sets).

    Keys: the common ones (see `contexts`), plus `components` [{name, originals, copies}],
    `sets` (số bộ), `processing_time_text` ("05 ngày làm việc"), `return_place`, and optionally
    `ledger_book` / `ledger_number` (Quyển số / Số thứ tự) and `received_by` (the receiving
    officer's name, defaults to `signer.name`).
    """
    return _render("receipt", context, contexts.ReceiptContext)


def supplement_pdf(context: contexts.SupplementContext) -> bytes:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02).

    Keys: the common ones, plus `items` [str] (what to add or correct), `reason`, and optionally
    `contact` {name, phone}; `signer` is the guiding officer (người hướng dẫn).
    """
    return _render("supplement", context, contexts.SupplementContext)


def refusal_pdf(context: contexts.RefusalContext) -> bytes:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03).

    Keys: the common ones, plus `reasons` [str]; `signer` is the receiving officer.
    """
    return _render("refusal", context, contexts.RefusalContext)


def apology_pdf(context: contexts.ApologyContext) -> bytes:
    """Văn bản xin lỗi và đề nghị gia hạn (2025 Mẫu 04) / Phiếu xin lỗi và hẹn lại ngày (2018).

    Keys: the common ones, plus `original_due_at`, `new_due_at`, `reason`, `agency_at_fault`
    (the agency that apologises) and optionally `sequence` (the how-many-th extension);
    `signer` {name, title} is the head of the agency at fault.
    """
    return _render("apology", context, contexts.ApologyContext)


def stop_pdf(context: contexts.StopContext) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (2025 Mẫu 05; the 2018 set has no such form).

    Keys: the common ones, plus `reason`, `requested_by` ("applicant" or "agency") and
    `decided_by` (the agency that stops processing); `signer` signs for it.
    """
    if context.get("requested_by") not in {"applicant", "agency"}:
        raise InvalidInput(
            _("The stop notice needs requested_by “applicant” or “agency”."),
            errors={"requested_by": [_("Choose “applicant” or “agency”.")]},
        )
    return _render("stop", context, contexts.StopContext)


OUTCOME_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def control_sheet_pdf(context: contexts.ControlSheetContext) -> bytes:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (2025 Mẫu 06, 2018 Mẫu 05).

    Keys: the common ones, plus `competent_agency`, `cooperating_agencies` [str] and `rows`
    [{from_unit, from_person, to_unit, to_person, at, outcome ("early"|"on_time"|"late"|None),
    note}], one per hand-over, in order.
    """
    rows = [
        {**row, "outcome_label": OUTCOME_LABELS.get(row.get("outcome") or "", "")}
        for row in context.get("rows", [])
    ]
    return _render(
        "control_sheet",
        context,
        contexts.ControlSheetContext,
        rows=rows,
        outcome_labels=list(OUTCOME_LABELS.values()),
    )


def ledger_pdf(context: contexts.LedgerContext) -> bytes:
    """Sổ theo dõi hồ sơ (2025 Mẫu 07, 2018 Mẫu 06): landscape, one row per dossier.

    Keys: `agency_name`, `unit_name`, `place`, `issued_at`, `title_period` ("Quý I năm 2026"),
    `rows` [{number, dossier_code, procedure_name, sets, applicant_name, applicant_contact,
    competent_agency, received_at, due_at, transferred_at, result_received_at, returned_at,
    note}], and optionally `received_at` (the day that picks the set; default `issued_at`).
    The table header repeats on every page; pages are numbered "Trang 1/3".
    """
    return _render(
        "ledger", context, contexts.LedgerContext, column_numbers=range(1, 15), numbered=True
    )


# One WeasyPrint call keeps the layout of every page in memory until the end: 1,000 rows peaked
# near 450 MB and grew with the rows (docs/benchmarks.md, "Ledger exports"). A long book is laid
# out this many rows at a time instead.
LEDGER_PART_ROWS = 500


def ledger_pdf_parts(
    context: Mapping[str, Any],
    rows: Iterable[contexts.LedgerRow],
    *,
    part_rows: int = LEDGER_PART_ROWS,
    on_part: Callable[[int], None] | None = None,
) -> bytes:
    """The ledger (`ledger_pdf`) of any length, with memory bounded by `part_rows`.

    `context` is the ledger's without `rows`; `rows` may be a generator, read a part at a time.
    Each part is rendered alone (the heading only on the first), the parts are joined with
    pypdf, and "Trang N/M" is stamped on every page of the whole. `on_part(rows_done)` is called
    after each part."""
    writer = PdfWriter()
    done = 0
    source = iter(rows)
    index = 0
    while True:
        batch = list(itertools.islice(source, part_rows))
        if index and not batch:
            break
        part = _render(
            "ledger",
            {**context, "rows": batch},
            contexts.LedgerContext,
            column_numbers=range(1, 15),
            numbered=False,
            continued=index > 0,
        )
        writer.append(PdfReader(io.BytesIO(part)))
        done += len(batch)
        index += 1
        if on_part is not None:
            on_part(done)
        if len(batch) < part_rows:
            break
    _stamp_page_numbers(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _stamp_page_numbers(writer: PdfWriter) -> None:
    """Lay "Trang N/M" over each page, as the one-call ledger prints it (same box, same font)."""
    numbers = PdfReader(
        io.BytesIO(render_pdf("printing/page_numbers.html", {"pages": range(len(writer.pages))}))
    )
    for page, overlay in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(overlay)
        # Merging leaves the page's content uncompressed: five times the size of the book.
        page.compress_content_streams()


FORM_RENDERERS: dict[str, Callable[[Any], bytes]] = {
    "receipt": receipt_pdf,
    "supplement": supplement_pdf,
    "refusal": refusal_pdf,
    "apology": apology_pdf,
    "stop": stop_pdf,
    "control_sheet": control_sheet_pdf,
    "ledger": ledger_pdf,
}


def form_pdf(key: str, context: Mapping[str, Any]) -> bytes:
    """Render form `key` ("receipt", "supplement", …) with the set chosen by `received_at`."""
    renderer = FORM_RENDERERS.get(key)
    if renderer is None:
        raise FormNotAvailable(_("There is no form “%(key)s”.") % {"key": key})
    return renderer(context)
