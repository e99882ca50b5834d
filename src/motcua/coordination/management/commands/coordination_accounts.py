"""Create the system account of every configured external system that has none.

Its reports are recorded in the dossiers' history under this account (like the national
portal's intake account); it has no password and cannot log in to the pages.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.coordination.services import external_accounts_ensure
from motcua.core.errors import DomainError
from motcua.organizations.models import Agency


class Command(BaseCommand):
    help = "Create the system accounts of the configured external systems (EXTERNAL_SYSTEMS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--actor", required=True, help="Who creates them (audited).")
        parser.add_argument("--agency", required=True, help="Electronic identifier of their home.")

    def handle(self, *args, **options) -> None:
        actor = User.objects.filter(username=options["actor"]).first()
        agency = Agency.objects.filter(code=options["agency"]).first()
        if actor is None or agency is None:
            raise CommandError("Unknown --actor or --agency.")
        try:
            created = external_accounts_ensure(actor=actor, agency=agency)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        for user in created:
            self.stdout.write(f"created {user.username}")
        self.stdout.write(f"{len(created)} account(s) created.")
