"""What the simulated external systems hold: the dossiers handed over (once per AcceptKey) and
the reports they made about them. Nothing here is the province's data."""

from django.db import models


class SimHandover(models.Model):
    system = models.CharField(max_length=30)
    accept_key = models.CharField(max_length=80)
    record = models.JSONField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "accept_key"], name="sim_handover_key")
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.accept_key}"


class SimReport(models.Model):
    handover = models.ForeignKey(SimHandover, on_delete=models.CASCADE, related_name="reports")
    body = models.JSONField()
    # The province's answer to the callback (status and body), when it was called back.
    callback_status = models.PositiveSmallIntegerField(null=True, blank=True)
    callback_answer = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.handover_id}: {self.body.get('StatusId', '')}"


class SimInbound(models.Model):
    """A dossier the simulated system hands to the province (`_push`, or listed for the
    province's pull until it is marked taken)."""

    system = models.CharField(max_length=30)
    accept_key = models.CharField(max_length=80)
    record = models.JSONField()
    taken = models.BooleanField(default=False)
    times_pushed = models.PositiveIntegerField(default=0)
    # The province's answers to the pushes (status and body), oldest first.
    replies = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "accept_key"], name="sim_inbound_key")
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.accept_key}"


class SimProgress(models.Model):
    """A progress row (`TienTrinhHoSoBTXH`) the province sent back, once per IdempotencyKey;
    repeats are counted."""

    system = models.CharField(max_length=30)
    key = models.CharField(max_length=200)
    accept_key = models.CharField(max_length=80)
    body = models.JSONField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["system", "key"], name="sim_progress_key")]

    def __str__(self) -> str:
        return f"{self.system}: {self.key}"
