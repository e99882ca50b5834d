"""Ask the external systems for the reports of the dossiers handed over to them, now.

The Celery beat task does the same every EXTERNAL_PULL_SECONDS for the systems in pull mode;
this command asks those, or `--system NAME` whatever its mode.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.coordination.services import ReportRefused, coordination_pull


class Command(BaseCommand):
    help = "Pull the progress and results of dossiers handed over to external systems."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--system", help="one configured system (default: those in pull mode)")

    def handle(self, *args, **options) -> None:
        try:
            reports = coordination_pull(system=options.get("system"))
        except ReportRefused as exc:
            raise CommandError(exc.message) from None
        errors = []
        for r in reports:
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items())) or "none"
            refused = ", ".join(f"{k} {v}" for k, v in sorted(r.refused.items())) or "none"
            self.stdout.write(f"{r.system}: asked {r.asked}, reports {outcomes}; refused {refused}")
            if r.error:
                errors.append(f"{r.system}: {r.error}")
        if errors:
            raise CommandError("; ".join(errors))
