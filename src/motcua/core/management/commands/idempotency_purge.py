"""Remove idempotency keys older than IDEMPOTENCY_TTL (run daily; harmless at any time)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.core.idempotency import _ttl
from motcua.core.models import IdempotencyKey


class Command(BaseCommand):
    help = "Remove idempotency keys older than IDEMPOTENCY_TTL."

    def handle(self, *args, **options):
        count, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
        self.stdout.write(f"{count} idempotency key(s) removed")
