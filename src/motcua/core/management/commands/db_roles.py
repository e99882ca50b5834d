"""PostgreSQL roles: an owner that migrates, an application role that cannot rewrite history.

The audit trail's trigger refuses UPDATE and DELETE (core migration 0002), but the table's
owner may disable a trigger, truncate the table or drop it. So the application servers must
not connect as the owner: the owner role owns every table and runs `migrate`, and is used for
nothing else; the application role may read and write the tables, but on the audit table only
SELECT and INSERT, and it owns nothing (no ALTER TABLE … DISABLE TRIGGER, no TRUNCATE, no
TRIGGER). docs/operations.md, "Database roles", tells the whole procedure.

    manage.py db_roles --owner motcua --app motcua_app            # print the SQL
    manage.py db_roles --owner motcua --app motcua_app --apply    # run it (as owner/superuser)
    manage.py db_roles --owner motcua --app motcua_app --check    # verify; non-zero if not so
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from motcua.core.models import AuditEntry

AUDIT_ALLOWED = {"SELECT", "INSERT"}
AUDIT_FORBIDDEN = ["UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"]


def grants_sql(*, owner: str, app: str) -> list[str]:
    """The statements that give `app` the application's rights, `owner` keeping the rest."""
    q = connection.ops.quote_name
    audit = q(AuditEntry._meta.db_table)
    return [
        # Nobody but the owner creates objects in the schema (PostgreSQL 15's default too).
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA public FROM {q(app)}",
        f"GRANT USAGE ON SCHEMA public TO {q(app)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q(app)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q(app)}",
        # The audit trail: read and append, nothing else.
        f"REVOKE {', '.join(AUDIT_FORBIDDEN)} ON {audit} FROM {q(app)}",
        # Tables a later `migrate` (run as the owner) creates get the same rights.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q(app)}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {q(app)}",
    ]


def role_problems(*, owner: str, app: str) -> list[str]:
    """What keeps `app` from being a safe application role (empty: nothing)."""
    table = AuditEntry._meta.db_table
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s",
            [app],
        )
        row = cursor.fetchone()
        if row is None:
            return [f"role {app} does not exist"]
        if any(row):
            problems.append(f"{app} is a superuser or may bypass row security or create roles")
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [table])
        table_owner = cursor.fetchone()[0]
        if table_owner == app or pg_has_role(cursor, app, table_owner):
            problems.append(f"{app} owns {table} (or is a member of its owner {table_owner})")
        if table_owner != owner:
            problems.append(f"{table} is owned by {table_owner}, not by {owner}")
        for privilege in AUDIT_FORBIDDEN:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege])
            if cursor.fetchone()[0]:
                problems.append(f"{app} has {privilege} on {table}")
        for privilege in sorted(AUDIT_ALLOWED):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, privilege])
            if not cursor.fetchone()[0]:
                problems.append(f"{app} lacks {privilege} on {table}")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = %s",
            [app],
        )
        owned = cursor.fetchone()[0]
        if owned:
            problems.append(f"{app} owns {owned} object(s) in schema public")
    return problems


def pg_has_role(cursor, member: str, role: str) -> bool:
    cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [member, role])
    return bool(cursor.fetchone()[0])


class Command(BaseCommand):
    help = (
        "PostgreSQL: print, apply or check the grants that keep the application role from "
        "rewriting the audit trail (an owner role migrates; the application role owns nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="the role that owns the tables")
        parser.add_argument("--app", required=True, help="the role the application uses")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--apply", action="store_true", help="run the statements")
        mode.add_argument("--check", action="store_true", help="verify the roles")

    def handle(self, *args, owner: str, app: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's; this database is not.")
        if owner == app:
            raise CommandError("The application role must not be the owner role.")
        if options["check"]:
            problems = role_problems(owner=owner, app=app)
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{app} may rewrite or bypass the audit trail.")
            self.stdout.write(f"{app}: reads and appends to the audit trail, owns nothing.")
            return
        statements = grants_sql(owner=owner, app=app)
        if not options["apply"]:
            self.stdout.write("\n".join(f"{s};" for s in statements))
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Applied {len(statements)} statements.")
