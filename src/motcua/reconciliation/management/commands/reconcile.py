import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.core.errors import InvalidInput
from motcua.reconciliation.services import reconcile


class Command(BaseCommand):
    help = (
        "Compare what the national portal holds (TraCuuHoSo) with the dossiers received in a "
        "period and re-send the differences; prints the report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (yesterday)")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (--from)")
        parser.add_argument("--no-resend", action="store_true", help="report the differences only")

    def handle(self, *args, **options):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        try:
            start = dt.date.fromisoformat(options["start"]) if options["start"] else yesterday
            end = dt.date.fromisoformat(options["end"]) if options["end"] else start
        except ValueError as exc:
            raise CommandError(f"Days are written YYYY-MM-DD: {exc}") from None
        try:
            run = reconcile(start=start, end=end, resend=not options["no_resend"])
        except InvalidInput as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{run.start}..{run.end}: {run.checked} compared, {run.matching} the same, "
            f"{run.missing} missing on the portal, {run.differing} at another status, "
            f"{run.in_flight} still being delivered, {run.dead_letters} with a dead letter; "
            f"{run.resent} re-sent"
        )
        for diff in run.differences[:50]:
            self.stdout.write(
                f"  {diff['code']}: {diff['kind']} (ours {diff['ours']}, portal {diff['portal']})"
            )
        if run.state != run.State.DONE:
            raise CommandError(f"Stopped: {run.error}")
