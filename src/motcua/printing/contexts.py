"""The context contract of the printed forms: plain dicts, no models.

Callers (dossier services, views, commands) build these dicts from whatever they hold; the printing
app never imports a model. Datetimes must be aware (they are printed in Asia/Ho_Chi_Minh); names
and texts are printed as given (Vietnamese, NFC). Keys marked `NotRequired` may be left out; the
form then prints a dotted blank to fill by hand.

Common keys (`FormContext`, every single-dossier form):

- `agency_name`: the issuing agency, upper line of the left header ("UBND TỈNH ĐỒNG THÁP").
- `unit_name`: the issuing unit, bold line under it ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG").
- `place`: the place name before the date ("Đồng Tháp").
- `issued_at`: when the form is issued (aware datetime).
- `dossier_code`: mã hồ sơ ("000.00.12.H12-260213-0001").
- `tracking_url`: the public tracking page of the dossier, printed as a QR code with the caption
  "Quét mã để tra cứu hồ sơ" and as a link.
- `applicant`: {name, address, phone, email, identity_number}; only `name` is required.
- `procedure_name`: the procedure (nội dung yêu cầu giải quyết).
- `received_at`: when the dossier was received; it also picks the form set (2025 from 1/7/2025).
- `due_at`: the appointed time to return the result.
- `signer`: {name, title}: who signs for the agency.
- `unit_label` (optional): the receiving unit as named in running text; defaults to
  "Bộ phận Một cửa" (2025 set) or "Bộ phận Tiếp nhận và Trả kết quả" (2018 set).

The ledger (`LedgerContext`) is not about one dossier: it has the header keys, `title_period`
and `rows`, and an optional `received_at` (e.g. the first day of the period) that picks the set,
defaulting to `issued_at`.
"""

from datetime import date, datetime
from typing import Literal, NotRequired, TypedDict


class Applicant(TypedDict):
    """Người nộp hồ sơ (tổ chức, cá nhân)."""

    name: str
    address: NotRequired[str]
    phone: NotRequired[str]
    email: NotRequired[str]
    identity_number: NotRequired[str]


class Person(TypedDict):
    """A named official: signer, contact."""

    name: str
    title: NotRequired[str]


class Contact(TypedDict):
    """Officer to contact while completing a dossier."""

    name: str
    phone: NotRequired[str]


class HeaderContext(TypedDict):
    """Keys printed by every form's header."""

    agency_name: str
    unit_name: str
    place: str
    issued_at: datetime


class FormContext(HeaderContext):
    """Common keys of the single-dossier forms."""

    dossier_code: str
    tracking_url: str
    applicant: Applicant
    procedure_name: str
    received_at: datetime
    due_at: NotRequired[datetime | None]
    signer: NotRequired[Person]
    unit_label: NotRequired[str]


class Component(TypedDict):
    """Thành phần hồ sơ: a document handed in, with how many originals and copies."""

    name: str
    originals: NotRequired[int]
    copies: NotRequired[int]


class ReceiptContext(FormContext):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    components: list[Component]
    sets: int
    processing_time_text: str
    return_place: str
    ledger_book: NotRequired[str]
    ledger_number: NotRequired[str | int]
    received_by: NotRequired[str]


class SupplementContext(FormContext):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    items: list[str]
    reason: str
    contact: NotRequired[Contact]


class RefusalContext(FormContext):
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    reasons: list[str]


class ApologyContext(FormContext):
    """Văn bản xin lỗi và đề nghị gia hạn (2025) / Phiếu xin lỗi và hẹn lại ngày (2018)."""

    original_due_at: datetime
    new_due_at: datetime
    reason: str
    agency_at_fault: str
    sequence: NotRequired[int]


class StopContext(FormContext):
    """Thông báo dừng giải quyết hồ sơ (2025 set only)."""

    reason: str
    requested_by: Literal["applicant", "agency"]
    decided_by: str


Outcome = Literal["early", "on_time", "late"]


class HandOver(TypedDict):
    """One hand-over of the dossier between units (a row of the control sheet)."""

    from_unit: str
    from_person: NotRequired[str]
    to_unit: str
    to_person: NotRequired[str]
    at: datetime | None
    outcome: NotRequired[Outcome | None]
    note: NotRequired[str]


class ControlSheetContext(FormContext):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    competent_agency: str
    cooperating_agencies: NotRequired[list[str]]
    rows: list[HandOver]


class LedgerRow(TypedDict):
    """One dossier in the ledger (Sổ theo dõi hồ sơ)."""

    number: int | str
    dossier_code: str
    procedure_name: str
    sets: NotRequired[int]
    applicant_name: str
    applicant_contact: NotRequired[str]
    competent_agency: NotRequired[str]
    received_at: datetime
    due_at: NotRequired[datetime | None]
    transferred_at: NotRequired[datetime | None]
    result_received_at: NotRequired[datetime | None]
    returned_at: NotRequired[datetime | None]
    note: NotRequired[str]


class LedgerContext(HeaderContext):
    """Sổ theo dõi hồ sơ: one row per dossier, landscape."""

    title_period: str
    rows: list[LedgerRow]
    received_at: NotRequired[datetime | date]
