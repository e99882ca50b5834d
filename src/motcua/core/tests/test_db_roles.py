"""The application's database role cannot rewrite the audit trail (issue 11 §5): on the local
PostgreSQL, a throwaway application role gets the grants of `manage.py db_roles` and then fails
to UPDATE, DELETE, TRUNCATE or disable the trigger of the audit table, while it can still read
it, append to it, and write the other tables. Everything runs in the test's transaction, roles
included, and is rolled back."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from motcua.core.audit import audit_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's"),
]

APP = f"motcua_test_app_{os.getpid()}"


@pytest.fixture
def owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'core_auditentry'")
        return cursor.fetchone()[0]


@pytest.fixture
def app_role(owner):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {connection.ops.quote_name(APP)} NOLOGIN")
    call_command("db_roles", owner=owner, app=APP, apply=True, stdout=io.StringIO())
    return APP


def as_app(sql: str, params=()) -> None:
    """Run `sql` as the application role, in a savepoint: a refusal rolls the savepoint back,
    SET LOCAL ROLE with it, and leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(APP)}")
        cursor.execute(sql, params)
        cursor.execute("RESET ROLE")


@pytest.fixture
def entry(tree, superuser):
    return audit_record(actor=superuser, action="test.op", obj=tree["dept"], agency=tree["dept"])


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("UPDATE core_auditentry SET note = 'x'", "permission denied"),
        ("DELETE FROM core_auditentry", "permission denied"),
        ("TRUNCATE core_auditentry", "permission denied"),
        ("ALTER TABLE core_auditentry DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update", "must be owner"),
        ("DROP TRIGGER core_auditentry_no_update ON core_auditentry", "must be owner"),
        ("DROP TABLE core_auditentry", "must be owner"),
        ("CREATE TABLE core_auditentry_copy (id int)", "permission denied"),
    ],
)
def test_the_application_role_cannot_rewrite_history(app_role, entry, sql, error):
    with pytest.raises(DatabaseError, match=error):
        as_app(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM core_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone() == ("",)


def test_the_application_role_reads_appends_and_writes_other_tables(app_role, entry):
    as_app("SELECT count(*) FROM core_auditentry")
    as_app(
        "INSERT INTO core_auditentry (at, actor_label, action, object_type, object_id, "
        "object_repr, note) VALUES (now(), 'app', 'test.append', 'x', '1', 'x', '')"
    )
    as_app(
        "INSERT INTO django_session (session_key, session_data, expire_date) "
        "VALUES ('k', 'd', now())"
    )
    as_app("UPDATE django_session SET session_data = 'e' WHERE session_key = 'k'")
    as_app("DELETE FROM django_session WHERE session_key = 'k'")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditentry WHERE action = 'test.append'")
        assert cursor.fetchone() == (1,)


def test_check_passes_for_the_application_role_and_fails_for_the_owner(app_role, owner):
    out = io.StringIO()
    call_command("db_roles", owner=owner, app=app_role, check=True, stdout=out)
    assert "owns nothing" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("db_roles", owner=owner, app=owner, check=True, stderr=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON core_auditentry TO {connection.ops.quote_name(APP)}")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("db_roles", owner=owner, app=app_role, check=True, stderr=errors)
    assert f"{APP} has TRUNCATE on core_auditentry" in errors.getvalue()


def test_the_statements_are_printed_for_review(owner):
    out = io.StringIO()
    call_command("db_roles", owner=owner, app="motcua_app", stdout=out)
    sql = out.getvalue()
    assert 'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "core_auditentry" FROM' in sql
    assert (
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "motcua_app"' in sql
    )
