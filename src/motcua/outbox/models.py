"""The transactional outbox: events for external systems, written with the change they report.

A service writes its outbox rows inside the same database transaction as the change, so an
event exists exactly when the change does (never lost, never sent for a change rolled back).
A dispatcher task delivers them later in `id` order per aggregate, with retry, backoff and the
idempotency key the receiving side can use to drop repeats.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed permanently")


class OutboxEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    # Which external system and message: e.g. "dvcqg" / "dossier.status".
    destination = models.CharField(_("destination"), max_length=40)
    kind = models.CharField(_("kind"), max_length=60)
    # The object the event is about and its own sequence (delivery keeps this order).
    aggregate_type = models.CharField(max_length=40)
    aggregate_id = models.CharField(max_length=60)
    aggregate_seq = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # The lease of the dispatcher delivering it now ("in flight"): a worker that dies leaves an
    # expired lease, and another worker takes the event again (at-least-once).
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "aggregate_type", "aggregate_id", "aggregate_seq"],
                name="outbox_aggregate_seq_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["aggregate_type", "aggregate_id"], name="outbox_aggregate_idx"),
            # The dispatcher's two questions: what is due for a destination, and does an event
            # have an earlier one of its aggregate not yet delivered (order per aggregate). Both
            # read only the small undelivered part of the table.
            models.Index(
                fields=["destination", "next_attempt_at", "id"],
                name="outbox_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["destination", "aggregate_type", "aggregate_id", "aggregate_seq"],
                name="outbox_undelivered_idx",
                condition=~models.Q(status="delivered"),
            ),
            # Deliveries in the last minute and hour (the operator's page and /metrics).
            models.Index(fields=["destination", "delivered_at"], name="outbox_delivered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.destination}:{self.kind} {self.aggregate_id}.{self.aggregate_seq}"


class CircuitState(models.TextChoices):
    CLOSED = "closed", _("Closed (delivering)")
    OPEN = "open", _("Open (destination failing, waiting)")
    HALF_OPEN = "half_open", _("Half-open (one probe)")


class DeliveryCircuit(models.Model):
    """The circuit breaker of one destination, shared by every worker through the database.

    Closed: deliver. After OUTBOX_CIRCUIT_THRESHOLD retryable failures in a row, open: nobody
    calls the destination for OUTBOX_CIRCUIT_COOLDOWN seconds. Then half-open: one worker sends
    one event as a probe (its lease in `probe_until`); success closes the circuit, failure opens
    it again. Changed by conditional updates only, never under a lock held across a call.
    """

    destination = models.CharField(_("destination"), max_length=40, primary_key=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CircuitState.choices, default=CircuitState.CLOSED
    )
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery circuit")
        verbose_name_plural = _("delivery circuits")

    def __str__(self) -> str:
        return f"{self.destination}: {self.state}"
