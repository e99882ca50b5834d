"""Intake from the national portal (Cổng DVC quốc gia): one place for both ways a dossier
submitted there reaches us (DOMAIN-integration.md §9, DOMAIN.md decision 13).

The push endpoint (`dossiers/intake_api.py`) and the pull adapter
(`adapters/national_portal/intake.py`, which turns the §9.4 package into this shape) both call
`intake_receive` with a §9.2 dossier object:

    {"MaHoSo": "<national code>", "MaTTHC": "2.001610", "NgayNopHoSo": "20260302090000",
     "LoaiDoiTuong": "1" | "2", "ChuHoSo": …, "SoDinhDanh": …, "NgaySinh": "19900115",
     "DiaChi": {"MaTinh": 82, "MaXa": 28261, "DiaChiChiTiet": …}, "DienThoai", "Email",
     (organization: "TenThuongNhan" or "ChuHoSo", "MaSoThue", "DiaChiDoanhNghiep": {…}),
     "MaDoiTuong": "<TechID>", "DuLieuBieuMau": {…e-form…},
     "TaiLieuNop": [{"TenTepDinhKem", "Base64" | "DuongDan", "MaThanhPhanHoSo",
                     "TenThanhPhanHoSo"}]}

The dossier then enters the lifecycle like any other, through `dossier_submit` (channel
online, the portal's system account as the actor): the procedure code gives the version in
force, routing the competent agency for the applicant's commune and its electronic reception
unit, whose identifier codes the dossier. The national code is the idempotency key: a second
delivery answers "already received" (also when two arrive at once: the unique constraint on
`external_code` decides, inside a savepoint); a delivery of a dossier waiting for a supplement
is the supplement coming back (`dossier_supplement_received`).

Files come inline (base64) or by address (fetched from the national portal through
`adapters/national_portal/files.py`, allowed hosts only); either way they are checked like any
upload by their content (`documents.inspection`, the one rule: PDF, JPEG or PNG here, well
formed, no bomb, not encrypted, scanned by the antivirus when one is configured), recorded on
the component (name, size, SHA-256, type) and kept as the component's paper (motcua.documents)
in the same transaction as the dossier. Bad input raises `IntakeRefused` with a
machine-readable reason and nothing is written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.adapters.ministry import fetch_file as ministry_fetch_file
from motcua.adapters.national_portal.catalog import NationalPortalError
from motcua.adapters.national_portal.files import FileAddressRefused, FileTooLarge, fetch_file
from motcua.catalog.models import Procedure
from motcua.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from motcua.core.uploads import megabytes
from motcua.documents.inspection import SCAN_TYPES, FileRefused, Inspected, inspect
from motcua.territory.models import Commune

from ..constants import ApplicantKind, Channel, Status
from ..models import Dossier
from .reception import Applicant, ComponentIn, dossier_submit, dossier_supplement_received

logger = logging.getLogger("motcua.intake")

CREATED, UPDATED, DUPLICATE = "created", "updated", "duplicate"

# Machine-readable reasons of a refusal (the answer's "reason"), documented in integration.md.
REASONS = {
    "malformed_body",
    "missing_field",
    "invalid_field",
    "missing_identity",
    "unknown_procedure",
    "not_online",
    "not_in_province",
    "no_competence",
    "bad_base64",
    "file_type",
    "file_refused",
    "file_too_large",
    "request_too_large",
    "too_many_files",
    "file_address_refused",
    "file_unavailable",
    "not_allowed",
    "conflict",
    # A ministry's or the coordination system's hand-over (coordination/services.py).
    "unknown_system",
    "inbound_disabled",
}
# What dossier_submit's own refusals mean for the portal.
_SUBMIT_REASONS = {
    "not_published": "not_online",
    "channel_not_offered": "not_online",
    "no_competence": "no_competence",
    "other_province": "not_in_province",
    "no_identifier": "no_competence",
}
_NATIONAL_CODE_RE = re.compile(r"^[0-9A-Za-z.\-_/]{1,60}$")
_PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")
MAX_FILES = 50
# Where a file given by address is: TDDVC's proxy field, and the names other portals' bodies use.
_ADDRESS_FIELDS = ("DuongDan", "URL", "URLTepDinhKem")


class IntakeRefused(InvalidInput):
    """The portal's dossier cannot be taken: `code` is the reason (REASONS), `status` the HTTP
    status the endpoint answers with."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        status: int = 422,
    ) -> None:
        assert reason in REASONS, reason
        super().__init__(message, errors=errors, code=reason)
        self.status = status


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # CREATED, UPDATED or DUPLICATE
    dossier: Dossier
    national_code: str


@dataclass(frozen=True)
class Origin:
    """Who handed the dossier over when it is not the national portal: a ministry's system or
    the national coordination system (DOMAIN-integration.md §5, `HoSoBTXH`), whose `AcceptKey`
    is then the idempotency key instead of the national code (`Dossier.source_key`, unique per
    system: two systems may use the same keys)."""

    system: str
    key: str
    label: str


@dataclass(frozen=True)
class FileIn:
    name: str
    size: int
    sha256: str
    content_type: str
    # What documents.inspection said of it, bytes included: kept as the component's paper.
    checked: Inspected | None = field(default=None, repr=False, compare=False)


# ---------------------------------------------------------------------------------------------
# Reading the §9.2 object


def _text(body: dict[str, Any], key: str, errors: dict[str, list[str]], limit: int = 255) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[key] = [_("Must be text.")]
        return ""
    text = str(value).strip()
    if "\x00" in text:
        errors[key] = [_("Must be text.")]
        return ""
    if len(text) > limit:
        errors[key] = [_("At most %(n)s characters.") % {"n": limit}]
        return ""
    return text


def _address(body: dict[str, Any], key: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors[key] = [_("Must be an object with MaTinh, MaXa and DiaChiChiTiet.")]
        return {}
    return value


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _date(value: str) -> dt.date | None:
    for pattern in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _Applicant(Applicant):
    province_id: int | None = None


def _applicant(body: dict[str, Any]) -> tuple[_Applicant, dict[str, Any]]:
    """The applicant block: a citizen (SoDinhDanh) or an organization (MaSoThue)."""
    errors: dict[str, list[str]] = {}
    kind_code = _text(body, "LoaiDoiTuong", errors, 2)
    tax_code = _text(body, "MaSoThue", errors, 20)
    id_number = _text(body, "SoDinhDanh", errors, 20) or _text(body, "SoGiayToChuHoSo", errors, 20)
    if kind_code in ("2", "3", "4") or (not kind_code and tax_code and not id_number):
        kind = ApplicantKind.ORGANIZATION
        name = _text(body, "TenThuongNhan", errors) or _text(body, "ChuHoSo", errors)
        number = tax_code or id_number
        address = _address(body, "DiaChiDoanhNghiep", errors) or _address(body, "DiaChi", errors)
    else:
        kind = ApplicantKind.CITIZEN
        name = _text(body, "ChuHoSo", errors) or _text(body, "HoTen", errors)
        number = id_number
        address = _address(body, "DiaChi", errors)
    if errors:
        raise IntakeRefused("invalid_field", _("Some fields are not valid."), errors=errors)
    if not number:
        key = "MaSoThue" if kind == ApplicantKind.ORGANIZATION else "SoDinhDanh"
        raise IntakeRefused(
            "missing_identity",
            _("The applicant's identity number is missing."),
            errors={key: [_("This value is required.")]},
        )
    if kind == ApplicantKind.CITIZEN and not (number.isdigit() and len(number) == 12):
        raise IntakeRefused(
            "missing_identity",
            _("A personal identification number has 12 digits."),
            errors={"SoDinhDanh": [_("A personal identification number has 12 digits.")]},
        )
    if not name:
        key = "TenThuongNhan" if kind == ApplicantKind.ORGANIZATION else "ChuHoSo"
        raise IntakeRefused(
            "missing_field",
            _("The applicant's name is missing."),
            errors={key: [_("This value is required.")]},
        )
    province = _code(address.get("MaTinh"))
    commune_code = _code(address.get("MaXa"))
    if address.get("MaXa") not in (None, "") and commune_code is None:
        raise IntakeRefused(
            "invalid_field",
            _("Some fields are not valid."),
            errors={"DiaChi.MaXa": [_("Must be a whole number.")]},
        )
    commune = Commune.objects.filter(pk=commune_code).first() if commune_code else None
    if commune_code and commune is None:
        raise IntakeRefused(
            "invalid_field",
            _("Unknown commune code %(code)s.") % {"code": commune_code},
            errors={"DiaChi.MaXa": [_("Unknown commune code.")]},
        )
    if commune is not None and province is not None and commune.province_id != province:
        raise IntakeRefused(
            "invalid_field",
            _("The commune is not in the province given."),
            errors={"DiaChi.MaTinh": [_("The commune is not in the province given.")]},
        )
    detail = str(address.get("DiaChiChiTiet") or "")[:400]
    full_address = ", ".join(p for p in (detail, commune.name if commune else "") if p)
    born = _text(body, "NgaySinh", {}, 20)
    extra = {
        "date_of_birth": (_date(born).isoformat() if born and _date(born) else born),
        "tech_id": _text(body, "MaDoiTuong", {}, 100) or _text(body, "TechID", {}, 100),
        "contact": _text(body, "NguoiLienHe", {}, 255),
    }
    applicant = _Applicant(
        province_id=commune.province_id if commune else None,
        kind=kind,
        name=name,
        id_number=number,
        phone=_text(body, "DienThoai", {}, 20),
        email=_text(body, "Email", {}, 254),
        address=full_address,
        commune_id=commune.pk if commune else None,
    )
    return applicant, {k: v for k, v in extra.items() if v}


def file_check(name: str, encoded: Any, *, index: int) -> FileIn:
    """One inline file: base64 that decodes, within the size limit, a PDF, JPEG or PNG by its
    content. Returns what is recorded of it."""
    key = f"TaiLieuNop.{index}"
    if not isinstance(encoded, str) or not encoded.strip():
        raise IntakeRefused(
            "bad_base64",
            _("File %(name)s has no content.") % {"name": name},
            errors={f"{key}.Base64": [_("This value is required.")]},
        )
    limit = settings.NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES
    # A length check before decoding: base64 is 4/3 of the bytes it carries.
    if len(encoded) > (limit * 4) // 3 + 8:
        raise _too_large(name, limit, key)
    try:
        content = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise IntakeRefused(
            "bad_base64",
            _("File %(name)s is not valid base64.") % {"name": name},
            errors={f"{key}.Base64": [_("Not valid base64.")]},
        ) from None
    return file_inspect(name, content, key=key, field="Base64")


def file_inspect(name: str, content: bytes, *, key: str, field: str) -> FileIn:
    """A file's bytes, however they came, checked by `documents.inspection` (the one rule for
    every upload): within the intake's size limit, a PDF, JPEG or PNG by its content (never by
    its name), well formed, and clean. A refusal keeps its reason for the portal: "file_type",
    "file_too_large" (413), "file_refused" (damaged, encrypted, too many pages, a bomb, a
    virus), or 503 "file_unavailable" when the antivirus daemon did not answer (deliver later)."""
    limit = settings.NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES
    if len(content) > limit:
        raise _too_large(name, limit, key)
    try:
        checked = inspect(
            content, name=name, max_bytes=limit, types=SCAN_TYPES, field=f"{key}.{field}"
        )
    except FileRefused as exc:
        if exc.reason == "too_large":
            raise _too_large(name, limit, key) from None
        reason = {"file_type": "file_type", "macros": "file_type", "empty": "bad_base64"}.get(
            exc.reason, "file_refused"
        )
        if exc.retryable:
            raise IntakeRefused(
                "file_unavailable", exc.message, errors=exc.errors, status=503
            ) from None
        raise IntakeRefused(reason, exc.message, errors=exc.errors) from None
    return FileIn(
        name=name,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        checked=checked,
    )


def file_fetch(
    name: str, address: Any, *, index: int, field: str, origin: Origin | None = None
) -> FileIn:
    """One file handed over by address (§9.2 "Files by URL"): fetched through the national
    portal's file adapter (proxy or direct, NATIONAL_PORTAL_FILE_FETCH) from an allowed host
    only, then checked like an inline one. A portal that cannot give the file now answers 503
    (the portal delivers the dossier again later); an address we do not fetch from, or a file
    the portal says does not exist, is a refusal. A dossier another system hands over
    (`origin`) has its files fetched from that system's own hosts (`adapters.ministry`)."""
    key = f"TaiLieuNop.{index}"
    limit = settings.NATIONAL_PORTAL_INTAKE_FILE_MAX_BYTES
    if not isinstance(address, str) or len(address) > 2000:
        raise IntakeRefused(
            "invalid_field",
            _("Some fields are not valid."),
            errors={f"{key}.{field}": [_("Not a valid address.")]},
        )
    try:
        if origin is not None:
            content = ministry_fetch_file(origin.system, address, max_bytes=limit)
        else:
            content = fetch_file(address, max_bytes=limit)
    except FileAddressRefused:
        hint = (
            _("Only the file addresses of %(system)s.") % {"system": origin.label}
            if origin is not None
            else _("Only the national portal's file addresses.")
        )
        raise IntakeRefused(
            "file_address_refused",
            _("File %(name)s is at an address this province does not fetch from.") % {"name": name},
            errors={f"{key}.{field}": [hint]},
        ) from None
    except FileTooLarge:
        raise _too_large(name, limit, key) from None
    except NationalPortalError as exc:
        logger.warning("intake file %s not fetched: %s", name, exc.message)
        message = (
            _("File %(name)s could not be fetched from %(system)s.")
            % {"name": name, "system": origin.label}
            if origin is not None
            else _("File %(name)s could not be fetched from the national portal.") % {"name": name}
        )
        raise IntakeRefused(
            "file_unavailable",
            message,
            errors={f"{key}.{field}": [message]},
            status=422 if exc.permanent else 503,
        ) from None
    return file_inspect(name, content, key=key, field=field)


def _too_large(name: str, limit: int, key: str) -> IntakeRefused:
    message = _("File %(name)s is too large: at most %(limit)s.") % {
        "name": name,
        "limit": megabytes(limit),
    }
    return IntakeRefused("file_too_large", message, errors={key: [message]}, status=413)


def _components(body: dict[str, Any], origin: Origin | None = None) -> list[ComponentIn]:
    files = body.get("TaiLieuNop")
    if files is None:
        files = []
    if not isinstance(files, list):
        raise IntakeRefused(
            "invalid_field",
            _("Some fields are not valid."),
            errors={"TaiLieuNop": [_("Must be a list.")]},
        )
    form_file = body.get("TepDonDangKy")
    form_address = body.get("URLTepDangKy")
    if form_file or form_address:
        files = [
            {
                "TenTepDinhKem": body.get("TenTepDonDangKy")
                or body.get("TenTepDangKy")
                or "don-dang-ky.pdf",
                "Base64": form_file,
                "DuongDan": None if form_file else form_address,
                "TenThanhPhanHoSo": _("Application form"),
            },
            *files,
        ]
    if not files:
        raise IntakeRefused(
            "missing_field",
            _("The dossier has no file."),
            errors={"TaiLieuNop": [_("This value is required.")]},
        )
    if len(files) > MAX_FILES:
        raise IntakeRefused(
            "too_many_files",
            _("At most %(n)s files per dossier.") % {"n": MAX_FILES},
            errors={"TaiLieuNop": [_("At most %(n)s files per dossier.") % {"n": MAX_FILES}]},
        )
    components: list[ComponentIn] = []
    total = 0
    for index, item in enumerate(files):
        if not isinstance(item, dict):
            raise IntakeRefused(
                "invalid_field",
                _("Some fields are not valid."),
                errors={f"TaiLieuNop.{index}": [_("Must be an object.")]},
            )
        name = str(item.get("TenTepDinhKem") or "").strip()[:255]
        if not name:
            raise IntakeRefused(
                "missing_field",
                _("A file has no name."),
                errors={f"TaiLieuNop.{index}.TenTepDinhKem": [_("This value is required.")]},
            )
        address_field = next((f for f in _ADDRESS_FIELDS if item.get(f)), None)
        if item.get("Base64") in (None, "") and address_field:
            checked = file_fetch(
                name, item[address_field], index=index, field=address_field, origin=origin
            )
        else:
            checked = file_check(name, item.get("Base64"), index=index)
        total += checked.size
        if total > settings.NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES:
            limit = settings.NATIONAL_PORTAL_INTAKE_REQUEST_MAX_BYTES
            message = _("The files together are larger than %(limit)s.") % {
                "limit": megabytes(limit)
            }
            raise IntakeRefused(
                "request_too_large", message, errors={"TaiLieuNop": [message]}, status=413
            )
        component_name = str(item.get("TenThanhPhanHoSo") or "").strip()[:1000] or name
        components.append(
            ComponentIn(
                name=component_name,
                code=str(item.get("MaThanhPhanHoSo") or "").strip()[:60],
                originals=1,
                file_name=checked.name,
                file_size=checked.size,
                file_sha256=checked.sha256,
                file_type=checked.content_type,
                upload=checked.checked,
            )
        )
    return components


_KNOWN = {
    "MaHoSo",
    "MaHoSoQG",
    "MaTTHC",
    "NgayNopHoSo",
    "LoaiDoiTuong",
    "ChuHoSo",
    "HoTen",
    "SoDinhDanh",
    "SoGiayToChuHoSo",
    "NgaySinh",
    "DiaChi",
    "DiaChiDoanhNghiep",
    "DienThoai",
    "Email",
    "TenThuongNhan",
    "MaSoThue",
    "MaDoiTuong",
    "TechID",
    "NguoiLienHe",
    "DuLieuBieuMau",
    "TaiLieuNop",
    "TenTepDonDangKy",
    "TepDonDangKy",
    "TenTepDangKy",
    "URLTepDangKy",
}


def _form_data(body: dict[str, Any], extra: dict[str, Any], source: str) -> dict[str, Any]:
    form = body.get("DuLieuBieuMau")
    data: dict[str, Any] = dict(form) if isinstance(form, dict) else {}
    # TBKM-style bodies carry the e-form's keys at the top level (§9.2).
    data.update({k: v for k, v in body.items() if k not in _KNOWN})
    data["_intake"] = {
        "source": source,
        "submitted_at": str(body.get("NgayNopHoSo") or "")[:14],
        **extra,
    }
    return data


def _procedure(code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code).select_related("field").first()
    if procedure is None:
        raise IntakeRefused(
            "unknown_procedure",
            _("Procedure %(code)s is not in the province's catalog.") % {"code": code},
            errors={"MaTTHC": [_("Unknown procedure.")]},
        )
    return procedure


# ---------------------------------------------------------------------------------------------
# The service


def intake_account() -> User:
    """The national portal's system identity (settings.NATIONAL_PORTAL_INTAKE_ACCOUNT)."""
    user = (
        User.objects.filter(
            username=settings.NATIONAL_PORTAL_INTAKE_ACCOUNT, kind=User.Kind.SYSTEM, is_active=True
        )
        .select_related("agency")
        .first()
    )
    if user is None:
        raise NotAllowed(_("The national portal's intake account is not set up."))
    return user


def national_code_of(body: Any) -> str:
    """The national code of a body, for the answer's message, whatever else is wrong."""
    if isinstance(body, dict):
        value = body.get("MaHoSo") or body.get("MaHoSoQG")
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value).strip()[:200]
    return ""


def _existing(national: str, origin: Origin | None) -> Dossier | None:
    if origin is not None:
        return Dossier.objects.filter(source_system=origin.system, source_key=origin.key).first()
    return Dossier.objects.filter(external_code=national).first()


def intake_receive(
    *,
    actor: User,
    body: Any,
    source: str = "push",
    origin: Origin | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """Take one dossier from the national portal — or, with `origin`, from a ministry's or the
    coordination system (its `AcceptKey` the idempotency key; `MaHoSo`, its own code, optional
    and kept in the e-form data): created, updated (a supplement coming back) or a duplicate.
    Raises IntakeRefused (nothing written) when it cannot be taken."""
    if not isinstance(body, dict):
        raise IntakeRefused("malformed_body", _("The body must be a JSON object."), status=400)
    national = national_code_of(body)
    required = [("MaTTHC", body.get("MaTTHC"))]
    if origin is None:
        required.insert(0, ("MaHoSo", national))
    missing = {key: [_("This value is required.")] for key, value in required if not value}
    if missing:
        raise IntakeRefused("missing_field", _("Required fields are missing."), errors=missing)
    procedure_code = str(body["MaTTHC"]).strip()
    errors = {}
    if origin is None and not _NATIONAL_CODE_RE.match(national):
        errors["MaHoSo"] = [_("Letters, digits and . - _ / only, at most 60.")]
    if not _PROCEDURE_CODE_RE.match(procedure_code):
        errors["MaTTHC"] = [_("A national procedure code looks like 2.001610.")]
    if errors:
        raise IntakeRefused("invalid_field", _("Some fields are not valid."), errors=errors)
    key = origin.key if origin is not None else national

    existing = _existing(national, origin)
    if existing is not None and existing.status != Status.SUPPLEMENT:
        return IntakeResult(DUPLICATE, existing, key)

    procedure = _procedure(procedure_code)
    applicant, extra = _applicant(body)
    components = _components(body, origin)
    if existing is not None:
        return _supplement(actor, existing, components, key, now or timezone.now(), origin)
    home = actor.agency.province_id if actor.agency_id else None
    if applicant.commune_id is not None and home is not None and applicant.province_id != home:
        raise IntakeRefused(
            "not_in_province",
            _("The applicant's commune is not in this province."),
            errors={"DiaChi.MaXa": [_("The applicant's commune is not in this province.")]},
        )
    _verify(actor, applicant, procedure_code)
    now = now or timezone.now()  # after the look-up, which the dossier's verification reads
    try:
        dossier = dossier_submit(
            actor=actor,
            procedure=procedure,
            applicant=applicant,
            components=components,
            channel=Channel.ONLINE,
            form_data=_form_data(
                body, extra, f"{origin.system}:{source}" if origin is not None else source
            ),
            summary=str(body.get("TrichYeu") or "")[:1000],
            external_code="" if origin is not None else national,
            source=(origin.system, origin.key) if origin is not None else None,
            now=now,
        )
    except Conflict as exc:
        if exc.code == "duplicate":
            # Delivered twice at the same moment: the other delivery won (the unique
            # constraint decided, inside dossier_submit's savepoint).
            twin = _existing(national, origin)
            if twin is not None:
                return IntakeResult(DUPLICATE, twin, key)
        raise _refusal(exc) from None
    except IntakeRefused:
        raise
    except InvalidInput as exc:
        raise _refusal(exc) from None
    return IntakeResult(CREATED, dossier, key)


def _verify(actor: User, applicant: Applicant, procedure_code: str) -> None:
    """Look the applicant up in the national register (population database, or business
    registration for an organization), as the desk does: `dossier_submit` marks the dossier
    verified when this look-up found the same number and name. A register that does not answer,
    or a number it cannot take, leaves the dossier not verified; intake never waits on it nor
    refuses for it (Telegram 33/CĐ-TTg)."""
    from motcua.people.models import Purpose
    from motcua.people.services import business_lookup, citizen_lookup

    number = applicant.id_number.strip()
    if not number:
        return
    lookup = business_lookup if applicant.kind == ApplicantKind.ORGANIZATION else citizen_lookup
    key = "tax_code" if applicant.kind == ApplicantKind.ORGANIZATION else "id_number"
    try:
        lookup(actor=actor, **{key: number}, procedure_code=procedure_code, purpose=Purpose.INTAKE)
    except (InvalidInput, NotAllowed):
        return


def _supplement(
    actor: User,
    d: Dossier,
    components: list[ComponentIn],
    national: str,
    now: dt.datetime,
    origin: Origin | None = None,
) -> IntakeResult:
    """A re-delivery of a dossier waiting for a supplement is the supplement (§9.2
    "Duplicates"): its files are added as the new round and the dossier goes back to the desk
    (at reception) or to processing."""
    try:
        d = dossier_supplement_received(
            actor=actor,
            dossier=d,
            expected_version=d.version,
            components=components,
            note=(
                _("Supplement received from %(system)s.") % {"system": origin.label}
                if origin is not None
                else _("Supplement received from the national portal.")
            ),
            now=now,
        )
    except Conflict as exc:
        if exc.code in ("stale", "wrong_status"):
            # Two re-deliveries at once: the other one brought the supplement in.
            return IntakeResult(DUPLICATE, Dossier.objects.get(pk=d.pk), national)
        raise _refusal(exc) from None
    return IntakeResult(UPDATED, d, national)


def _refusal(exc: DomainError) -> IntakeRefused:
    if isinstance(exc, IntakeRefused):
        return exc
    errors = getattr(exc, "errors", {}) or {}
    if isinstance(exc, InvalidInput):
        reason = "missing_identity" if "applicant.id_number" in errors else "invalid_field"
        if "components" in errors:
            reason = "missing_field"
    elif isinstance(exc, NotAllowed):
        reason = "not_allowed"
    else:
        reason = _SUBMIT_REASONS.get(exc.code, "conflict")
    refused = IntakeRefused(reason, str(exc.message), errors=errors)
    refused.status = 403 if reason == "not_allowed" else 422
    return refused


# ---------------------------------------------------------------------------------------------
# Pull mode (§9.4)


@dataclass
class PullReport:
    listed: int = 0
    created: int = 0
    updated: int = 0
    duplicate: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (national code, reason)
    errors: list[str] = field(default_factory=list)


def intake_pull(*, client: Any = None, actor: User | None = None) -> PullReport:
    """One poll: log in, list the undelivered packages, take each through `intake_receive`,
    and mark it received once it exists here (created, updated or already there, §9.4 step 5).
    A refused package is not marked: it stays listed, and is reported and logged at each poll
    until the portal corrects it. A failed mark is repeated by the next poll (a duplicate)."""
    from motcua.adapters.national_portal.catalog import NationalPortalError
    from motcua.adapters.national_portal.intake import client_from_settings, package_to_intake

    report = PullReport()
    own = client is None
    client = client or client_from_settings()
    actor = actor or intake_account()
    try:
        client.login()
        rows = client.pending()
        report.listed = len(rows)
        for row in rows:
            national = str(row["maHoSo"])
            try:
                detail = client.detail(row["id"])
                result = intake_receive(actor=actor, body=package_to_intake(detail), source="pull")
                client.mark_received(result.national_code)
            except DomainError as exc:
                report.refused.append((national, exc.code))
                logger.warning(
                    "intake pull refused", extra={"national_code": national, "reason": exc.code}
                )
                continue
            except NationalPortalError as exc:
                report.errors.append(f"{national}: {exc.message}")
                if not exc.permanent:
                    break  # the portal is struggling: the next poll goes on
                continue
            setattr(report, result.outcome, getattr(report, result.outcome) + 1)
    except NationalPortalError as exc:
        report.errors.append(exc.message)
    finally:
        if own:
            client.close()
    return report
