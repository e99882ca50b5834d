"""The claim reads only the small undelivered part of the outbox, through its partial indexes,
however many delivered events the table holds (PostgreSQL's plan)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from motcua.outbox.dispatch import _blocked_by_earlier, outbox_claim
from motcua.outbox.models import OutboxEvent, OutboxStatus

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def test_the_claim_uses_the_due_and_undelivered_indexes():
    now = timezone.now()
    rows = [
        OutboxEvent(
            destination="dvcqg",
            kind="dossier.progress",
            aggregate_type="dossier",
            aggregate_id=f"D-{n // 4:06d}",
            aggregate_seq=n % 4 + 1,
            idempotency_key=f"dvcqg:dossier:D-{n // 4:06d}:{n % 4 + 1}",
            payload={},
            status=OutboxStatus.DELIVERED if n < 40_000 else OutboxStatus.PENDING,
            delivered_at=now if n < 40_000 else None,
        )
        for n in range(40_200)
    ]
    OutboxEvent.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outbox_outboxevent")
    heads = (
        OutboxEvent.objects.filter(
            destination="dvcqg", status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(~_blocked_by_earlier())
        .order_by("next_attempt_at", "id")[:100]
    )
    plan = heads.explain()
    assert "outbox_due_idx" in plan, plan
    assert "outbox_undelivered_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    with transaction.atomic():
        claim = outbox_claim(destination="dvcqg", limit=100)
    assert len(claim.events) == 100
    assert {e.aggregate_seq for e in claim.events} == {1, 2, 3, 4}
