"""A dispatcher process killed with SIGKILL in the middle of its batches loses nothing and the
portal applies nothing twice: its leases expire and another dispatcher delivers the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from motcua.outbox.dispatch import outbox_dispatch
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.simulators.national_portal.models import SimProgress

from .conftest import add_events, faults, received

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="another process must reach the test database (SQLite's is in this process)",
    ),
]

FOUR = ["1", "2", "4", "9"]
ROOT = Path(django_settings.BASE_DIR)


def test_a_dispatcher_killed_mid_batch_loses_and_duplicates_nothing(portal, settings):
    settings.OUTBOX_LEASE_SECONDS = 2
    codes = [f"000.01.31.H20-260302-{n:04d}" for n in range(1, 16)]
    for code in codes:
        add_events(code, FOUR)
    faults(portal, latency=0.3)  # slow calls: the kill lands between two of them
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "NATIONAL_PORTAL_SYNC_URL": settings.NATIONAL_PORTAL_SYNC_URL,
        "OUTBOX_BATCH_SIZE": "8",
        "OUTBOX_LEASE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from motcua.outbox.dispatch import outbox_dispatch as d; d(budget_seconds=60)",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not SimProgress.objects.exists():
            assert worker.poll() is None, "the worker ended before delivering anything"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.2)  # inside its next batch
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(10)
    assert OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists()
    assert OutboxEvent.objects.filter(claimed_until__isnull=False).exists()  # orphaned leases

    faults(portal)
    time.sleep(2.1)
    deadline = time.monotonic() + 30
    while OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists():
        assert time.monotonic() < deadline
        outbox_dispatch()
        time.sleep(0.05)

    assert SimProgress.objects.count() == 60
    for code in codes:
        assert [status for _, status in received(code)] == FOUR
