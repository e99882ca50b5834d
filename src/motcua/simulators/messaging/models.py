"""What the simulated gateways received: one row per request id (a repeat is counted in
`times_received`, not sent twice). Nothing here is the province's data."""

from django.db import models


class SimMessage(models.Model):
    channel = models.CharField(max_length=5)  # "sms" or "email"
    request_id = models.CharField(max_length=200, unique=True)
    to = models.CharField(max_length=254)
    brandname = models.CharField(max_length=20, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}"
