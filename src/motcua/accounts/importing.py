"""Bulk import and export of officials and their grants, as .xlsx or CSV.

One row per (official, grant). An official with several posts (kiêm nhiệm) takes several rows
with the same personal data; a row with no role creates the account only. Import is two steps:
a dry-run preview that lists every error by row number, then apply. Any bad row rejects the whole
file and nothing is written.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from motcua.catalog.models import Field, Procedure
from motcua.core.audit import audit_record
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_bytes,
    restore,
    xlsx_bytes,
    xlsx_open,
)
from motcua.core.textnorm import fold
from motcua.core.uploads import too_large_message
from motcua.organizations.models import Agency

from .authz import agencies_where, has_any
from .constants import Action
from .models import Grant, ImportBatch, Role, User
from .services import (
    grant_create,
    grant_refusal,
    normalize_phone,
    official_create,
    official_errors,
)

# (key, header) in file order. Headers are Vietnamese; English headers and the keys themselves
# are accepted too, with or without diacritics.
COLUMNS: list[tuple[str, str, str]] = [
    ("username", "Tên đăng nhập", "Username"),
    ("full_name", "Họ và tên", "Full name"),
    ("email", "Thư điện tử", "E-mail"),
    ("phone", "Số điện thoại", "Phone"),
    ("agency_code", "Mã cơ quan công tác", "Home agency code"),
    ("position", "Chức vụ", "Position"),
    ("role", "Vai trò", "Role"),
    ("scope_agency_code", "Mã cơ quan được phân quyền", "Grant agency code"),
    ("include_subtree", "Gồm đơn vị trực thuộc", "Include sub-units"),
    ("field_code", "Mã lĩnh vực", "Field code"),
    ("procedure_code", "Mã thủ tục", "Procedure code"),
]
REQUIRED_COLUMNS = {"username", "full_name", "agency_code"}
PERSONAL_KEYS = ["full_name", "email", "phone", "agency_code", "position"]
_HEADER_KEYS = {fold(label): key for key, vi, en in COLUMNS for label in (vi, en, key)}
_YES = {"co", "x", "yes", "y", "1", "true", "dung"}
_NO = {"", "khong", "no", "n", "0", "false", "sai"}
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 50
# Bounds the XML openpyxl parses on opening: 20,000 rows of officials take a tenth of it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Stored with a rejected file: enough to fix it, bounded however broken the file is.
MAX_STORED_ERRORS = 500

LABELS = {key: gettext_lazy(vi) for key, vi, _en in COLUMNS}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        return _("Row %(row)d, %(column)s: %(message)s") % self.as_dict()


@dataclass
class PlannedGrant:
    row: int
    role: Role
    agency: Agency
    include_subtree: bool
    field: Field | None
    procedure: Procedure | None


@dataclass
class PlannedOfficial:
    row: int
    username: str
    full_name: str
    email: str
    phone: str
    agency: Agency
    position: str
    grants: list[PlannedGrant] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: int = 0
    officials: list[PlannedOfficial] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def grant_count(self) -> int:
        return sum(len(o.grants) for o in self.officials)

    def summary(self) -> dict:
        return {"rows": self.rows, "officials": len(self.officials), "grants": self.grant_count}


class UnreadableFile(InvalidInput):
    """The file cannot be read past `row` (its format, its size, a cell): nothing is planned."""

    def __init__(self, message: str, *, row: int = 1, errors=None) -> None:
        super().__init__(message, errors=errors)
        self.row = row


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    # Streamed from the first sheet (openpyxl read_only): a file of 400,000 rows costs the
    # rows up to the limit, not all of them.
    workbook = xlsx_open(content, max_unpacked=MAX_UNPACKED_BYTES)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield ["" if v is None else str(restore(v)).strip() for v in row]
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(_("A CSV file must be encoded in UTF-8.")) from exc
    # Only the delimiter is guessed (from the header line); quoting stays Excel's, so a quoted
    # cell with "" inside (as our export writes) reads back whole.
    delimiter = ","
    with contextlib.suppress(csv.Error):
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Python's csv refuses a field over 131,072 characters: a runaway quotation mark,
            # or not a list of officials. Say where, instead of failing the request.
            raise UnreadableFile(
                _(
                    "Row %(row)d: a cell is longer than %(n)d characters, or a quotation mark "
                    "is not closed."
                )
                % {"row": number, "n": csv.field_size_limit()},
                row=number,
            ) from exc
        yield [restore(cell).strip() for cell in row[:MAX_COLUMNS]]


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of an .xlsx or .csv file as (spreadsheet row number, {column key: text}).

    Reading stops with UnreadableFile at the first row past MAX_ROWS (+ the header)."""
    name = filename.lower()
    if len(content) > MAX_BYTES:
        raise UnreadableFile(too_large_message(MAX_BYTES))
    if name.endswith(".xlsx"):
        raw = _xlsx_rows(content)
    elif name.endswith(".csv"):
        raw = _csv_rows(content)
    else:
        raise UnreadableFile(_("Upload an .xlsx or .csv file."))
    try:
        first = next(raw, None)
        if first is None:
            raise UnreadableFile(_("The file is empty."))
        header = [_HEADER_KEYS.get(fold(cell)) for cell in first]
        unknown = [first[i] for i, key in enumerate(header) if key is None and first[i]]
        missing = REQUIRED_COLUMNS - set(header)
        if missing or unknown:
            errors = {}
            if missing:
                errors["header"] = [
                    _("Missing column(s): %(cols)s")
                    % {"cols": ", ".join(str(LABELS[k]) for k in sorted(missing))}
                ]
            if unknown:
                errors.setdefault("header", []).append(
                    _("Unknown column(s): %(cols)s") % {"cols": ", ".join(unknown)}
                )
            raise UnreadableFile(_("The first row must hold the column headers."), errors=errors)
        rows = []
        for number, cells in enumerate(raw, start=2):
            if number > MAX_ROWS + 1:
                raise UnreadableFile(
                    _("A file may hold at most %(n)d rows.") % {"n": MAX_ROWS}, row=number
                )
            if not any(cells):
                continue
            values = {key: "" for key, _vi, _en in COLUMNS}
            for index, key in enumerate(header):
                if key and index < len(cells):
                    values[key] = cells[index]
            rows.append((number, values))
    finally:
        raw.close()
    return rows


def build_plan(*, actor, rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Validate every row against the database and the actor's permissions; write nothing."""
    plan = ImportPlan(rows=len(rows))
    codes = {v[k] for _n, v in rows for k in ("agency_code", "scope_agency_code") if v[k]}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    roles = {}
    for role in Role.objects.all():
        roles[role.code] = role
        roles[fold(role.name)] = role
        if role.name_en:
            roles[fold(role.name_en)] = role
    fields = {f.code: f for f in Field.objects.filter(code__in={v["field_code"] for _n, v in rows})}
    procedures = {
        p.code: p
        for p in Procedure.objects.filter(code__in={v["procedure_code"] for _n, v in rows})
    }
    manageable = set(agencies_where(actor, Action.OFFICIAL_MANAGE).values_list("pk", flat=True))
    by_username: dict[str, PlannedOfficial] = {}
    first_row_of: dict[str, tuple[int, dict[str, str]]] = {}
    email_owner: dict[str, str] = {}
    seen_grants: dict[tuple, int] = {}

    def error(row: int, key: str, message: str) -> None:
        plan.errors.append(RowError(row, str(LABELS.get(key, key)), message))

    def agency_for(row: int, key: str, code: str) -> Agency | None:
        agency = agencies.get(code)
        if agency is None:
            error(row, key, _("No agency has the identifier %(code)s.") % {"code": code})
        elif agency.pk not in manageable and not actor.is_superuser:
            error(
                row,
                key,
                _("You may not manage officials of %(agency)s.") % {"agency": agency.name},
            )
            return None
        return agency

    for number, values in rows:
        username = values["username"]
        lowered = username.lower()
        values["email"] = values["email"].lower()
        values["phone"] = normalize_phone(values["phone"]) if values["phone"] else ""
        row_errors_before = len(plan.errors)
        official = by_username.get(lowered)
        if official is None and lowered not in first_row_of:
            first_row_of[lowered] = (number, values)
            for key, messages in official_errors(
                username=username,
                full_name=values["full_name"],
                email=values["email"],
                phone=values["phone"],
            ).items():
                for message in messages:
                    error(number, key, message)
            for key in ("full_name", "email", "position"):
                limit = User._meta.get_field(key).max_length
                if len(values[key]) > limit:
                    error(number, key, _("At most %(n)d characters.") % {"n": limit})
            if values["email"]:
                other = email_owner.setdefault(values["email"], lowered)
                if other != lowered:
                    error(
                        number,
                        "email",
                        _("The e-mail %(e)s is already used in this file by %(u)s.")
                        % {"e": values["email"], "u": other},
                    )
            home = (
                agency_for(number, "agency_code", values["agency_code"])
                if values["agency_code"]
                else None
            )
            if not values["agency_code"]:
                error(number, "agency_code", _("Required."))
        else:
            first_number, first_values = first_row_of[lowered]
            different = [k for k in PERSONAL_KEYS if values[k] and values[k] != first_values[k]]
            if different:
                error(
                    number,
                    different[0],
                    _("Account %(u)s is repeated with data different from row %(row)d.")
                    % {"u": username, "row": first_number},
                )
            home = official.agency if official else None

        grant = None
        if values["role"]:
            role = roles.get(values["role"]) or roles.get(fold(values["role"]))
            if role is None:
                error(number, "role", _("Unknown role %(r)s.") % {"r": values["role"]})
            # Without a grant agency the role is held in the home agency.
            scope_code = values["scope_agency_code"]
            scope = agency_for(number, "scope_agency_code", scope_code) if scope_code else home
            subtree = fold(values["include_subtree"])
            if subtree not in _YES | _NO:
                error(number, "include_subtree", _("Write “có” or “không”."))
            field_obj = fields.get(values["field_code"]) if values["field_code"] else None
            if values["field_code"] and field_obj is None:
                error(
                    number,
                    "field_code",
                    _("Unknown field code %(c)s.") % {"c": values["field_code"]},
                )
            proc = procedures.get(values["procedure_code"]) if values["procedure_code"] else None
            if values["procedure_code"] and proc is None:
                error(
                    number,
                    "procedure_code",
                    _("Unknown procedure code %(c)s.") % {"c": values["procedure_code"]},
                )
            if role and scope:
                # The same rule as grant_create, so the preview shows it row by row.
                refusal = grant_refusal(
                    actor=actor,
                    role=role,
                    agency=scope,
                    include_subtree=subtree in _YES,
                    field=field_obj,
                    procedure=proc,
                )
                if refusal:
                    error(number, "role", refusal)
                key = (
                    lowered,
                    role.pk,
                    scope.pk,
                    subtree in _YES,
                    values["field_code"],
                    values["procedure_code"],
                )
                if key in seen_grants:
                    error(
                        number,
                        "role",
                        _("This grant repeats row %(row)d.") % {"row": seen_grants[key]},
                    )
                seen_grants[key] = number
                grant = PlannedGrant(number, role, scope, subtree in _YES, field_obj, proc)
        if len(plan.errors) > row_errors_before:
            continue
        if official is None and lowered not in by_username:
            official = PlannedOfficial(
                row=number,
                username=username,
                full_name=values["full_name"],
                email=values["email"],
                phone=values["phone"],
                agency=home,
                position=values["position"],
            )
            by_username[lowered] = official
            plan.officials.append(official)
        if grant is not None and official is not None:
            official.grants.append(grant)
    return plan


def _ensure_can_import(actor) -> None:
    if not has_any(actor, {Action.OFFICIAL_MANAGE}):
        raise NotAllowed(_("You do not have permission for this action."))


def officials_import_preview(*, actor, filename: str, content: bytes) -> ImportBatch:
    """Dry run: check every row, write no official or grant.

    A file too large to consider is refused outright (InvalidInput), and nothing is stored. A
    file with errors is recorded as rejected with its errors (at most MAX_STORED_ERRORS) but
    without its content: only a file that may be applied is kept.
    """
    _ensure_can_import(actor)
    if len(content) > MAX_BYTES:
        raise InvalidInput(
            too_large_message(MAX_BYTES), errors={"file": [too_large_message(MAX_BYTES)]}
        )
    try:
        rows = read_rows(filename, content)
    except InvalidInput as exc:
        # The file cannot be read (format, encoding, headers, a cell, its length): report it
        # on the row where reading stopped.
        messages = [str(exc.message)] + [m for ms in exc.errors.values() for m in ms]
        rows, plan = [], ImportPlan()
        row = getattr(exc, "row", 1)
        plan_errors = [RowError(row, _("file"), m).as_dict() for m in messages]
    else:
        plan = build_plan(actor=actor, rows=rows)
        plan_errors = [e.as_dict() for e in plan.errors]
    if len(plan_errors) > MAX_STORED_ERRORS:
        rest = plan_errors[MAX_STORED_ERRORS:]
        summary = _("… and %(n)d more errors.") % {"n": len(rest)}
        plan_errors = [
            *plan_errors[:MAX_STORED_ERRORS],
            RowError(rest[0]["row"], _("file"), summary).as_dict(),
        ]
    return ImportBatch.objects.create(
        filename=filename[:255],
        content=b"" if plan_errors else content,
        sha256=hashlib.sha256(content).hexdigest(),
        status=ImportBatch.Status.REJECTED if plan_errors else ImportBatch.Status.PREVIEWED,
        rows=len(rows),
        errors=plan_errors,
        summary=plan.summary(),
        created_by=actor,
    )


def officials_import_apply(*, actor, batch: ImportBatch) -> ImportBatch:
    """Apply a previewed file, all of it or nothing. Rows are checked again: the database may
    have changed since the preview."""
    _ensure_can_import(actor)
    if batch.created_by_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("Only the person who uploaded the file may apply it."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEWED:
            raise Conflict(_("This file has already been applied or was rejected."))
        plan = build_plan(actor=actor, rows=read_rows(locked.filename, bytes(locked.content)))
        if plan.errors:
            raise InvalidInput(
                _("The file has errors; nothing was imported."),
                errors={str(e.row): [str(e)] for e in plan.errors},
            )
        for planned in plan.officials:
            user = official_create(
                actor=actor,
                username=planned.username,
                full_name=planned.full_name,
                agency=planned.agency,
                email=planned.email,
                phone=planned.phone,
                position=planned.position,
            )
            for g in planned.grants:
                grant_create(
                    actor=actor,
                    user=user,
                    role=g.role,
                    agency=g.agency,
                    include_subtree=g.include_subtree,
                    field=g.field,
                    procedure=g.procedure,
                    note=_("Imported from %(file)s") % {"file": locked.filename},
                )
        locked.status = ImportBatch.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.summary = plan.summary()
        locked.save(update_fields=["status", "applied_at", "summary"])
        audit_record(
            actor=actor,
            action="officials.import",
            obj=locked,
            after=locked.summary,
            note=locked.filename,
        )
    return locked


def export_rows(*, actor) -> list[list[str]]:
    """The officials the actor may view, one row per active grant, in the import format."""
    if not has_any(actor, {Action.OFFICIAL_VIEW}):
        raise NotAllowed(_("You do not have permission for this action."))
    visible = agencies_where(actor, Action.OFFICIAL_VIEW)
    officials = (
        User.objects.filter(kind=User.Kind.OFFICIAL, agency__in=visible)
        .select_related("agency")
        .order_by("agency__path", "username")
    )
    grants: dict[int, list[Grant]] = {}
    for grant in (
        Grant.objects.filter(user__in=officials, revoked_at__isnull=True)
        .select_related("role", "agency", "field", "procedure")
        .order_by("pk")
    ):
        grants.setdefault(grant.user_id, []).append(grant)
    rows = []
    for user in officials:
        personal = [
            user.username,
            user.full_name,
            user.email,
            user.phone,
            user.agency.code or "",
            user.position,
        ]
        for grant in grants.get(user.pk) or [None]:
            if grant is None:
                rows.append([*personal, "", "", "", "", ""])
                continue
            rows.append(
                [
                    *personal,
                    grant.role.code,
                    grant.agency.code or "",
                    "có" if grant.include_subtree else "không",
                    grant.field.code if grant.field else "",
                    grant.procedure.code if grant.procedure else "",
                ]
            )
    return rows


EXPORT_CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def officials_export(*, actor, fmt: str) -> bytes:
    """The export as .xlsx or .csv bytes, in the same columns the importer reads (written by
    core.spreadsheets: no cell becomes a formula)."""
    header = [vi for _key, vi, _en in COLUMNS]
    rows = export_rows(actor=actor)
    if fmt == "csv":
        return csv_bytes(header, rows)
    if fmt != "xlsx":
        raise InvalidInput(_("Choose xlsx or csv."))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cán bộ"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip(
        "ABCDEFGHIJK", [18, 26, 28, 14, 20, 22, 20, 22, 12, 14, 14], strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return xlsx_bytes(workbook)
