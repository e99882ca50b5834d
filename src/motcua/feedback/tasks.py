"""Scheduled work of the feedback app: the national portal's questions, pulled by Celery beat
every FEEDBACK_QUESTIONS_PULL_SECONDS (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from .services import questions_pull as _pull


@shared_task(name="motcua.feedback.tasks.questions_pull", ignore_result=True)
def questions_pull() -> dict:
    """Take the questions citizens sent on the national portal; what was stored and refused."""
    report = _pull()
    return {
        "listed": report.listed,
        "created": report.created,
        "already": report.already,
        "refused": len(report.refused),
        "errors": report.errors,
    }
