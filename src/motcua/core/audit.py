"""Write audit entries from inside a service's transaction."""

from __future__ import annotations

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
