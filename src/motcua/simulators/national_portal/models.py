"""What the simulated national portal has received from us through the dossier sync, so tests
(and the demo's operators) can see exactly what arrived: each dossier as last synced, and every
progress row or status applied, once per idempotency key, in the order received.

Nothing here is the province's data: in production (SIMULATORS_ENABLED off) the tables stay empty.
"""

from django.db import models


class SimDossier(models.Model):
    """A dossier as the portal holds it (DongBoHoSoMC / Style B create and update)."""

    code = models.CharField(max_length=80, unique=True)  # MaHoSo
    data = models.JSONField()
    style = models.CharField(max_length=1, default="A")
    creates = models.PositiveIntegerField(default=0)
    updates = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.code


class SimProgress(models.Model):
    """One progress row (CapNhatTienDoHoSoMC) or status (DongBoTrangThaiHoSo), applied once.

    `times_received` counts deliveries of the same idempotency key: more than one means the
    sender repeated it (at-least-once) and the portal applied it once.
    """

    key = models.CharField(max_length=200, unique=True)
    service = models.CharField(max_length=40)
    code = models.CharField(max_length=80, db_index=True)  # MaHoSo (the portal's code for §9.3)
    status = models.CharField(max_length=4)  # TrangThai
    data = models.JSONField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code} → {self.status}"


class SimRating(models.Model):
    """A rating the portal received (DongBoDanhGia), once per idempotency key."""

    key = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=80, db_index=True)  # MaHoSo
    level = models.CharField(max_length=4)  # MucDoHaiLong
    data = models.JSONField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.level}"


class SimQuestion(models.Model):
    """A question a citizen sent on the portal (seeded by the control call), served by
    LayDanhSachHoiDapGuiTuDVCQG; `data` is the object served."""

    question_id = models.CharField(max_length=60, unique=True)  # MaCauHoi
    sent_at = models.CharField(max_length=14, db_index=True)  # NgayGui, yyyyMMddHHmmss
    data = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question_id


class SimAnswer(models.Model):
    """An answer the portal received (DongBoKetQuaHoiDapGuiTuDVCQG), once per idempotency key."""

    key = models.CharField(max_length=200, unique=True)
    question_id = models.CharField(max_length=60, db_index=True)
    data = models.JSONField()
    times_received = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question_id
