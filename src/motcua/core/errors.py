"""Domain errors. Services raise them; one handler per entry point maps them to HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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
