"""Take the questions citizens sent on the national portal now (LayDanhSachHoiDapGuiTuDVCQG).

The Celery beat task does the same every FEEDBACK_QUESTIONS_PULL_SECONDS."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.feedback.services import questions_pull


class Command(BaseCommand):
    help = "Pull the national portal's questions once and store the new ones."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="look back this many days")

    def handle(self, *args, **options) -> None:
        report = questions_pull(days=options["days"])
        self.stdout.write(
            f"listed {report.listed}, new {report.created}, already here {report.already}, "
            f"refused {len(report.refused)}"
        )
        for national_id, reason in report.refused:
            self.stdout.write(f"  refused {national_id}: {reason}")
        if report.errors:
            raise CommandError("; ".join(report.errors))
