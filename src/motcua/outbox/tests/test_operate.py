"""The IT team operates the deliveries: state per destination (API, page, /metrics), dead
letters replayed from the API or the administration, audited; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.outbox.models import DeliveryCircuit, OutboxEvent, OutboxStatus
from motcua.outbox.selectors import outbox_stats
from motcua.outbox.services import OutboxItem, outbox_add_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db):
    """Three events of one dossier: delivered, dead, pending behind it; one other pending."""
    with transaction.atomic():
        rows = outbox_add_many(
            [
                OutboxItem("dvcqg", "dossier.progress", "dossier", code, seq, {"n": seq})
                for code, seq in [("A", 1), ("A", 2), ("A", 3), ("B", 1)]
            ]
        )
    now = timezone.now()
    OutboxEvent.objects.filter(pk=rows[0].pk).update(
        status=OutboxStatus.DELIVERED, delivered_at=now - dt.timedelta(seconds=30)
    )
    OutboxEvent.objects.filter(pk=rows[1].pk).update(
        status=OutboxStatus.FAILED, attempts=1, last_error="error_code 1: Mã TTHC không tồn tại"
    )
    OutboxEvent.objects.filter(pk=rows[3].pk).update(created_at=now - dt.timedelta(minutes=5))
    return rows


@pytest.fixture
def operator(tree, make_official):
    return make_official("vanhanh", tree["root"], [("system_operator", tree["root"])])


@pytest.fixture
def outsider(tree, make_official):
    return make_official("danhmuc", tree["root"], [("catalog_admin", tree["root"])])


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_stats_per_destination(events):
    DeliveryCircuit.objects.create(destination="dvcqg", state="open", failures=5)
    every = {s.destination: s for s in outbox_stats()}
    # Every registered destination is shown, the applicants' SMS and e-mail and the external
    # systems configured by default (settings.EXTERNAL_SYSTEMS) with nothing to do.
    assert sorted(every) == ["dvcqg", "email", "ministry:btxh", "ministry:dieuphoi", "sms"]
    assert (every["sms"].backlog, every["email"].dead_letters) == (0, 0)
    stats = every["dvcqg"]
    assert (stats.backlog, stats.dead_letters, stats.delivered_last_minute) == (2, 1, 1)
    assert stats.delivered_last_hour == 1
    assert 299 <= stats.oldest_pending_seconds < 400
    assert (stats.circuit, stats.circuit_failures) == ("open", 5)


def test_the_operator_replays_a_dead_letter_over_the_api(events, operator):
    dead = events[1]
    client = login(operator)
    listed = client.get("/api/v1/outbox/dead-letters").json()
    assert [row["id"] for row in listed] == [dead.pk]
    assert "không tồn tại" in listed[0]["last_error"]

    response = client.post(
        "/api/v1/outbox/replay",
        {"ids": [dead.pk, events[0].pk, events[3].pk]},
        content_type="application/json",
    )

    assert response.status_code == 200 and response.json() == {"replayed": 1}
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (OutboxStatus.PENDING, 0)
    assert dead.next_attempt_at <= timezone.now()
    entry = AuditEntry.objects.get(action="outbox.replay")
    assert entry.actor == operator and entry.object_id == str(dead.pk)
    assert entry.before["status"] == "failed"
    # Delivered and pending events are left as they were.
    assert OutboxEvent.objects.get(pk=events[0].pk).status == OutboxStatus.DELIVERED
    assert client.get("/api/v1/outbox/destinations").json()[0]["dead_letters"] == 0


def test_others_may_not_replay_nor_read(events, outsider):
    client = login(outsider)
    response = client.post(
        "/api/v1/outbox/replay", {"ids": [events[1].pk]}, content_type="application/json"
    )
    assert response.status_code == 403
    assert OutboxEvent.objects.get(pk=events[1].pk).status == OutboxStatus.FAILED
    assert not AuditEntry.objects.filter(action="outbox.replay").exists()
    assert client.get("/api/v1/outbox/destinations").status_code == 403
    assert client.get("/van-hanh/chuyen-phat/").status_code == 403
    assert Client().get("/api/v1/outbox/destinations").status_code == 401


def test_replay_refuses_an_empty_list(operator):
    response = login(operator).post(
        "/api/v1/outbox/replay", {"ids": []}, content_type="application/json"
    )
    assert response.status_code == 422


def test_the_operator_replays_from_the_administration(events, operator):
    client = login(operator)
    response = client.post(
        "/admin/outbox/outboxevent/",
        {"action": "replay", "_selected_action": [events[1].pk, events[2].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã đưa 1 sự kiện gửi thất bại trở lại hàng đợi." in response.content.decode()
    assert OutboxEvent.objects.get(pk=events[1].pk).status == OutboxStatus.PENDING
    assert AuditEntry.objects.filter(action="outbox.replay").count() == 1


def test_the_deliveries_page_shows_each_destination(events, operator):
    page = login(operator).get("/van-hanh/chuyen-phat/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "dvcqg" in text and "Sự kiện gửi thất bại" in text and "không tồn tại" in text


def test_metrics_answer_the_allowed_addresses_and_the_token_only(events, settings):
    settings.METRICS_TOKEN = "s3cret"
    response = Client().get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'motcua_outbox_backlog{destination="dvcqg"} 2' in text
    assert 'motcua_outbox_dead_letters{destination="dvcqg"} 1' in text
    assert 'motcua_outbox_circuit_state{destination="dvcqg",state="closed"} 1' in text
    assert "# TYPE motcua_outbox_backlog gauge" in text

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
