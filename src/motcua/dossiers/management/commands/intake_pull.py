"""Take the national portal's undelivered dossiers now (pull mode, DOMAIN-integration.md §9.4).

The Celery beat task does the same every NATIONAL_PORTAL_INTAKE_PULL_SECONDS when
NATIONAL_PORTAL_INTAKE_MODE=pull; this command runs one poll whatever the mode.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.services.intake import intake_pull


class Command(BaseCommand):
    help = "Poll the national portal's intake list once and take the dossiers it holds."

    def handle(self, *args, **options) -> None:
        report = intake_pull()
        self.stdout.write(
            f"listed {report.listed}, created {report.created}, updated {report.updated}, "
            f"already here {report.duplicate}, refused {len(report.refused)}"
        )
        for national, reason in report.refused:
            self.stdout.write(f"  refused {national}: {reason}")
        if report.errors:
            raise CommandError("; ".join(report.errors))
