"""Dossier statuses, actions and their mapping to the national portal's 10 status codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Our internal state; each maps to exactly one national code (DOMAIN.md decision 2)."""

    SUBMITTED = "submitted", _("Submitted, awaiting reception")
    SUPPLEMENT = "supplement", _("Supplement requested")
    REFUSED = "refused", _("Refused at reception")
    ACCEPTED = "accepted", _("Accepted")
    PROCESSING = "processing", _("Being processed")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting the applicant's financial obligation")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
    STOPPED = "stopped", _("Processing stopped")
    DONE = "done", _("Result ready")
    RETURNED = "returned", _("Result returned")


# DOMAIN-integration.md §1.4: the national portal's TrangThaiHoSo codes.
NATIONAL_STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# The mapping table the province sees (GET /api/v1/dossiers/status-mapping, admin page).
NATIONAL_CODE: dict[str, int] = {
    Status.SUBMITTED: 1,
    Status.ACCEPTED: 2,
    Status.REFUSED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.DONE: 9,
    Status.RETURNED: 10,
}

TERMINAL = {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED}
# Where the processing clock runs (DOMAIN.md decision 7).
CLOCK_RUNNING = {Status.ACCEPTED, Status.PROCESSING}
# A result exists (or processing ended): withdrawal and stopping are no longer possible.
AFTER_RESULT = {Status.DONE, Status.RETURNED}


class Channel(models.TextChoices):
    DIRECT = "direct", _("In person")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


# DOMAIN-integration.md §1.2 KenhThucHien: 1 direct, 2 online, 3 public postal service.
NATIONAL_CHANNEL = {Channel.DIRECT: "1", Channel.ONLINE: "2", Channel.POST: "3"}


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    ORGANIZATION = "organization", _("Organization or enterprise")


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("At the one-stop desk")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class PaymentBasis(models.TextChoices):
    """What a financial-obligation request (EventKind.PAYMENT_REQUEST, national status 6) asks
    for: the procedure's fees computed from the catalog and paid online through the national
    payment platform (the payments app), or an amount another authority set by its notice
    (tax, land levy), paid to that authority."""

    FEES = "fees", _("Fees and charges of the procedure")
    NOTICE = "notice", _("Financial obligation by another authority's notice")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Settled: result issued")
    DENIED = "denied", _("Not settled: refusal notice")


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    REGISTER = "register", _("Registered at the desk")
    ACCEPT = "accept", _("Accepted, receipt issued")
    SUPPLEMENT_REQUEST = "supplement_request", _("Supplement requested")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Supplement received")
    REFUSE = "refuse", _("Refused at reception")
    ASSIGN = "assign", _("Assigned")
    STEP = "step", _("Processing step completed")
    CONSULT_ANSWER = "consult_answer", _("Opinion given")
    HANDOFF = "handoff", _("Handed off to another agency")
    EXTERNAL_HANDOVER = "external_handover", _("Handed over to an external system")
    EXTERNAL_REPORT = "external_report", _("Reported by an external system")
    PAYMENT_REQUEST = "payment_request", _("Financial obligation requested")
    PAYMENT_RECEIVED = "payment_received", _("Financial obligation fulfilled")
    APOLOGY = "apology", _("Apology and extension letter issued")
    FINISH = "finish", _("Processing finished")
    RETURN_RESULT = "return_result", _("Result returned")
    WITHDRAW = "withdraw", _("Withdrawn")
    STOP = "stop", _("Processing stopped")
    WARNING = "warning", _("Deadline warning")


class Timeliness(models.TextChoices):
    """Kết quả giải quyết on the control sheet (Mẫu kiểm soát): trước hạn / đúng hạn / quá hạn."""

    EARLY = "early", _("Before the deadline")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class SupplementPhase(models.TextChoices):
    RECEPTION = "reception", _("At reception")
    PROCESSING = "processing", _("During processing")


class WarningKind(models.TextChoices):
    """Why an official is warned about a dossier (R15: before the appointment passes)."""

    DUE_SOON = "due_soon", _("Appointment near: decide now whether an apology letter is needed")
    STEP_OVERDUE = "step_overdue", _("Step deadline passed")
