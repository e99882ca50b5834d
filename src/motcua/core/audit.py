"""Write audit entries from inside a service's transaction; and the one way to empty the
trail on SQLite (`manage.py flush`, which empties every table)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import models

from .models import AuditEntry


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of `fields` on `obj`, as JSON-ready values (foreign keys by id)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        data[name] = value
    return data


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    agency=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry. Call it inside the same transaction as the change it records."""
    return audit_event(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        agency=agency,
        before=before,
        after=after,
        note=note,
    )


def audit_event(
    *,
    actor,
    action: str,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    actor_label: str | None = None,
    agency=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry about something that need not be a row (a failed log-in names an
    account that may not exist). `actor_label` defaults to the actor's username, or "system"."""
    if actor_label is None:
        actor_label = actor.get_username() if actor is not None else "system"
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label[:150],
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:60],
        object_repr=object_repr[:255],
        agency=agency,
        before=before,
        after=after,
        note=note[:255],
    )


# SQLite has no TRUNCATE and no roles: `flush` empties tables with DELETE, which the audit
# table's delete trigger (migration core.0004) refuses unless this process is flushing. The
# trigger asks through an SQL function registered on each of our connections; any other client
# (sqlite3 shell, another program) lacks the function, and its DELETE fails. On PostgreSQL
# flush uses TRUNCATE, which the row trigger does not see, and roles keep the application from
# doing the same (docs/operations.md, "Database roles").
_flushing: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_flushing", default=False)
SQLITE_FLUSH_FUNCTION = "motcua_audit_flushing"


@contextlib.contextmanager
def audit_flush_allowed() -> Iterator[None]:
    """Let `flush` (and only it) empty the audit trail on SQLite."""
    token = _flushing.set(True)
    try:
        yield
    finally:
        _flushing.reset(token)


def sqlite_register_audit_guard(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: give each SQLite connection the trigger's function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FLUSH_FUNCTION, 0, lambda: int(_flushing.get())
        )
