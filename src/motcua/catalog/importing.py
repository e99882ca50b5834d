"""Import and export of the catalog: our JSON documents, .xlsx, and national database records.

Every source becomes a list of content documents (`content.ProcedureContent`). Preview checks
them all, with errors located by sheet, row and column (or document and field), and stores the
diff against each procedure's latest version; nothing is written to the catalog. Apply saves
every changed document as a new draft version in one transaction — all or nothing — after
checking that no procedure changed since the preview.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from motcua.accounts.authz import require
from motcua.accounts.constants import Action
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict, InvalidInput
from motcua.core.spreadsheets import restore, xlsx_bytes, xlsx_open
from motcua.core.textnorm import fold
from motcua.core.uploads import too_large_message

from .constants import (
    Channel,
    FeeKind,
    Level,
    OnlineLevel,
    Requirement,
    ReuseSource,
    TimeUnit,
    VersionSource,
)
from .content import ProcedureContent, errors_from_validation
from .models import CatalogImport, Procedure, ProcedureVersion
from .permissions import catalog_scope
from .services import document_hash, version_save

MAX_FILE_BYTES = 20 * 1024 * 1024
# Rows per sheet (and documents per JSON file): a province's whole catalog, its components
# and legal bases fit; a small file of hundreds of thousands of rows stops here.
MAX_ROWS = 50_000
MAX_COLUMNS = 64
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

# --- The .xlsx layout: one sheet of procedures, one sheet per repeated part ----------------
# (key, Vietnamese header). Headers are what people see and type; keys are the document's.
PROCEDURE_COLUMNS = [
    ("code", "Mã thủ tục"),
    ("name", "Tên thủ tục"),
    ("field_code", "Mã lĩnh vực"),
    ("field_name", "Tên lĩnh vực"),
    ("level", "Cấp thực hiện"),
    ("is_province_specific", "Thủ tục đặc thù"),
    ("online_level", "Mức độ DVC trực tuyến"),
    ("channels", "Cách thức thực hiện"),
    ("subjects", "Đối tượng thực hiện"),
    ("steps", "Trình tự thực hiện"),
    ("conditions", "Yêu cầu, điều kiện"),
    ("result_name", "Kết quả thực hiện"),
    ("result_validity", "Thời hạn hiệu lực của kết quả"),
    ("is_lien_thong", "Liên thông"),
    ("lien_thong_agencies", "Cơ quan liên thông"),
    ("decision_number", "Số quyết định công bố"),
    ("decision_date", "Ngày quyết định"),
    ("decision_issuer", "Cơ quan công bố"),
    ("effective_from", "Ngày hiệu lực"),
    ("eform", "Biểu mẫu điện tử (JSON Schema)"),
    ("note", "Ghi chú"),
]
PART_SHEETS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "times": (
        "Thời hạn giải quyết",
        [
            ("channel", "Hình thức nộp"),
            ("case", "Trường hợp"),
            ("amount", "Thời hạn"),
            ("unit", "Đơn vị"),
            ("cutoff", "Giờ tiếp nhận trong ngày"),
            ("description", "Mô tả"),
            ("note", "Ghi chú"),
        ],
    ),
    "fees": (
        "Phí, lệ phí",
        [
            ("kind", "Loại"),
            ("name", "Tên phí, lệ phí"),
            ("channel", "Hình thức nộp"),
            ("amount_vnd", "Mức thu (đồng)"),
            ("unit", "Đơn vị tính"),
            ("basis", "Căn cứ"),
            ("online_amount_vnd", "Mức thu trực tuyến (đồng)"),
            ("online_reduction_basis", "Căn cứ giảm khi nộp trực tuyến"),
            ("exemptions", "Miễn, giảm"),
            ("description", "Mô tả"),
            ("note", "Ghi chú"),
        ],
    ),
    "components": (
        "Thành phần hồ sơ",
        [
            ("code", "Mã giấy tờ"),
            ("name", "Tên giấy tờ"),
            ("originals", "Bản chính"),
            ("copies", "Bản sao"),
            ("requirement", "Bắt buộc"),
            ("condition", "Điều kiện"),
            ("form_required", "Phải theo mẫu"),
            ("form_template", "Mã mẫu đơn, tờ khai"),
            ("reuse", "Tái sử dụng từ"),
            ("reuse_source_name", "Nguồn dữ liệu"),
        ],
    ),
    "legal_bases": (
        "Căn cứ pháp lý",
        [
            ("number", "Số ký hiệu"),
            ("title", "Trích yếu"),
            ("issued_on", "Ngày ban hành"),
            ("issuer", "Cơ quan ban hành"),
        ],
    ),
}
PROCEDURE_SHEET = "Thủ tục"
CODE_HEADER = "Mã thủ tục"

# Choice columns accept the code or the Vietnamese label, with or without diacritics.
CHOICES = {
    "level": Level,
    "online_level": OnlineLevel,
    "channel": Channel,
    "channels": Channel,
    "times.unit": TimeUnit,  # a fee's "unit" is free text (đồng/lần)
    "kind": FeeKind,
    "requirement": Requirement,
    "reuse": ReuseSource,
}
BOOLEANS = {"is_province_specific", "is_lien_thong", "form_required"}
DATES = {"decision_date", "effective_from", "issued_on"}
YES = {"co", "x", "yes", "true", "1"}
NO = {"khong", "no", "false", "0", ""}


@dataclass
class Source:
    """Documents read from a file, and where each part came from (for error messages)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    # where[(document index, path prefix)] = "Sheet · dòng N"
    where: dict[tuple[int, str], str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def locate(self, index: int, path: str) -> str:
        parts = path.split(".")
        for cut in range(len(parts), 0, -1):
            key = (index, ".".join(parts[:cut]))
            if key in self.where:
                return self.where[key]
        return self.where.get((index, ""), _("document %(n)s") % {"n": index + 1})


def _choice(key: str, raw: str) -> str:
    """The choice value for a cell holding its code or its label (Vietnamese or English)."""
    from django.utils import translation

    wanted = fold(raw)
    for value, label in CHOICES[key].choices:
        with translation.override("vi"):
            vietnamese = fold(str(label))
        if wanted in {fold(value), fold(str(label)), vietnamese}:
            return value
    return raw  # left as typed: validation reports it


def _choice_key(part: str, key: str) -> str:
    return f"{part}.{key}" if f"{part}.{key}" in CHOICES else key


def _cell(key: str, value: Any, part: str = "") -> Any:
    """A spreadsheet cell as the document wants it; bad values pass through to validation."""
    choice_key = _choice_key(part, key)
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if key in BOOLEANS:
            return False
        if key in {"amount_vnd", "online_amount_vnd", "cutoff", "eform", "channel", *DATES}:
            return None
        if key == "channels":
            return []
        return ""
    if key in BOOLEANS:
        folded = fold(str(value))
        if folded in YES:
            return True
        if folded in NO:
            return False
        return value
    if key in DATES:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value)
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
        return text
    if key == "cutoff" and isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if key == "channels":
        return [_choice("channels", part) for part in str(value).replace(";", ",").split(",")]
    if choice_key in CHOICES:
        return _choice(choice_key, str(value))
    if key == "eform":
        try:
            return json.loads(str(value))
        except ValueError:
            return value
    if key in {"amount_vnd", "online_amount_vnd", "amount", "originals", "copies"}:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            digits = value.replace(".", "").replace(",", "").replace(" ", "")
            return int(digits) if digits.isdigit() else value
        return value
    return str(value) if not isinstance(value, int | float) else value


def read_xlsx(content: bytes) -> Source:
    """Read the catalog workbook: one 'Thủ tục' row per procedure, parts keyed by its code."""
    source = Source()
    # Streamed (openpyxl read_only) from an archive whose unpacked size is bounded.
    book = xlsx_open(content, max_unpacked=MAX_UNPACKED_BYTES)

    def rows_of(sheet_name: str, columns: list[tuple[str, str]], required: bool):
        if sheet_name not in book.sheetnames:
            if required:
                source.errors.setdefault("file", []).append(
                    _("The sheet “%(s)s” is missing.") % {"s": sheet_name}
                )
            return []
        rows = book[sheet_name].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        headers = {label: key for key, label in columns}
        wanted = [CODE_HEADER] + [label for _key, label in columns if label != CODE_HEADER]
        missing = [label for label in wanted if label not in header]
        if missing:
            source.errors.setdefault(sheet_name, []).append(
                _("Missing columns: %(c)s.") % {"c": ", ".join(missing)}
            )
            return []
        out = []
        for number, row in enumerate(rows, start=2):
            if number > MAX_ROWS + 1:
                # Stop streaming: a small file can hold hundreds of thousands of rows.
                source.errors.setdefault(sheet_name, []).append(
                    _("A sheet may hold at most %(n)d rows.") % {"n": MAX_ROWS}
                )
                break
            # Our own export quoted text that began like a formula: read it back as it was.
            values = dict(zip(header, (restore(v) for v in row), strict=False))
            if all(v in (None, "") for v in values.values()):
                continue
            code = str(values.get(CODE_HEADER) or "").strip()
            out.append(
                (number, code, {headers[h]: values.get(h) for h in headers if h != CODE_HEADER})
            )
        return out

    by_code: dict[str, int] = {}
    for number, code, values in rows_of(PROCEDURE_SHEET, PROCEDURE_COLUMNS, True):
        where = _("%(sheet)s · row %(row)s") % {"sheet": PROCEDURE_SHEET, "row": number}
        if code in by_code:
            source.errors.setdefault(where, []).append(
                _("The procedure %(c)s appears twice.") % {"c": code}
            )
            continue
        document = {"code": code} | {key: _cell(key, v) for key, v in values.items()}
        for part in PART_SHEETS:
            document[part] = []
        by_code[code] = len(source.documents)
        source.where[(len(source.documents), "")] = where
        source.documents.append(document)
    for part, (sheet_name, columns) in PART_SHEETS.items():
        for number, code, values in rows_of(sheet_name, columns, False):
            where = _("%(sheet)s · row %(row)s") % {"sheet": sheet_name, "row": number}
            if code not in by_code:
                source.errors.setdefault(where, []).append(
                    _("No procedure %(c)s on the sheet “%(s)s”.")
                    % {"c": code or "—", "s": PROCEDURE_SHEET}
                )
                continue
            index = by_code[code]
            items = source.documents[index][part]
            source.where[(index, f"{part}.{len(items)}")] = where
            items.append({key: _cell(key, v, part) for key, v in values.items()})
    return source


def read_json(content: bytes) -> Source:
    """Our own JSON export: a list of documents, or {"procedures": [...]}."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidInput(
            _("The file is not valid JSON."), errors={"file": [str(exc)[:200]]}
        ) from exc
    if isinstance(data, dict):
        data = data.get("procedures", [data])
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise InvalidInput(
            _("The file is not valid JSON."),
            errors={"file": [_("Expected a list of procedure documents.")]},
        )
    _check_count(len(data))
    source = Source(documents=data)
    for i, doc in enumerate(data):
        source.where[(i, "")] = _("procedure %(n)s (%(c)s)") % {"n": i + 1, "c": doc.get("code")}
    return source


def national_documents(records: Iterable[dict[str, Any]]) -> Source:
    """National procedure database records (the portal's `get-formality` answers)."""
    from .national import content_from_national

    source = Source()
    for i, record in enumerate(records):
        data = record.get("data") if isinstance(record.get("data"), dict) else record
        code = data.get("code", "?")
        source.where[(len(source.documents), "")] = _("national record %(n)s (%(c)s)") % {
            "n": i + 1,
            "c": code,
        }
        try:
            source.documents.append(content_from_national(data))
        except (KeyError, TypeError, ValueError) as exc:
            source.errors.setdefault(
                _("national record %(n)s (%(c)s)") % {"n": i + 1, "c": code}, []
            ).append(_("Unreadable record: %(e)s") % {"e": str(exc)[:200]})
    return source


def read_national(content: bytes) -> Source:
    """A file of national records: one record, a list, or JSON lines."""
    text = content.decode("utf-8-sig", errors="replace").strip()
    try:
        data = json.loads(text)
        records = data if isinstance(data, list) else [data]
    except RecursionError as exc:
        raise InvalidInput(
            _("The file is not valid JSON."), errors={"file": [str(exc)[:200]]}
        ) from exc
    except ValueError:
        try:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (ValueError, RecursionError) as exc:
            raise InvalidInput(
                _("The file is not valid JSON."), errors={"file": [str(exc)[:200]]}
            ) from exc
    if not all(isinstance(r, dict) for r in records):
        raise InvalidInput(
            _("The file is not valid JSON."), errors={"file": [_("Expected records.")]}
        )
    _check_count(len(records))
    return national_documents(records)


def _check_count(count: int) -> None:
    if count > MAX_ROWS:
        raise InvalidInput(
            _("The file has errors; nothing was imported."),
            errors={"file": [_("A file may hold at most %(n)d procedures.") % {"n": MAX_ROWS}]},
            code="bad_file",
        )


def read_file(filename: str, content: bytes) -> tuple[str, Source]:
    """Pick the reader by file name: .xlsx, or .json (ours or the national format)."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(
            too_large_message(MAX_FILE_BYTES), errors={"file": [too_large_message(MAX_FILE_BYTES)]}
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        return VersionSource.XLSX, read_xlsx(content)
    if name.endswith((".json", ".jsonl")):
        # The national format wraps records in {"code", "message", "data"}.
        head = content[:4096].decode("utf-8-sig", errors="replace")
        if '"data"' in head or '"executionMethods"' in head:
            return VersionSource.NATIONAL, read_national(content)
        return VersionSource.JSON, read_json(content)
    raise InvalidInput(
        _("Unsupported file type."), errors={"file": [_("Use .xlsx or .json files.")]}
    )


def _diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in list(dict.fromkeys([*before, *after])):
            sub = f"{path}.{key}" if path else key
            changes += _diff(before.get(key), after.get(key), sub)
        return changes
    if isinstance(before, list) and isinstance(after, list):
        changes = []
        for i in range(max(len(before), len(after))):
            changes += _diff(
                before[i] if i < len(before) else None,
                after[i] if i < len(after) else None,
                f"{path}.{i}",
            )
        return changes
    if before == after:
        return []
    return [{"path": path, "before": before, "after": after}]


def _validated(source: Source) -> list[ProcedureContent]:
    contents: list[ProcedureContent] = []
    errors = dict(source.errors)
    seen: dict[str, int] = {}
    for i, document in enumerate(source.documents):
        try:
            content = ProcedureContent.model_validate(document)
        except ValidationError as exc:
            for path, messages in errors_from_validation(exc).items():
                label = _("%(where)s · %(field)s") % {
                    "where": source.locate(i, path),
                    "field": path,
                }
                errors.setdefault(label, []).extend(messages)
            continue
        if content.code in seen:
            errors.setdefault(source.locate(i, ""), []).append(
                _("The procedure %(c)s appears twice.") % {"c": content.code}
            )
            continue
        seen[content.code] = i
        contents.append(content)
    if errors:
        raise InvalidInput(
            _("The file has errors; nothing was imported."), errors=errors, code="bad_file"
        )
    if not contents:
        raise InvalidInput(
            _("The file has errors; nothing was imported."),
            errors={"file": [_("The file holds no procedure.")]},
            code="bad_file",
        )
    return contents


def plan(contents: list[ProcedureContent]) -> list[dict[str, Any]]:
    """For each document: new, changed (with the field-level diff) or unchanged."""
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=[c.code for c in contents])}
    latest: dict[int, ProcedureVersion] = {}
    for version in ProcedureVersion.objects.filter(procedure__in=procedures.values()).order_by(
        "number"
    ):
        latest[version.procedure_id] = version
    rows = []
    for content in contents:
        document = content.as_document()
        procedure = procedures.get(content.code)
        base = latest.get(procedure.pk) if procedure else None
        if base is None:
            status, changes = "new", []
        else:
            changes = _diff(base.document, document)
            status = "changed" if changes else "unchanged"
        rows.append(
            {
                "code": content.code,
                "name": content.name,
                "status": status,
                "base_version": base.number if base else None,
                "base_hash": base.content_hash if base else None,
                "changes": changes,
            }
        )
    return rows


def catalog_import_preview(
    *, actor, filename: str, content: bytes, source: Source | None = None, kind: str = ""
) -> CatalogImport:
    """Check a file and store the diff to apply; raises InvalidInput and stores nothing if bad."""
    require(actor, Action.CATALOG_MANAGE, catalog_scope())
    if source is None:
        kind, source = read_file(filename, content)
    contents = _validated(source)
    with transaction.atomic():
        batch = CatalogImport.objects.create(
            source=kind,
            file_name=filename[:255],
            documents=[c.as_document() for c in contents],
            diff=plan(contents),
            created_by=actor if actor and actor.pk else None,
        )
        audit_record(
            actor=actor,
            action="catalog.import.preview",
            obj=batch,
            after=batch_summary(batch),
        )
    return batch


def catalog_import_from_portal(*, actor, codes: list[str], client=None) -> CatalogImport:
    """Fetch procedures from the national procedure database and preview them as an import."""
    from motcua.adapters.national_portal.catalog import NationalPortalError, client_from_settings

    require(actor, Action.CATALOG_MANAGE, catalog_scope())
    client = client or client_from_settings()
    records, errors = [], {}
    for code in codes:
        try:
            records.append(client.formality_get(code))
        except NationalPortalError as exc:
            errors[code] = [str(exc)]
    if errors:
        raise InvalidInput(_("The national portal did not return every procedure."), errors=errors)
    source = national_documents(records)
    return catalog_import_preview(
        actor=actor,
        filename=_("National procedure database: %(codes)s") % {"codes": ", ".join(codes)},
        content=b"",
        source=source,
        kind=VersionSource.NATIONAL,
    )


def batch_summary(batch: CatalogImport) -> dict[str, int]:
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for row in batch.diff:
        counts[row["status"]] += 1
    return counts


def catalog_import_apply(*, actor, batch: CatalogImport) -> list[ProcedureVersion]:
    """Save every new or changed document as a draft version; all or nothing."""
    require(actor, Action.CATALOG_MANAGE, catalog_scope())
    with transaction.atomic():
        locked = CatalogImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != CatalogImport.Status.PREVIEWED:
            raise Conflict(_("This import was already applied."))
        current = {
            row["code"]: row
            for row in plan([ProcedureContent.model_validate(d) for d in locked.documents])
        }
        stale = [
            row["code"]
            for row in locked.diff
            if current[row["code"]]["base_hash"] != row["base_hash"]
        ]
        if stale:
            raise Conflict(
                _("These procedures changed since the preview: %(c)s. Check the file again.")
                % {"c": ", ".join(stale)}
            )
        versions = []
        documents = {d["code"]: d for d in locked.documents}
        for row in locked.diff:
            if row["status"] == "unchanged":
                continue
            versions.append(
                version_save(actor=actor, content=documents[row["code"]], source=locked.source)
            )
        locked.status = CatalogImport.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["status", "applied_at"])
        audit_record(
            actor=actor,
            action="catalog.import.apply",
            obj=locked,
            after=batch_summary(locked),
        )
    batch.refresh_from_db()
    return versions


# --- Export ---------------------------------------------------------------------------------


def _latest_documents(codes: list[str] | None = None) -> list[dict[str, Any]]:
    versions = ProcedureVersion.objects.order_by("procedure__code", "number").select_related(
        "procedure"
    )
    if codes:
        versions = versions.filter(procedure__code__in=codes)
    latest: dict[str, dict[str, Any]] = {}
    for version in versions:
        latest[version.procedure.code] = version.document
    return list(latest.values())


def catalog_export_json(*, codes: list[str] | None = None) -> bytes:
    """The latest version of each procedure as our JSON documents (re-importable)."""
    documents = _latest_documents(codes)
    return json.dumps(
        {"exported_at": timezone.now().isoformat(), "procedures": documents},
        ensure_ascii=False,
        indent=1,
    ).encode()


def _export_value(key: str, value: Any, part: str = "") -> Any:
    choice_key = _choice_key(part, key)
    if value is None:
        return None
    if key in BOOLEANS:
        return "có" if value else "không"
    if key == "channels":
        return ", ".join(str(Channel(v).label) for v in value)
    if choice_key in CHOICES:
        return str(CHOICES[choice_key](value).label)
    if key == "eform":
        return json.dumps(value, ensure_ascii=False)
    if key in DATES:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def catalog_export_xlsx(*, codes: list[str] | None = None) -> bytes:
    """The latest version of each procedure in the import workbook's layout (re-importable)."""
    from django.utils import translation
    from openpyxl import Workbook
    from openpyxl.styles import Font

    documents = _latest_documents(codes)
    book = Workbook()
    sheet = book.active
    sheet.title = PROCEDURE_SHEET
    with translation.override("vi"):
        sheet.append([label for _key, label in PROCEDURE_COLUMNS])
        for doc in documents:
            sheet.append([_export_value(key, doc.get(key)) for key, _label in PROCEDURE_COLUMNS])
        for part, (sheet_name, columns) in PART_SHEETS.items():
            part_sheet = book.create_sheet(sheet_name)
            part_sheet.append([CODE_HEADER] + [label for _key, label in columns])
            for doc in documents:
                for item in doc.get(part, []):
                    part_sheet.append(
                        [doc["code"]]
                        + [_export_value(key, item.get(key), part) for key, _l in columns]
                    )
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "B2"
    return xlsx_bytes(book)


def document_fingerprints(documents: list[dict[str, Any]]) -> dict[str, str]:
    """Code → content hash (tests and the import page compare files with it)."""
    return {d["code"]: document_hash(d) for d in documents}
