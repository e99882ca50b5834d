from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.core.errors import DomainError
from motcua.migration.models import ImportRun
from motcua.migration.progress import ProgressBar
from motcua.migration.services import import_file


class Command(BaseCommand):
    help = (
        "Import dossiers from an old system's export (JSON Lines, docs/integration.md \"Data "
        'migration"). Exit code 0 when every line was imported or already there, 3 when some '
        "were rejected (listed in the report)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="Name of the old system.")
        parser.add_argument(
            "--resume", action="store_true", help="Continue the unfinished run of this file."
        )
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--actor", default="", help="Username recorded in the audit log.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {options['actor']!r}.")
        bar: list[ProgressBar] = []

        def progress(run: ImportRun) -> None:
            if options["no_progress"]:
                return
            if not bar:
                bar.append(ProgressBar(self.stderr._out, run.total_lines))
            bar[0].update(run.last_line)

        try:
            run = import_file(
                options["file"],
                actor,
                source=options["source"],
                batch=options["batch"],
                resume=options["resume"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        finally:
            if bar:
                bar[0].close()
        self.stdout.write(
            f"Run {run.pk}: {run.total_lines} line(s); imported {run.imported}, "
            f"already there {run.skipped}, rejected {run.rejected}."
        )
        for r in run.rejections.all():
            self.stdout.write(f"  line {r.line} [{r.old_code or '?'}]: {r.reason}")
        if run.rejected:
            raise CommandError(f"{run.rejected} record(s) rejected.", returncode=3)
