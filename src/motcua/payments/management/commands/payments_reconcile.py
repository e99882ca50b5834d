import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.payments.constants import ReconciliationState
from motcua.payments.reconciliation import payments_reconcile


class Command(BaseCommand):
    help = "Compare our payments of a day with the payment platform's list; prints the report."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (yesterday)")

    def handle(self, *args, **options):
        try:
            day = (
                dt.date.fromisoformat(options["day"])
                if options["day"]
                else timezone.localdate() - dt.timedelta(days=1)
            )
        except ValueError as exc:
            raise CommandError(f"Days are written YYYY-MM-DD: {exc}") from None
        run = payments_reconcile(day=day)
        self.stdout.write(
            f"{run.day}: {run.ours} ours, {run.theirs} on the platform, {run.matching} matching, "
            f"{run.differing} differences"
        )
        for diff in run.differences.all()[:100]:
            self.stdout.write(
                f"  {diff.reference}: {diff.kind} (ours {diff.ours}; platform {diff.platform})"
            )
        if run.state != ReconciliationState.DONE:
            raise CommandError(f"Failed: {run.error}")
