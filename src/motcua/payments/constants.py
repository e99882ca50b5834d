"""Choices of the payments app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")  # asked of the applicant, not yet sent to the platform
    PENDING = "pending", _("Waiting for the platform")  # INIT accepted: the citizen is paying
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# A payment the citizen may (re)start: a new attempt gets a new reference.
RETRYABLE = {PaymentStatus.FAILED, PaymentStatus.CANCELLED}
SETTLED = {PaymentStatus.PAID, PaymentStatus.REFUNDED}


class MessageKind(models.TextChoices):
    INIT = "init", _("Payment request (INIT)")
    RETURN = "return", _("Browser return")
    CONFIRM = "confirm", _("Confirmation (IPN)")
    CHECK = "check", _("Status check")
    RECEIPT = "receipt", _("Receipt")
    REFUND = "refund", _("Refund")
    STATEMENT = "statement", _("Daily statement")


class Direction(models.TextChoices):
    INBOUND = "in", _("From the platform")
    OUTBOUND = "out", _("To the platform")


class Outcome(models.TextChoices):
    """What a message did."""

    APPLIED = "applied", _("Applied")
    REPLAYED = "replayed", _("Replayed: nothing changed")
    FORGED = "forged", _("Bad checksum: ignored")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount or currency differs: ignored")
    UNKNOWN_REFERENCE = "unknown_reference", _("Unknown reference: ignored")
    ORDER_MISMATCH = "order_mismatch", _("Another dossier's reference: ignored")
    CONFLICT = "conflict", _("Contradicts the recorded payment: ignored")
    UNREADABLE = "unreadable", _("Unreadable: ignored")
    NOT_PAID = "not_paid", _("Not paid")
    SENT = "sent", _("Sent")
    ERROR = "error", _("Error")
    INFO = "info", _("Recorded")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DONE = "done", _("Refunded")
    FAILED = "failed", _("Failed")


class DifferenceKind(models.TextChoices):
    MISSING_ON_PLATFORM = "missing_platform", _("Paid here, not on the platform")
    MISSING_HERE = "missing_here", _("Paid on the platform, not here")
    AMOUNT = "amount", _("Amounts differ")
    STATUS = "status", _("Statuses differ")


class ReconciliationState(models.TextChoices):
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
