from django.core.management.base import BaseCommand

from motcua.exports.services import export_purge


class Command(BaseCommand):
    help = (
        "Delete background exports past their keeping time (7 days) with their files; "
        "mark as failed the ones whose worker is gone."
    )

    def handle(self, *args, **options):
        deleted, failed = export_purge()
        self.stdout.write(f"{deleted} export(s) deleted, {failed} abandoned export(s) failed")
