"""Shared API schema types: the error body."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    """The body of every error answer (4xx): a code for programs, a message for people, and
    for invalid input the messages per field ("applicant.name", "page", "fees.0.amount_vnd")."""

    code: str
    message: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
