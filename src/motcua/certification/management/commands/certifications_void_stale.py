from django.core.management.base import BaseCommand, CommandError

from motcua.certification.services import certifications_void_stale

MAX_MINUTES = 10 * 366 * 24 * 60


class Command(BaseCommand):
    help = (
        "Void the certification book's lines still reserved after N minutes: their process "
        "ended before the copy was signed and stored (the beat task does this every ten minutes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="reserved at least this long (default: CERTIFICATION_STALE_MINUTES)",
        )

    def handle(self, *args, **options):
        minutes = options["minutes"]
        if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
            raise CommandError(f"--minutes must be from 1 to {MAX_MINUTES} (ten years)")
        voided = certifications_void_stale(older_than_minutes=minutes)
        self.stdout.write(f"{voided} reserved line(s) voided")
