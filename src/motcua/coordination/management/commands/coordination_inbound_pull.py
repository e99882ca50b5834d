"""Take the dossiers the external systems hand to the province, now (§5 inbound, pull).

The Celery beat task does the same every EXTERNAL_PULL_SECONDS for the systems whose
EXTERNAL_<NAME>_INBOUND includes pull; this command asks those, or `--system NAME` whatever
its configuration.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.coordination.services import inbound_pull
from motcua.dossiers.services.intake import IntakeRefused


class Command(BaseCommand):
    help = "Pull the dossiers external systems hand to the province."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--system", help="one configured system (default: those that pull)")

    def handle(self, *args, **options) -> None:
        try:
            reports = inbound_pull(system=options.get("system"))
        except IntakeRefused as exc:
            raise CommandError(str(exc.message)) from None
        errors = []
        for r in reports:
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items())) or "none"
            refused = len(r.refused)
            self.stdout.write(f"{r.system}: listed {r.listed}, {outcomes}; refused {refused}")
            for key, reason in r.refused:
                self.stdout.write(f"  refused {key}: {reason}")
            if r.error:
                errors.append(f"{r.system}: {r.error}")
        if errors:
            raise CommandError("; ".join(errors))
