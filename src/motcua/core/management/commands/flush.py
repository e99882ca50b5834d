"""Django's `flush`, allowed to empty the audit trail on SQLite (core.audit).

Flushing empties every table of the database (the tests flush between transactional tests); on
SQLite the audit table's delete trigger refuses any other DELETE.
"""

from django.core.management.commands.flush import Command as DjangoFlushCommand

from motcua.core.audit import audit_flush_allowed


class Command(DjangoFlushCommand):
    def handle(self, **options):
        with audit_flush_allowed():
            return super().handle(**options)
