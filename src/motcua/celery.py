"""Celery: background work. Redis broker in production; in-process (eager) on the embedded default.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A motcua worker -B

`CELERY_TASK_ALWAYS_EAGER` (default true when no broker is set) runs tasks in the calling
process, so the demo and the tests need no broker; the periodic schedule below then runs only
under `celery beat` (or the equivalent management commands run from cron).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
