"""The simulated population database's own log of look-ups (§6: "every lookup is logged —
account, time, agency, input"). Nothing here is the province's data."""

from django.db import models


class SimLookup(models.Model):
    request_id = models.CharField(max_length=100)  # MaYeuCau
    integration_code = models.CharField(max_length=60)  # MaTichHop
    procedure_code = models.CharField(max_length=40, blank=True)  # MaDVC
    officer = models.CharField(max_length=150, blank=True)  # MaCanBo
    id_number = models.CharField(max_length=20, blank=True)  # SoDinhDanh or SoCMND
    found = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.id_number}"
