from django.core.management.base import BaseCommand, CommandError

from motcua.reports.services import counts_check

from ._range import add_range_arguments, by_month, day_range


class Command(BaseCommand):
    help = (
        "Compare the counts for reports of a range of days with a recomputation from the "
        "dossiers' history; list the differences and fail if there are any."
    )

    def add_arguments(self, parser):
        add_range_arguments(parser)
        parser.add_argument("--limit", type=int, default=50, help="differences listed at most")

    def handle(self, *args, **options):
        start, end = day_range(options)
        chunks = by_month(start, end)
        found = []
        for i, (a, b) in enumerate(chunks, start=1):
            diffs = counts_check(a, b)
            found += diffs
            self.stdout.write(f"[{i}/{len(chunks)}] {a}..{b}: {len(diffs)} difference(s)")
        for d in found[: options["limit"]]:
            self.stdout.write(
                f"agency {d.agency_id} procedure {d.procedure_id} {d.day} {d.column}: "
                f"stored {d.stored}, history says {d.expected}"
            )
        if found:
            raise CommandError(
                f"{len(found)} difference(s) in {start}..{end}; "
                f"repair with: manage.py counts_rebuild --from {start} --to {end}"
            )
        self.stdout.write(f"The counts of {start}..{end} match the history.")
