"""The content of one procedure version, as one validated document.

Every way into the catalog (the admin form, the API, .xlsx and JSON import, the national
procedure database importer, the demo) produces this document and hands it to the same
services; JSON export writes it back out. Keeping one shape makes the import diff, the
completeness gate and version immutability a matter of comparing and checking documents.

Validation messages are Vietnamese (`errors_from_validation`), keyed by the field path
("fees.2.amount_vnd"), so a bad import row points at the exact cell.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.core.errors import validation_message
from motcua.core.schemas import AMOUNT_VND_MAX, MAX_ROWS

from .constants import (
    Channel,
    FeeKind,
    Level,
    OnlineLevel,
    Requirement,
    ReuseSource,
    TimeUnit,
)
from .models import PROCEDURE_CODE_RE

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class TimeItem(BaseModel):
    """Thời hạn giải quyết for one channel (or every channel) and optionally one case."""

    model_config = _STRICT
    channel: Channel | None = None
    case: str = Field("", max_length=500)
    amount: int = Field(ge=0, le=3650)
    unit: TimeUnit = TimeUnit.WORKING_DAYS
    # Same-day settlement cut-off: received after it, settled the next working day.
    cutoff: dt.time | None = None
    # Public text (the national catalog's description) vs. notes for administrators, which
    # never reach the citizens' pages.
    description: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


class FeeItem(BaseModel):
    """One fee or charge line (phí, lệ phí): amount in whole đồng, the law that sets it."""

    model_config = _STRICT
    kind: FeeKind = FeeKind.CHARGE
    name: str = Field(min_length=1, max_length=500)
    channel: Channel | None = None
    # None = not known yet (e.g. the provincial People's Council sets it and it is not filled in).
    amount_vnd: int | None = Field(default=None, ge=0, le=AMOUNT_VND_MAX)
    unit: str = Field("", max_length=200)
    basis: str = Field("", max_length=500)
    online_amount_vnd: int | None = Field(default=None, ge=0, le=AMOUNT_VND_MAX)
    online_reduction_basis: str = Field("", max_length=500)
    exemptions: str = Field("", max_length=2000)
    description: str = Field("", max_length=2000)  # public
    note: str = Field("", max_length=2000)  # for administrators only


class ComponentItem(BaseModel):
    """Thành phần hồ sơ."""

    model_config = _STRICT
    code: str = Field("", max_length=60)
    name: str = Field(min_length=1, max_length=2000)
    originals: int = Field(0, ge=0, le=100)
    copies: int = Field(0, ge=0, le=100)
    requirement: Requirement = Requirement.REQUIRED
    condition: str = Field("", max_length=1000)
    # The law prescribes a form (mẫu đơn, tờ khai) for this component …
    form_required: bool = False
    # … and this is the code of the template file the catalog holds for it.
    form_template: str = Field("", max_length=60)
    reuse: ReuseSource = ReuseSource.NONE
    reuse_source_name: str = Field("", max_length=255)


class LegalBasisItem(BaseModel):
    """Căn cứ pháp lý: a legal document by number, date and issuer."""

    model_config = _STRICT
    number: str = Field(min_length=1, max_length=100)
    title: str = Field("", max_length=1000)
    issued_on: dt.date | None = None
    issuer: str = Field("", max_length=255)


class ProcedureContent(BaseModel):
    """Everything a published procedure says, for one version."""

    model_config = _STRICT
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=1000)
    field_code: str = Field(min_length=1, max_length=40)
    field_name: str = Field("", max_length=255)
    level: Level
    is_province_specific: bool = False
    online_level: OnlineLevel = OnlineLevel.NONE
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    subjects: str = Field("", max_length=2000)
    steps: str = Field("", max_length=20000)
    conditions: str = Field("", max_length=20000)
    result_name: str = Field("", max_length=1000)
    result_validity: str = Field("", max_length=255)
    eform: dict[str, Any] | None = None
    is_lien_thong: bool = False
    lien_thong_agencies: str = Field("", max_length=1000)
    # Each item becomes a row when the version is saved: no list is endless.
    times: list[TimeItem] = Field(default_factory=list, max_length=MAX_ROWS)
    fees: list[FeeItem] = Field(default_factory=list, max_length=MAX_ROWS)
    components: list[ComponentItem] = Field(default_factory=list, max_length=MAX_ROWS)
    legal_bases: list[LegalBasisItem] = Field(default_factory=list, max_length=MAX_ROWS)
    decision_number: str = Field("", max_length=100)
    decision_date: dt.date | None = None
    decision_issuer: str = Field("", max_length=255)
    effective_from: dt.date | None = None
    note: str = Field("", max_length=5000)

    @field_validator("code")
    @classmethod
    def _code_format(cls, value: str) -> str:
        if not PROCEDURE_CODE_RE.match(value):
            raise ValueError("procedure_code")
        return value

    @field_validator("channels")
    @classmethod
    def _channels_unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def as_document(self) -> dict[str, Any]:
        """The JSON-ready document (dates as ISO strings), as export writes it."""
        return self.model_dump(mode="json")


def _message(error: dict) -> str:
    if error["type"] == "value_error" and "procedure_code" in str(error.get("msg", "")):
        return _("A procedure code looks like 1.001193 (N.NNNNNN).")
    return validation_message(error)


def errors_from_validation(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as {"fees.2.amount_vnd": ["Phải là số nguyên."]}, in Vietnamese."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "__all__"
        errors.setdefault(path, []).append(_message(error))
    return errors


def content_parse(data: dict[str, Any]) -> ProcedureContent:
    """Validate a document; raise InvalidInput with per-field Vietnamese messages."""
    from motcua.core.errors import InvalidInput

    try:
        return ProcedureContent.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            _("The procedure content has errors."), errors=errors_from_validation(exc)
        ) from exc
