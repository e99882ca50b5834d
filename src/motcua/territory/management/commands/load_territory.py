from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from motcua.territory.services import territory_load


class Command(BaseCommand):
    help = "Load or refresh the 34 provinces and 3,321 communes (idempotent)."

    def handle(self, *args, **options) -> None:
        result = territory_load()
        if result.created or result.updated:
            self.stdout.write(
                _(
                    "Territory data %(version)s: %(provinces)d provinces, %(communes)d communes; "
                    "%(created)d created, %(updated)d updated."
                )
                % {**result.__dict__, "version": result.data_version}
            )
        else:
            self.stdout.write(
                _("Territory data %(version)s already loaded: nothing changed.")
                % {"version": result.data_version}
            )
