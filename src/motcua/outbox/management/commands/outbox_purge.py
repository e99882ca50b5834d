from django.conf import settings
from django.core.management.base import BaseCommand

from motcua.outbox.purge import outbox_purge


class Command(BaseCommand):
    help = "Delete outbox events delivered more than OUTBOX_KEEP_DELIVERED_DAYS days ago."

    def handle(self, *args, **options):
        n = outbox_purge()
        days = settings.OUTBOX_KEEP_DELIVERED_DAYS
        self.stdout.write(f"{n} delivered event(s) older than {days} days deleted")
