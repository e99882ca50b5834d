from django.core.management.base import BaseCommand

from motcua.dossiers.services import due_warnings_scan


class Command(BaseCommand):
    help = "Warn officials about dossiers near their appointment or past a step deadline."

    def handle(self, *args, **options):
        self.stdout.write(f"{due_warnings_scan()} new warning(s)")
