from django.core.management.base import BaseCommand

from motcua.reports.services import counts_rebuild

from ._range import add_range_arguments, by_month, day_range


class Command(BaseCommand):
    help = (
        "Recompute the counts for reports of a range of days from the dossiers' history and "
        "replace them (month by month, each atomically; dossier transitions wait meanwhile)."
    )

    def add_arguments(self, parser):
        add_range_arguments(parser)

    def handle(self, *args, **options):
        start, end = day_range(options)
        chunks = by_month(start, end)
        total = 0
        for i, (a, b) in enumerate(chunks, start=1):
            n = counts_rebuild(a, b)
            total += n
            self.stdout.write(f"[{i}/{len(chunks)}] {a}..{b}: {n} row(s)")
        self.stdout.write(f"{total} row(s) rebuilt for {start}..{end}")
