"""The national portal's pusher (simulator): deliver N generated dossiers to the province.

    manage.py sim_push --count 100 [--duplicates 0.1] [--url http://…/api/v1/intake/dvcqg]

Each dossier is signed with NATIONAL_PORTAL_INTAKE_SECRET and POSTed one per request; replies
other than error_code 0 or 1 are retried (§9.5). `--duplicates` re-sends that share of the
dossiers already sent (a portal delivering twice). Simulators must be enabled.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from motcua.simulators.national_portal.intake import dossier_payload, push


class Command(BaseCommand):
    help = "Simulator: push generated national-portal dossiers to the intake endpoint."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=10)
        parser.add_argument("--start", type=int, default=1, help="number of the first dossier")
        parser.add_argument("--duplicates", type=float, default=0.0)
        parser.add_argument("--url", default="")
        parser.add_argument("--attempts", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, start, duplicates, url, attempts, seed, **options) -> None:
        if not settings.SIMULATORS_ENABLED:
            raise CommandError("Simulators are off (SIMULATORS_ENABLED=false).")
        if not 0 < count <= 100_000 or not 0 <= duplicates < 1:
            raise CommandError("--count 1…100000, --duplicates 0…<1")
        rng = random.Random(seed)  # noqa: S311 — reproducible test data
        payloads = [dossier_payload(start + i) for i in range(count)]
        repeats = [rng.choice(payloads) for _ in range(int(count * duplicates))]
        for repeat in repeats:
            payloads.insert(rng.randrange(len(payloads) + 1), repeat)
        report = push(payloads, url=url or None, attempts=attempts)
        self.stdout.write(
            f"sent {report.sent} ({count} distinct), attempts {report.attempts}, "
            + ", ".join(f"error_code {k}: {n}" for k, n in sorted(report.by_code.items()))
        )
        for failure in report.failures[:20]:
            self.stdout.write(f"  {failure}")
