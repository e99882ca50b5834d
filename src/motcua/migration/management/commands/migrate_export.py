import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.migration.services import export_file


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Export the dossiers an agency received or settled, submitted in a period, in the "
        "migration JSON Lines format (files beside the output under files/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--agency", required=True, help="Electronic identifier code.")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")

    def handle(self, *args, **options):
        try:
            result = export_file(
                options["out"],
                agency_code=options["agency"],
                start=_day(options["start"]),
                end=_day(options["end"]),
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{result.dossiers} dossier(s), {result.files} file(s) → {result.path}")
