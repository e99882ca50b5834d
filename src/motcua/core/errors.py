"""Domain errors. Services raise them; one handler per entry point maps them to HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _


class DomainError(Exception):
    """Base class: a business rule said no. `message` is translated, for people."""

    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message)}


class NotAllowed(DomainError):
    """The actor may not do this (`can` said no)."""

    status = 403
    code = "not_allowed"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know it exists."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the object first, or it is in the wrong state."""

    status = 409
    code = "conflict"


class InvalidInput(DomainError):
    """Bad input. `errors` maps a field (or "row N") to its messages."""

    status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.errors = {key: [str(m) for m in msgs] for key, msgs in (errors or {}).items()}

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": self.errors}


def validation_message(error: Mapping[str, Any]) -> str:
    """A pydantic error (one item of `ValidationError.errors()`) said for people, translated."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("This value is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in {"string_too_short"} and ctx.get("min_length") == 1:
        return _("This value is required.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Must be a whole number.")
    if kind in {"greater_than_equal"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge")}
    if kind in {"less_than_equal"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le")}
    if kind == "enum" or kind == "literal_error":
        return _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Not a valid date (YYYY-MM-DD).")
    if kind.startswith("time"):
        return _("Not a valid time (HH:MM).")
    if kind.startswith("bool"):
        return _("Must be yes or no.")
    if kind == "too_long":
        return _("At most %(n)s items.") % {"n": ctx.get("max_length")}
    if kind in {"list_type", "dict_type", "model_type"}:
        return _("Wrong kind of value.")
    return _("Invalid value.")
