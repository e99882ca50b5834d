"""Payments of fees and charges through the national portal's payment platform (R11).

Money is whole đồng in integer fields (DOMAIN.md decision 12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .constants import (
    DifferenceKind,
    Direction,
    MessageKind,
    Outcome,
    PaymentStatus,
    ReconciliationState,
    RefundStatus,
)


class ExemptionCategory(models.Model):
    """Đối tượng miễn, giảm phí, lệ phí: a category an official may tick when asking for the
    fees (e.g. a poor household), with its legal basis; `percent` of the covered kinds' amounts
    is waived (100: exempt). Rows, so a province keeps its own list (admin)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    basis = models.CharField(_("legal basis"), max_length=500)
    # Fee kinds (catalog FeeKind values) it covers; empty: every kind.
    kinds = models.JSONField(_("fee kinds covered"), default=list, blank=True)
    percent = models.PositiveSmallIntegerField(_("percent waived"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fee exemption category")
        verbose_name_plural = _("fee exemption categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="exemption_percent_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """Giao dịch thanh toán: one attempt to pay one financial obligation of a dossier. A new
    attempt after a cancelled or failed one is a new row with a new reference (MaThamChieu)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    # The history row (DossierEvent.seq) of the request this payment answers.
    obligation_seq = models.PositiveIntegerField()
    reference = models.CharField(_("reference (MaThamChieu)"), max_length=20, unique=True)
    amount_vnd = models.BigIntegerField(_("amount (đồng)"))
    currency = models.CharField(max_length=3, default="VND")
    lines = models.JSONField(_("items"), default=list)
    exemptions = models.JSONField(_("exemptions applied"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    pay_url = models.URLField(max_length=500, blank=True)
    transaction_id = models.CharField(_("transaction (MaGiaoDich)"), max_length=40, blank=True)
    bank = models.CharField(_("bank"), max_length=20, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=30, blank=True)
    refunded_vnd = models.BigIntegerField(_("refunded (đồng)"), default=0)
    last_message = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # INIT accepted
    checked_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["status", "started_at"]), models.Index(fields=["paid_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_vnd__gte=0) & Q(refunded_vnd__lte=models.F("amount_vnd")),
                name="payment_refund_within_amount",
            ),
            # Paid means the platform said so: its transaction id and time are recorded.
            models.CheckConstraint(
                condition=~Q(status__in=["paid", "refunded"])
                | (Q(paid_at__isnull=False) & ~Q(transaction_id="") & ~Q(receipt_number="")),
                name="payment_paid_has_transaction",
            ),
            # One obligation is paid once, whatever the attempts.
            models.UniqueConstraint(
                fields=["dossier", "obligation_seq"],
                condition=Q(paid_at__isnull=False),
                name="payment_obligation_paid_once",
            ),
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~Q(transaction_id=""),
                name="payment_transaction_unique",
            ),
            models.UniqueConstraint(
                fields=["receipt_number"],
                condition=~Q(receipt_number=""),
                name="payment_receipt_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def refundable_vnd(self) -> int:
        return self.amount_vnd - self.refunded_vnd if self.paid_at else 0


class PaymentMessage(models.Model):
    """Every message exchanged with the platform, whatever became of it (a forged confirm is
    kept with outcome "forged")."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    reference = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.JSONField(default=dict)
    reply = models.JSONField(default=dict, blank=True)
    checksum_valid = models.BooleanField(null=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["reference"])]
        verbose_name = _("payment platform message")
        verbose_name_plural = _("payment platform messages")

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.outcome}"


class Refund(models.Model):
    """Hoàn tiền of part or all of a paid payment (the platform's refund API is UNCONFIRMED)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_vnd = models.BigIntegerField(_("amount (đồng)"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    platform_ref = models.CharField(max_length=40, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payment} −{self.amount_vnd}"


class PaymentReconciliation(models.Model):
    """Đối soát: our payments of a day against the platform's list of that day."""

    day = models.DateField(_("day"))
    state = models.CharField(max_length=10, choices=ReconciliationState.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ours = models.PositiveIntegerField(default=0)
    theirs = models.PositiveIntegerField(default=0)
    matching = models.PositiveIntegerField(default=0)
    differing = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.day} {self.state}"


class ReconciliationDifference(models.Model):
    run = models.ForeignKey(
        PaymentReconciliation, on_delete=models.CASCADE, related_name="differences"
    )
    reference = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=DifferenceKind.choices)
    ours = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"
