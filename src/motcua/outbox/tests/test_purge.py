"""Delivered events are deleted after their keeping time; nothing else is, whatever its age."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.purge import outbox_purge

from .conftest import add_events

pytestmark = pytest.mark.django_db


def test_only_events_delivered_longer_ago_than_the_keeping_time_go(settings):
    settings.OUTBOX_KEEP_DELIVERED_DAYS = 30
    now = timezone.now()
    old = add_events("A-1", ["1", "2", "4"])
    recent = add_events("A-2", ["1", "2"])
    waiting = add_events("A-3", ["1", "2"])
    dead = add_events("A-4", ["1"])
    long_ago = now - dt.timedelta(days=31)
    OutboxEvent.objects.filter(pk__in=[e.pk for e in old]).update(
        status=OutboxStatus.DELIVERED, delivered_at=long_ago
    )
    OutboxEvent.objects.filter(pk__in=[e.pk for e in recent]).update(
        status=OutboxStatus.DELIVERED, delivered_at=now - dt.timedelta(days=29)
    )
    OutboxEvent.objects.filter(pk__in=[e.pk for e in waiting]).update(created_at=long_ago)
    OutboxEvent.objects.filter(pk__in=[e.pk for e in dead]).update(
        status=OutboxStatus.FAILED, created_at=long_ago
    )

    assert outbox_purge(now=now, batch=2) == 3

    left = set(OutboxEvent.objects.values_list("aggregate_id", flat=True))
    assert left == {"A-2", "A-3", "A-4"}
    assert outbox_purge(now=now) == 0


def test_the_command_reports_what_it_deleted(settings, capsys):
    settings.OUTBOX_KEEP_DELIVERED_DAYS = 1
    events = add_events("B-1", ["1"])
    OutboxEvent.objects.filter(pk=events[0].pk).update(
        status=OutboxStatus.DELIVERED, delivered_at=timezone.now() - dt.timedelta(days=2)
    )
    call_command("outbox_purge")
    assert "1 delivered event(s) older than 1 days deleted" in capsys.readouterr().out
    assert not OutboxEvent.objects.exists()
