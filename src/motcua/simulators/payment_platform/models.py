"""The simulated payment platform's own transactions (its side of a reconciliation). Nothing
here is the province's data."""

from django.db import models


class SimTransaction(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        PAID = "paid"
        CANCELLED = "cancelled"
        REFUNDED = "refunded"

    token = models.CharField(max_length=40, unique=True)  # in the payment page's address
    partner = models.CharField(max_length=60)  # MaDoiTac
    reference = models.CharField(max_length=60, unique=True)  # MaThamChieu
    amount_vnd = models.BigIntegerField()
    description = models.CharField(max_length=500, blank=True)
    init = models.JSONField(default=dict)  # the INIT as received
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    transaction_id = models.CharField(max_length=40, blank=True)  # MaGiaoDich
    bank = models.CharField(max_length=20, blank=True)  # MaNganHang actually used
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_vnd = models.BigIntegerField(default=0)
    ipn_sent = models.PositiveIntegerField(default=0)
    ipn_answers = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.state}"
