"""Writes for the catalog's identities."""

from __future__ import annotations

from django.db import transaction

from motcua.core.textnorm import fold

from .models import Field, Procedure


def field_upsert(*, code: str, name: str) -> Field:
    """Create or rename a field by its national code."""
    with transaction.atomic():
        field, created = Field.objects.get_or_create(
            code=code, defaults={"name": name, "name_folded": fold(name)}
        )
        if not created and field.name != name:
            field.name, field.name_folded = name, fold(name)
            field.save(update_fields=["name", "name_folded"])
    return field


def procedure_upsert(*, code: str, name: str, field: Field | None) -> Procedure:
    """Create a procedure identity, or update its name and field."""
    with transaction.atomic():
        procedure, created = Procedure.objects.get_or_create(
            code=code, defaults={"name": name, "name_folded": fold(name), "field": field}
        )
        if not created and (procedure.name != name or procedure.field_id != (field and field.pk)):
            procedure.name, procedure.name_folded, procedure.field = name, fold(name), field
            procedure.save(update_fields=["name", "name_folded", "field"])
    return procedure
