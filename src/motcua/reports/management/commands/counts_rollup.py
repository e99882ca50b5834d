import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.reports.services import counts_rollup, counts_rollup_ended


class Command(BaseCommand):
    help = (
        "Roll up the counts of a month (--month YYYY-MM), or of every month ended since the "
        "last roll-up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM")

    def handle(self, *args, **options):
        if options["month"]:
            try:
                first = dt.date.fromisoformat(f"{options['month']}-01")
            except ValueError:
                raise CommandError("The month is written YYYY-MM.") from None
            n = counts_rollup(first.year, first.month)
            self.stdout.write(f"{first:%Y-%m}: {n} row(s)")
            return
        done = counts_rollup_ended()
        self.stdout.write(
            "Rolled up: " + (", ".join(f"{m:%Y-%m}" for m in done) if done else "nothing to do")
        )
