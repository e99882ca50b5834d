from django.core.management.base import BaseCommand

from motcua.payments.services import payments_check_pending


class Command(BaseCommand):
    help = (
        "Ask the payment platform about payments still pending after N minutes (a lost "
        "confirmation) and record what it says."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes", type=int, default=None, help="pending at least this long (the setting)"
        )

    def handle(self, *args, **options):
        counts = payments_check_pending(older_than_minutes=options["minutes"])
        self.stdout.write(
            f"{counts['checked']} checked, {counts['paid']} found paid, "
            f"{counts['errors']} not answered"
        )
