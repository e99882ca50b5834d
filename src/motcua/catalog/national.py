"""Map a national procedure record to our procedure content document.

The record is the `data` object the national portal (Cổng DVC quốc gia, CSDL quốc gia về TTHC)
answers for one procedure (get-formality-by-citizen). The document is the one ProcedureContent
(content.py) validates; dates come out as ISO strings, so the result is JSON-ready and compares
equal to `ProcedureContent.as_document()`.

Values found across the 502 captured records (data of 18/7/2026) and how they map:

- executionMethods[].submissionMethod: DIRECT, ONLINE, POSTAL → direct, online, post.
- processingTimeUnit: WORKING_DAY, DAY, HOUR, MONTH, OTHER. HOUR → working_hours (the only hour
  unit we have). OTHER means "see the cases": cases[].processingDay {qty, type} holds the figure,
  with type WORKING_DAY, DAY, HOUR or OTHER. processingTime is an int, a fraction (7.5 working
  days) or, with OTHER, free text ("Không quá 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ").
- fees[].type: FEE, SERVICE_FEE, PRICE_LEVEL; value: an integer or null; currencyName: null,
  "Việt Nam Đồng" or "USD" (procedures done at diplomatic missions).
- isWard / isProvince / isMinistry / isOtherAgency flags; type STANDARD or SPECIFIC.

Nothing is invented: a figure the record does not give stays empty, and text that could not be
read as a time limit is kept in `note` for a person to settle.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from zoneinfo import ZoneInfo

from .constants import Channel, FeeKind, Level, OnlineLevel, Requirement, TimeUnit
from .content import ProcedureContent

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# A working day is 8 working hours (Labour Code 2019 art. 105; the State's 40-hour week,
# Decision 188/1999/QĐ-TTg), so a fraction of a working day is a whole number of working hours.
WORKING_HOURS_PER_DAY = 8

_CHANNELS = {
    "DIRECT": Channel.DIRECT,
    "ONLINE": Channel.ONLINE,
    "POSTAL": Channel.POST,
    "POST": Channel.POST,  # not seen in the records; accepted in case the portal shortens it
}
_CHANNEL_ORDER = [Channel.DIRECT, Channel.ONLINE, Channel.POST]

_UNITS = {
    "WORKING_DAY": TimeUnit.WORKING_DAYS,
    "DAY": TimeUnit.DAYS,
    "HOUR": TimeUnit.WORKING_HOURS,
    "WORKING_HOUR": TimeUnit.WORKING_HOURS,  # not seen; the same meaning if it appears
    "MONTH": TimeUnit.MONTHS,
}

# The portal's fee types. SERVICE_FEE lines are lệ phí: 817 of the 868 with a description say
# "lệ phí" (đăng ký hộ tịch, cư trú…). FEE lines are phí (a charge for a service, e.g. "phí cấp
# bản sao trích lục"), though a few provinces file lệ phí under it too; we keep the portal's word.
# PRICE_LEVEL is a price ("mức giá", mostly land services priced by the provincial People's
# Council), which is neither phí nor lệ phí under the Law on Fees and Charges 2015.
_FEE_KINDS = {
    "FEE": (FeeKind.FEE, "Phí"),
    "SERVICE_FEE": (FeeKind.CHARGE, "Lệ phí"),
    "PRICE_LEVEL": (FeeKind.OTHER, "Mức giá"),
}
_VND_NAMES = {None, "", "Việt Nam Đồng", "VND"}

# Text limits such as "Không quá 15 ngày làm việc"; the mountain-commune extension
# ("được tăng thêm không quá 10 ngày làm việc") is not the limit itself.
_TEXT_TIME_RE = re.compile(
    r"(tăng thêm\s+)?không quá\s+(\d+(?:[.,]\d+)?)\s*(ngày làm việc|ngày|giờ làm việc|giờ|tháng)",
    re.IGNORECASE,
)
_TEXT_UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ làm việc": TimeUnit.WORKING_HOURS,
    "giờ": TimeUnit.WORKING_HOURS,
    "tháng": TimeUnit.MONTHS,
}

_BULLET_RE = re.compile(r"^\s*(?:[-–+•]\s*)+")
_ENUMERATION_RE = re.compile(
    r"^\s*(?:\*\s*|\(\d+(?:\.\d+)*\)\s*|[a-zđ]\)\s*|\d+(?:\.\d+)*[.)]\s*)+"
)
_CONDITIONAL_RE = re.compile(r"^(?:trường hợp|đối với|nếu)\b", re.IGNORECASE)
# "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản…": the case ends where the paper begins.
_CLAUSE_END_RE = re.compile(r"\s+(?:thì|phải|cần)\s+|,\s+")
_FORM_RE = re.compile(r"theo mẫu|tờ khai|đơn đề nghị", re.IGNORECASE)
_DATE_AFTER = r"\s*,?\s*ngày\s+(\d{1,2})\s*(?:/|-|\.|tháng)\s*(\d{1,2})\s*(?:/|-|\.|năm)\s*(\d{4})"
_SPACES_RE = re.compile(r"\s+")


class UnmappedValue(ValueError):
    """The record holds a value this mapping does not know; a person must look at it."""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _clip(value: Any, limit: int) -> str:
    """Fit a text into a field of `limit` characters, marking the cut with an ellipsis."""
    text = _text(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _join(parts: list[str], sep: str) -> str:
    return sep.join(dict.fromkeys(part for part in parts if part))


def _names(items: Any) -> list[str]:
    return [_text(item.get("name")) for item in items or [] if isinstance(item, dict)]


def _level(data: dict[str, Any]) -> Level:
    ward, province = bool(data.get("isWard")), bool(data.get("isProvince"))
    if ward and province:
        return Level.COMMUNE_PROVINCE
    if ward:
        return Level.COMMUNE
    if province:
        return Level.PROVINCE
    # isMinistry / isOtherAgency only: done by a ministry or another central body.
    return Level.CENTRAL


def _channel(method: dict[str, Any]) -> Channel:
    raw = method.get("submissionMethod")
    try:
        return _CHANNELS[raw]
    except KeyError:
        raise UnmappedValue(f"submissionMethod {raw!r}") from None


def _quantity(value: Any, unit: TimeUnit) -> tuple[int, TimeUnit, str] | None:
    """A portal time figure as (whole amount, unit, remark), or None if it is not a figure."""
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    remark = ""
    if not float(value).is_integer():
        hours = value * WORKING_HOURS_PER_DAY
        if unit == TimeUnit.WORKING_DAYS and float(hours).is_integer():
            remark = f"{value:g} ngày làm việc = {hours:g} giờ làm việc"
            value, unit = hours, TimeUnit.WORKING_HOURS
        else:
            # Round up: a limit may never be shortened by our arithmetic.
            remark = f"Cổng DVC quốc gia ghi {value:g}, làm tròn lên"
            value = math.ceil(value)
    amount = int(value)
    return (amount, unit, remark) if amount <= 3650 else None


def _time_from_text(text: str) -> tuple[int, TimeUnit] | None:
    """The limit stated by a text, if it states exactly one ("Không quá 15 ngày…")."""
    found = {
        (match.group(2), _TEXT_UNITS[match.group(3).lower()])
        for match in _TEXT_TIME_RE.finditer(text)
        if not match.group(1)
    }
    if len(found) != 1:
        return None  # none, or several cases (a) … b) …): a person splits them
    figure, unit = found.pop()
    quantity = _quantity(figure, unit)
    return (quantity[0], quantity[1]) if quantity and not quantity[2] else None


def _case_times(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time items from cases[].processingDay: one if every case agrees, else one per case."""
    readings = []
    names = [_text(case.get("name")) for case in cases]
    for case, name in zip(cases, names, strict=True):
        day = case.get("processingDay") or {}
        unit = _UNITS.get(day.get("type"))
        quantity = _quantity(day.get("qty"), unit) if unit else None
        if quantity is None:
            continue
        # Several cases often share one name; their codes (1.001193.01, …) tell them apart.
        label = name if names.count(name) == 1 else f"{name} ({_text(case.get('code'))})"
        readings.append((label, *quantity))
    if not readings:
        return []
    if len({reading[1:] for reading in readings}) == 1 and len(readings) == len(cases):
        _, amount, unit, remark = readings[0]
        return [{"case": "", "amount": amount, "unit": unit, "note": remark}]
    return [
        {"case": _clip(label, 500), "amount": amount, "unit": unit, "note": remark}
        for label, amount, unit, remark in readings
    ]


def _times(data: dict[str, Any], unresolved: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cases = [case for case in data.get("cases") or [] if isinstance(case, dict)]
    for method in data.get("executionMethods") or []:
        channel = _channel(method)
        description = _text(method.get("description"))
        raw_unit = method.get("processingTimeUnit")
        raw_time = method.get("processingTime")
        unit = _UNITS.get(raw_unit)
        if unit is None and raw_unit != "OTHER":
            raise UnmappedValue(f"processingTimeUnit {raw_unit!r}")
        quantity = _quantity(raw_time, unit) if unit else None
        if quantity is not None:
            amount, unit, remark = quantity
            found = [{"case": "", "amount": amount, "unit": unit, "note": remark}]
        else:
            # OTHER (or a text figure): the cases carry the limit; failing that, the text may.
            found = _case_times(cases)
            text = _text(raw_time) if isinstance(raw_time, str) else ""
            parsed = _time_from_text(text) if not found and text else None
            if parsed:
                found = [{"case": "", "amount": parsed[0], "unit": parsed[1], "note": text}]
            elif not found:
                unresolved.append(text or f"{raw_time} ({raw_unit}) {description}".strip())
        for item in found:
            # The portal's description is public text; how we read the figure is our note.
            item.update(
                channel=channel.value,
                unit=item["unit"].value,
                description=_clip(description, 2000),
                note=_clip(item["note"], 2000),
            )
            items.append(item)
    return list({_key(item): item for item in items}.values())


def _key(item: dict[str, Any]) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in item.items()))


def _fees(data: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for method in data.get("executionMethods") or []:
        channel = _channel(method)
        for fee in method.get("fees") or []:
            kind, name = _FEE_KINDS.get(fee.get("type"), (FeeKind.OTHER, "Khoản thu khác"))
            value = fee.get("value")
            description = _text(fee.get("description"))
            if value is None and not description:
                continue  # the line says nothing: no figure, no text
            amount: int | None = None
            unit, remark = "", ""
            currency = fee.get("currencyName")
            if isinstance(value, int | float) and not isinstance(value, bool):
                if currency in _VND_NAMES and float(value).is_integer() and value >= 0:
                    amount = int(value)
                else:
                    # A foreign-currency figure is not an amount in đồng; keep it as text.
                    unit = _clip(currency or "", 200)
                    remark = f"Mức thu: {value:g} {currency or ''}".strip()
            items.append(
                {
                    "kind": kind.value,
                    "name": name,
                    "channel": channel.value,
                    "amount_vnd": amount,
                    "unit": unit,
                    "description": _clip(description, 2000),
                    "note": _clip(remark, 2000),
                }
            )
    return list({_key(item): item for item in items}.values())


def _components(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Dossier components, and the 0/0 lines, which are rules about them rather than papers."""
    groups = [group for group in data.get("executionCases") or [] if isinstance(group, dict)]
    if not any(group.get("profileComponents") for group in groups):
        groups = [{"name": "", "profileComponents": data.get("profileComponents") or []}]
    components: list[dict[str, Any]] = []
    notes: list[str] = []
    for group in groups:
        heading = _text(group.get("name"))
        heading_conditional = bool(_CONDITIONAL_RE.match(_ENUMERATION_RE.sub("", heading)))
        group_notes: list[str] = []
        for part in group.get("profileComponents") or []:
            name = _BULLET_RE.sub("", _text(part.get("name")))
            if not name:
                continue
            originals = int(part.get("originalQty") or 0)
            copies = int(part.get("copyQty") or 0)
            if originals == 0 and copies == 0:
                group_notes.append(name)
                continue
            conditional = bool(_CONDITIONAL_RE.match(name))
            clause = _CLAUSE_END_RE.split(name, maxsplit=1)[0] if conditional else ""
            components.append(
                {
                    "code": _clip(part.get("code"), 60),
                    "name": _clip(name, 2000),
                    "originals": min(originals, 100),
                    "copies": min(copies, 100),
                    "requirement": (
                        Requirement.CONDITIONAL
                        if conditional or heading_conditional
                        else Requirement.REQUIRED
                    ).value,
                    "condition": _clip(_join([heading, clause], " "), 1000),
                    # The portal offers an e-form for it, or its name says a form is prescribed.
                    "form_required": bool(part.get("hasElectronicForm"))
                    or bool(_FORM_RE.search(name)),
                }
            )
        if group_notes:
            notes.extend([heading] if heading else [])
            notes.extend(f"- {note}" for note in group_notes)
    return components, notes


def _issued_on(number: str, title: str) -> dt.date | None:
    """The date written right after the document's own number in its title, if any."""
    number, title = _SPACES_RE.sub(" ", number), _SPACES_RE.sub(" ", title)
    match = re.search(re.escape(number) + _DATE_AFTER, title, re.IGNORECASE)
    if not match:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _legal_bases(data: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for basis in data.get("legalBasisesDetails") or []:
        number, title = _text(basis.get("code")), _text(basis.get("name"))
        if not number:
            continue
        issued = _issued_on(number, title)
        items.append(
            {
                "number": _clip(number, 100),
                "title": _clip(title, 1000),
                "issued_on": issued.isoformat() if issued else None,
            }
        )
    return list({_key(item): item for item in items}.values())


def _steps(data: dict[str, Any]) -> str:
    steps = [
        _join([_text(step.get("name")), _text(step.get("description"))], "\n")
        for step in data.get("executionSteps") or []
        if isinstance(step, dict)
    ]
    return _clip("\n\n".join(step for step in steps if step), 20000)


def _decision_date(proposal: dict[str, Any]) -> dt.date | None:
    # Epoch milliseconds of local midnight (1768496400000 is 16/01/2026 00:00 in Hà Nội), so
    # the date must be read in Vietnam's zone, not UTC.
    millis = proposal.get("decisionDate")
    if not isinstance(millis, int | float) or isinstance(millis, bool):
        return None
    return dt.datetime.fromtimestamp(millis / 1000, tz=VN_TZ).date()


def _is_lien_thong(data: dict[str, Any]) -> bool:
    # The portal's type has INTERCONNECTED(_INTERNAL) values for liên thông procedures; none of
    # the captured ones uses them, but their names say it ("Liên thông các thủ tục …").
    types = {data.get("type"), data.get("formalityType")}
    named = _text(data.get("name")).lower().startswith("liên thông")
    return named or bool(types & {"INTERCONNECTED", "INTERCONNECTED_INTERNAL"})


def content_from_national(record: dict[str, Any]) -> dict[str, Any]:
    """Nội dung TTHC from one national record's `data` (or its whole response envelope).

    Returns the complete, validated ProcedureContent document (every field, dates as ISO
    strings). Texts too long for a field are cut, not refused. Raises UnmappedValue for an enum
    value the mapping does not know.
    """
    data = record["data"] if isinstance(record.get("data"), dict) else record
    categories = [c for c in data.get("categoriesDetails") or [] if isinstance(c, dict)]
    category = categories[0] if categories else data.get("category") or {}
    if not _text(category.get("code")):
        raise UnmappedValue(f"{data.get('code')}: no field (lĩnh vực) code")

    present = {_channel(method) for method in data.get("executionMethods") or []}
    channels = [channel for channel in _CHANNEL_ORDER if channel in present]
    if Channel.ONLINE in present:
        online = OnlineLevel.FULL if data.get("isFullProcess") else OnlineLevel.PARTIAL
    else:
        online = OnlineLevel.NONE

    unresolved: list[str] = []
    times = _times(data, unresolved)
    components, component_notes = _components(data)
    conditions = _text(data.get("requirementsAndConditions"))
    if component_notes:
        conditions = _join([conditions, "\n".join(component_notes)], "\n\n")

    proposal = data.get("procedureProposal") or {}
    decision_date = _decision_date(proposal)
    issuing_agency = proposal.get("issuingAgency") or {}
    issuer = issuing_agency.get("name") or data.get("departmentPromulgateName")
    note = _join(
        [_text(data.get("note"))]
        + [f"Thời hạn giải quyết theo Cổng DVC quốc gia: {text}" for text in unresolved],
        "\n\n",
    )

    document = {
        "code": _text(data.get("code")),
        "name": _clip(data.get("name"), 1000),
        "field_code": _clip(category.get("code"), 40),
        "field_name": _clip(category.get("name"), 255),
        "level": _level(data).value,
        "is_province_specific": data.get("type") == "SPECIFIC",
        "online_level": online.value,
        "channels": [channel.value for channel in channels],
        "subjects": _clip(_join(_names(data.get("subjectTypesDetails")), "; "), 2000),
        "steps": _steps(data),
        "conditions": _clip(conditions, 20000),
        "result_name": _clip(_join(_names(data.get("resultsDetails")), "; "), 1000),
        "is_lien_thong": _is_lien_thong(data),
        # Cơ quan phối hợp, as the record lists them (for a liên thông procedure, its partners).
        "lien_thong_agencies": _clip(
            _join(_names(data.get("departmentsCoordinating")), "; "), 1000
        ),
        "times": times,
        "fees": _fees(data),
        "components": components,
        "legal_bases": _legal_bases(data),
        "decision_number": _clip(
            proposal.get("proposalNumber") or proposal.get("decisionNumber"), 100
        ),
        "decision_date": decision_date.isoformat() if decision_date else None,
        "decision_issuer": _clip(issuer, 255),
        "effective_from": decision_date.isoformat() if decision_date else None,
        "note": _clip(note, 5000),
    }
    return ProcedureContent.model_validate(document).as_document()


def catalog_row_summary(row: dict[str, Any]) -> dict[str, Any]:
    """The essentials of one catalog row (list-all-public-formality-by-citizen)."""
    return {
        "code": _text(row.get("code")),
        "name": _text(row.get("name")),
        "field_names": [_text(name) for name in row.get("categories") or [] if _text(name)],
        "departments": [_text(name) for name in row.get("departments") or [] if _text(name)],
        "published_by": _text(row.get("departmentPromulgate")),
        "type": _text(row.get("type")),
        "is_province_specific": row.get("type") == "SPECIFIC",
        "formality_id": _text(row.get("id")),
    }
