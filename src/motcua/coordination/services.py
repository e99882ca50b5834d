"""Hand a dossier over to a ministry's centralized system or the national coordination system,
and apply what it reports back (DOMAIN-integration.md §5).

Out: a dossier entering an external workflow step (`StepKind.EXTERNAL`, `Step.system`) gets a
`Handover` and one outbox event of destination `ministry:<system>` in the transaction that moved
it (dossiers/services/steps.py `enter_step`); the dispatcher delivers it (destinations.py).

Back: each report (by the system's callback, api.py, or our pull, `coordination_pull`) goes
through `report_receive`: recorded once per key, compared with the last one applied, written
in the dossier's history as the system's own account (Op.EXTERNAL_REPORT), and the result
completes the step through `dossier_act` — the desk's service and the lifecycle table, never a
second copy of them: "granted" takes the step's `forward`, "refused" its `refuse`.

UNCONFIRMED (the coordination system's API is not public; §5 shows one ministry flow): the
`StatusId` codes. We read "1" received, "2" in processing, "3" result: settled, "4" result:
refused, and call "3"/"4" the result, which carries the decision (`LoaiKetQua`,
`SoQuyetDinh`, `CoQuanBanHanh`, `TrichYeu`, `NgayBanHanh`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import Role, User
from motcua.adapters.ministry import GatewayError, MinistryClient, client_for
from motcua.adapters.ministry.inbound import RecordInvalid, hoso_to_intake
from motcua.core.errors import NotAllowed
from motcua.core.workcalendar import TZ
from motcua.dossiers.constants import ApplicantKind, EventKind, ReturnMethod, Status
from motcua.dossiers.lifecycle import Context, Op
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.national import NATIONAL_CHANNEL, portal_time
from motcua.dossiers.process import current_step
from motcua.dossiers.services import dossier_act
from motcua.dossiers.services.events import Transition, load, opened
from motcua.dossiers.services.intake import IntakeRefused, IntakeResult, Origin, intake_receive
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.workflows.constants import StepAction

from .models import ExternalReport, Handover, HandoverResult, ReportOutcome

logger = logging.getLogger("motcua.coordination")

RECEIVED, PROCESSING, GRANTED, REFUSED = "1", "2", "3", "4"
STATUS_TEXT = {
    RECEIVED: "Đã tiếp nhận",
    PROCESSING: "Đang xử lý",
    GRANTED: "Đã có kết quả giải quyết",
    REFUSED: "Từ chối giải quyết",
}
RESULTS = {GRANTED: HandoverResult.GRANTED, REFUSED: HandoverResult.REFUSED}
DESTINATION_PREFIX = "ministry:"
HANDOVER_KIND = "dossier.handover"
APPLIED, DUPLICATE, STALE = "applied", "duplicate", "stale"

_KEY_RE = re.compile(r"^[\w.:/\-]{1,80}$")
_TIME_RE = re.compile(r"^\d{14}$")
_DATE_RE = re.compile(r"^\d{8}(\d{6})?$")


def destination_of(system: str) -> str:
    """One destination per system: its own circuit breaker, backlog and dead letters, so one
    ministry being down never holds back the hand-overs to another."""
    return f"{DESTINATION_PREFIX}{system}"


# ---------------------------------------------------------------------------------------------
# Out: the hand-over


def handover_record(d: Dossier, accept_key: str) -> dict[str, Any]:
    """The dossier as the external system is given it: the §5 `HoSoBTXH` names, date-times
    `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh like every national service. `LoaiDuLieu` "1" (a
    dossier handed over by a province) is UNCONFIRMED; the file contents are not sent (the
    documents store is issue 15): `TaiLieuNop` lists the components with their SHA-256."""
    version = d.procedure_version
    commune = d.applicant_commune
    step = current_step(d)
    citizen = d.applicant_kind == ApplicantKind.CITIZEN
    return {
        "AcceptKey": accept_key,
        "LoaiDuLieu": "1",
        "MaHoSo": d.code,
        "MaHoSoKhac": d.external_code,
        "MaTTHC": d.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "KenhThucHien": NATIONAL_CHANNEL[d.channel],
        "LoaiDoiTuong": "1" if citizen else "2",
        "HinhThucTra": "1" if d.return_method == ReturnMethod.POST else "0",
        "HoVaTen": d.applicant_name,
        "LoaiDinhDanh": "1" if citizen else "2",
        "SoDinhDanh": d.applicant_id_number,
        "MaTinh": str(commune.province_id) if commune else "",
        "MaXa": str(commune.code) if commune else "",
        "NOHT_DiaChi": d.applicant_address,
        "SoDienThoai": d.applicant_phone,
        "Email": d.applicant_email,
        "SubmitedDate": portal_time(d.submitted_at),
        "NgayTiepNhan": portal_time(d.received_at),
        "NgayHenTra": portal_time(d.due_at),
        "DonViXuLy": d.competent_agency.name,
        "MaDonViXuLy": d.competent_agency.code,
        "NoiNopHoSo": d.receiving_agency.name,
        "TrichYeu": (d.summary or version.name)[:1000],
        "BuocXuLy": step.name,
        "NgayKetThucTheoQuyDinh": portal_time(d.step_due_at),
        "StatusId": RECEIVED,
        "TaiLieuNop": [
            {
                "TenTaiLieu": c.name,
                "SoBanChinh": c.originals,
                "SoBanSao": c.copies,
                "TenTep": c.file_name,
                "MaHash": c.file_sha256,
            }
            for c in d.components.order_by("order", "pk")
        ],
    }


def handover_open(*, dossier: Dossier, step_key: str, system: str, now: dt.datetime) -> Handover:
    """Record the hand-over and its outbox event, inside the transaction of the transition that
    entered the external step (after its history row is written: its sequence is the
    hand-over's, so `AcceptKey` = `<dossier code>:<sequence>` is stable and unique even when a
    dossier is handed over twice)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("handover_open runs inside the transition's transaction.")
    seq = (
        DossierEvent.objects.filter(dossier=dossier, to_step=step_key)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    accept_key = f"{dossier.code}:{seq}"
    handover = Handover.objects.create(
        system=system, accept_key=accept_key, dossier=dossier, step_key=step_key, handed_at=now
    )
    with translation.override("vi"):
        record = handover_record(dossier, accept_key)
    outbox_add_many(
        [
            OutboxItem(
                destination=destination_of(system),
                kind=HANDOVER_KIND,
                aggregate_type="handover",
                aggregate_id=dossier.code,
                aggregate_seq=seq,
                payload={"system": system, "dossier": record},
            )
        ]
    )
    return handover


# ---------------------------------------------------------------------------------------------
# Back: the reports


class ReportRefused(Exception):
    """A report we cannot take: nothing is written. `code` is for programs, `status` HTTP."""

    def __init__(
        self, code: str, message: str, *, status: int = 422, errors: dict | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.errors = errors or {}


@dataclass(frozen=True)
class Report:
    accept_key: str
    key: str
    status_id: str
    at: dt.datetime
    dossier_code: str
    note: str
    data: dict[str, Any]

    @property
    def result(self) -> str:
        return RESULTS.get(self.status_id, "")


def _text(body: dict, key: str, errors: dict, limit: int = 255) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors[key] = [_("Must be text.")]
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors[key] = [_("At most %(n)d characters.") % {"n": limit}]
    return text[:limit]


def _moment(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=TZ)
    except ValueError:
        return None


def report_parse(body: Any) -> Report:
    """A report's fields (`TienTrinhHoSoBTXH`, plus the decision of a result), checked."""
    if not isinstance(body, dict):
        raise ReportRefused("malformed_body", _("The body must be a JSON object."), status=400)
    errors: dict[str, list[str]] = {}
    accept_key = _text(body, "AcceptKey", errors, 80)
    status_id = _text(body, "StatusId", errors, 10)
    when = _text(body, "ThoiDiemXuLy", errors, 14)
    missing = {
        k: [_("This value is required.")]
        for k, v in (("AcceptKey", accept_key), ("StatusId", status_id), ("ThoiDiemXuLy", when))
        if not v and k not in errors
    }
    if missing:
        raise ReportRefused("missing_field", _("Required fields are missing."), errors=missing)
    fields = {
        k: _text(body, k, errors, 1000 if k in {"NoiDungXuLy", "TrichYeu"} else 255)
        for k in (
            "MaHoSo",
            "TaiKhoanXuLy",
            "NguoiXuLy",
            "ChucDanh",
            "DonViXuLy",
            "NoiDungXuLy",
            "LoaiKetQua",
            "SoQuyetDinh",
            "CoQuanBanHanh",
            "TrichYeu",
            "NgayBanHanh",
            "IdempotencyKey",
        )
    }
    if accept_key and not _KEY_RE.match(accept_key):
        errors["AcceptKey"] = [_("Letters, digits and . : / - _ only, at most 80.")]
    if status_id and status_id not in STATUS_TEXT:
        errors["StatusId"] = [_("One of 1, 2, 3, 4.")]
    at = _moment(when) if _TIME_RE.match(when) else None
    if at is None and "ThoiDiemXuLy" not in errors:
        errors["ThoiDiemXuLy"] = [_("A moment as yyyyMMddHHmmss.")]
    if status_id == GRANTED:
        for k in ("SoQuyetDinh", "CoQuanBanHanh", "TrichYeu", "NgayBanHanh"):
            if not fields[k] and k not in errors:
                errors[k] = [_("A result must carry the decision: this value is required.")]
    if status_id == REFUSED and not (fields["NoiDungXuLy"] or fields["TrichYeu"]):
        errors["NoiDungXuLy"] = [_("A refusal must give its reason.")]
    if fields["NgayBanHanh"] and not _DATE_RE.match(fields["NgayBanHanh"]):
        errors["NgayBanHanh"] = [_("A date as yyyyMMdd.")]
    if errors:
        raise ReportRefused("invalid_field", _("Some fields are not valid."), errors=errors)
    key = fields.pop("IdempotencyKey") or f"{accept_key}:{status_id}:{when}"
    who = fields["NguoiXuLy"] + (f" ({fields['ChucDanh']})" if fields["ChucDanh"] else "")
    where = fields["DonViXuLy"]
    what = fields["NoiDungXuLy"] or STATUS_TEXT[status_id]
    if status_id == GRANTED:
        what = _("%(what)s — decision %(number)s of %(by)s dated %(date)s: %(summary)s") % {
            "what": what,
            "number": fields["SoQuyetDinh"],
            "by": fields["CoQuanBanHanh"],
            "date": _date_text(fields["NgayBanHanh"]),
            "summary": fields["TrichYeu"],
        }
    elif status_id == REFUSED and fields["TrichYeu"] and fields["TrichYeu"] not in what:
        what = f"{what} — {fields['TrichYeu']}"
    note = ", ".join(p for p in (who, where) if p)
    note = f"{note}: {what}" if note else what
    data = {k: v for k, v in fields.items() if v} | {
        "AcceptKey": accept_key,
        "StatusId": status_id,
        "ThoiDiemXuLy": when,
    }
    return Report(accept_key, key[:200], status_id, at, fields["MaHoSo"], note[:5000], data)


def _date_text(value: str) -> str:
    return f"{value[6:8]}/{value[4:6]}/{value[0:4]}" if len(value) >= 8 else value


def external_account(system: str) -> User:
    """The system account a configured external system's reports are recorded as."""
    config = settings.EXTERNAL_SYSTEMS.get(system)
    user = (
        User.objects.filter(username=config["account"], kind=User.Kind.SYSTEM, is_active=True)
        .select_related("agency")
        .first()
        if config
        else None
    )
    if user is None:
        raise NotAllowed(_("The external system's account is not set up."))
    return user


@dataclass
class ReportResult:
    outcome: str
    handover: Handover
    dossier: Dossier


def _waiting(h: Handover, d: Dossier) -> bool:
    return (
        h.closed_at is None
        and d.step_key == h.step_key
        and d.status in (Status.ACCEPTED, Status.PROCESSING)
    )


def report_receive(
    *, system: str, body: Any, via: str, now: dt.datetime | None = None
) -> ReportResult:
    """Apply one report of `system` about a dossier handed over to it: "applied", "duplicate"
    (this key was received before) or "stale" (older than a report already applied: recorded,
    nothing changed). Raises ReportRefused (nothing written) for an unknown system or
    AcceptKey, a malformed report, or a dossier no longer waiting at the external step."""
    if system not in settings.EXTERNAL_SYSTEMS:
        raise ReportRefused("unknown_system", _("No such external system."), status=404)
    report = report_parse(body)
    now = now or timezone.now()
    with transaction.atomic():
        # Reports of one hand-over queue here: the checks below see the last one applied.
        h = (
            Handover.objects.select_for_update()
            .filter(system=system, accept_key=report.accept_key)
            .first()
        )
        if h is None:
            raise ReportRefused(
                "unknown_accept_key",
                _("No dossier was handed over to this system with AcceptKey %(key)s.")
                % {"key": report.accept_key},
                status=404,
            )
        d = load(h.dossier_id)
        if report.dossier_code and report.dossier_code != d.code:
            raise ReportRefused(
                "invalid_field",
                _("MaHoSo does not match the dossier handed over with this AcceptKey."),
                errors={"MaHoSo": [_("Not the dossier of this AcceptKey.")]},
            )
        if ExternalReport.objects.filter(system=system, key=report.key).exists():
            return ReportResult(DUPLICATE, h, d)
        older = h.last_reported_at is not None and report.at < h.last_reported_at
        if not _waiting(h, d):
            if h.last_reported_at is not None and report.at <= h.last_reported_at:
                return _stale(system, h, d, report, via, now)
            raise ReportRefused(
                "not_waiting",
                _("Dossier %(code)s is not waiting at this external step any more.")
                % {"code": d.code},
                status=409,
            )
        if older and not report.result:
            # Out of order: a later report was applied already; the history keeps the order.
            return _stale(system, h, d, report, via, now)
        account = external_account(system)
        d = _record(account, d, report, now)
        if report.result:
            action = StepAction.FORWARD if report.result == HandoverResult.GRANTED else None
            action = action or StepAction.REFUSE
            d = dossier_act(
                actor=account,
                dossier=d,
                expected_version=d.version,
                action=action,
                note=report.note,
                now=now,
            )
            h.result = report.result
            h.closed_at = now
        if h.last_reported_at is None or report.at > h.last_reported_at:
            h.last_reported_at = report.at
            h.last_status = report.status_id
        h.save(update_fields=["result", "closed_at", "last_reported_at", "last_status"])
        _store(system, h, report, via, ReportOutcome.APPLIED, now)
    logger.info(
        "external report applied",
        extra={"system": system, "accept_key": h.accept_key, "status_id": report.status_id},
    )
    return ReportResult(APPLIED, h, d)


def _record(account: User, dossier: Dossier, report: Report, now: dt.datetime) -> Dossier:
    """The report in the dossier's history, as the system's account (lifecycle: only that
    system's account, only while the dossier is at its external step)."""
    d, rule = opened(Op.EXTERNAL_REPORT, account, dossier, dossier.version, Context(now=now))
    step = current_step(d)
    t = Transition(rule, d, account, now)
    t.event(
        EventKind.EXTERNAL_REPORT,
        from_status=d.status,
        from_step=step.key,
        to_step=step.key,
        from_agency=d.step_agency,
        to_agency=d.step_agency,
        note=report.note,
        data={"system": step.system, "report": report.data},
    )
    return t.commit(d.version)


def _store(
    system: str, h: Handover, report: Report, via: str, outcome: str, now: dt.datetime
) -> None:
    try:
        with transaction.atomic():
            ExternalReport.objects.create(
                system=system,
                key=report.key,
                handover=h,
                status_id=report.status_id,
                reported_at=report.at,
                received_at=now,
                via=via,
                outcome=outcome,
                body=report.data,
            )
    except IntegrityError:
        # The same key applied a moment ago by another caller: ours must not count twice.
        raise ReportRefused("conflict", _("The report is being applied."), status=409) from None


def _stale(
    system: str, h: Handover, d: Dossier, report: Report, via: str, now: dt.datetime
) -> ReportResult:
    _store(system, h, report, via, ReportOutcome.STALE, now)
    logger.info("external report stale", extra={"system": system, "accept_key": h.accept_key})
    return ReportResult(STALE, h, d)


# ---------------------------------------------------------------------------------------------
# Pull


@dataclass
class PullReport:
    system: str
    asked: int = 0
    outcomes: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    error: str = ""


PULL_CHUNK = 100


def coordination_pull(
    *,
    system: str | None = None,
    client_factory: Callable[[str], MinistryClient] = client_for,
    now: dt.datetime | None = None,
) -> list[PullReport]:
    """Ask each system in pull mode (or `system`) for the reports of the dossiers still waiting
    for its result, and apply them in the order they were made. A system that does not answer
    is reported and asked again at the next run; the others go on."""
    if system is not None and system not in settings.EXTERNAL_SYSTEMS:
        raise ReportRefused("unknown_system", _("No such external system."), status=404)
    names = (
        [system]
        if system
        else [n for n, c in settings.EXTERNAL_SYSTEMS.items() if c["mode"] == "pull"]
    )
    reports = []
    for name in names:
        result = PullReport(name)
        keys = list(
            Handover.objects.filter(system=name, closed_at__isnull=True)
            .order_by("id")
            .values_list("accept_key", flat=True)
        )
        try:
            with client_factory(name) as client:
                for i in range(0, len(keys), PULL_CHUNK):
                    chunk = keys[i : i + PULL_CHUNK]
                    result.asked += len(chunk)
                    rows = client.reports(chunk)
                    rows.sort(key=lambda r: str(r.get("ThoiDiemXuLy") or ""))
                    for row in rows:
                        try:
                            applied = report_receive(system=name, body=row, via="pull", now=now)
                        except ReportRefused as exc:
                            result.refused[exc.code] += 1
                        else:
                            result.outcomes[applied.outcome] += 1
        except GatewayError as exc:
            result.error = exc.message
            logger.warning("coordination pull failed", extra={"system": name, "error": exc.message})
        reports.append(result)
    return reports


# ---------------------------------------------------------------------------------------------
# In: dossiers a system hands to the province (§5 as observed: HoSoBTXH → a province department)


def inbound_receive(
    *, system: str, body: Any, source: str = "push", now: dt.datetime | None = None
) -> IntakeResult:
    """Take one dossier (`HoSoBTXH`) that `system` hands to the province, through the national
    portal's intake pipeline (`intake_receive`: procedure in force, routing to the competent
    agency, file checks, one dossier per key), as the system's account, its `AcceptKey` the
    idempotency key: created, updated (a supplement coming back) or duplicate. Raises
    IntakeRefused (nothing written) for bad input. Each change of the dossier then goes back to
    the system as `TienTrinhHoSoBTXH` (progress.py)."""
    config = settings.EXTERNAL_SYSTEMS.get(system)
    if config is None:
        raise IntakeRefused("unknown_system", _("No such external system."), status=404)
    # Pull is asked for by us (the beat task for systems in pull mode, or an operator's
    # command naming one); a push is taken only from a system configured to push.
    if source == "push" and "push" not in config.get("inbound", []):
        raise IntakeRefused(
            "inbound_disabled",
            _("This installation does not take dossiers from this system this way."),
            status=404,
        )
    if not isinstance(body, dict):
        raise IntakeRefused("malformed_body", _("The body must be a JSON object."), status=400)
    key = body.get("AcceptKey")
    if key in (None, ""):
        raise IntakeRefused(
            "missing_field",
            _("Required fields are missing."),
            errors={"AcceptKey": [_("This value is required.")]},
        )
    if not isinstance(key, str) or not _KEY_RE.match(key.strip()):
        raise IntakeRefused(
            "invalid_field",
            _("Some fields are not valid."),
            errors={"AcceptKey": [_("Letters, digits and . : / - _ only, at most 80.")]},
        )
    try:
        intake = hoso_to_intake(body)
    except RecordInvalid as exc:
        raise IntakeRefused(
            "invalid_field",
            _("Some fields are not valid."),
            errors={exc.field: [_("Cannot be read: not well-formed XML, or too large.")]},
        ) from None
    try:
        actor = external_account(system)
    except NotAllowed as exc:
        raise IntakeRefused("not_allowed", str(exc.message), status=403) from None
    result = intake_receive(
        actor=actor,
        body=intake,
        source=source,
        origin=Origin(system=system, key=key.strip(), label=config["label"]),
        now=now,
    )
    logger.info(
        "inbound dossier %s",
        result.outcome,
        extra={"system": system, "accept_key": key, "dossier": result.dossier.code},
    )
    return result


@dataclass
class InboundPullReport:
    system: str
    listed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (AcceptKey, reason)
    error: str = ""


def inbound_pull(
    *,
    system: str | None = None,
    client_factory: Callable[[str], MinistryClient] = client_for,
    now: dt.datetime | None = None,
) -> list[InboundPullReport]:
    """Take the dossiers each system in inbound pull mode (or `system`) lists for the province,
    through `inbound_receive`, and mark taken those that exist here (created, updated or already
    here). A refused one is not marked: it stays listed and is reported at each run, until the
    system corrects it. A system that does not answer is reported; the others go on."""
    if system is not None and system not in settings.EXTERNAL_SYSTEMS:
        raise IntakeRefused("unknown_system", _("No such external system."), status=404)
    names = (
        [system]
        if system
        else [n for n, c in settings.EXTERNAL_SYSTEMS.items() if "pull" in c.get("inbound", [])]
    )
    reports = []
    for name in names:
        report = InboundPullReport(name)
        try:
            with client_factory(name) as client:
                rows = client.inbound_pending()
                report.listed = len(rows)
                taken = []
                for row in rows:
                    key = str(row.get("AcceptKey") or "")[:80]
                    try:
                        result = inbound_receive(system=name, body=row, source="pull", now=now)
                    except IntakeRefused as exc:
                        report.refused.append((key, exc.code))
                        logger.warning(
                            "inbound pull refused",
                            extra={"system": name, "accept_key": key, "reason": exc.code},
                        )
                        continue
                    report.outcomes[result.outcome] += 1
                    taken.append(key)
                for i in range(0, len(taken), PULL_CHUNK):
                    client.inbound_mark(taken[i : i + PULL_CHUNK])
        except GatewayError as exc:
            # Marks not sent are sent by the next run (the dossiers answer "duplicate").
            report.error = exc.message
            logger.warning("inbound pull failed", extra={"system": name, "error": exc.message})
        reports.append(report)
    return reports


# ---------------------------------------------------------------------------------------------
# Setup


def external_accounts_ensure(*, actor: User, agency: Any) -> list[User]:
    """Create the system account of every configured external system that has none (no
    password, no page login; its reports are recorded under it), and give each system that
    hands dossiers to the province (`inbound`) the role that delivers them (`external_system`,
    over `agency` and everything under it) when it does not hold it yet. Audited by
    `system_account_create` and `grant_create`."""
    from motcua.accounts.services import grant_create, system_account_create

    created = []
    role = Role.objects.filter(code="external_system").first()
    for config in settings.EXTERNAL_SYSTEMS.values():
        user = User.objects.filter(username=config["account"]).first()
        if user is None:
            user = system_account_create(
                actor=actor,
                username=config["account"],
                full_name=config["label"],
                agency=agency,
            )
            created.append(user)
        if (
            config.get("inbound", [])
            and role is not None
            and not user.grants.filter(role=role, revoked_at__isnull=True).exists()
        ):
            grant_create(actor=actor, user=user, role=role, agency=agency, include_subtree=True)
    return created
