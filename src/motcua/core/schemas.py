"""Shared API schema types: bounded numbers, texts and lists, paging, the error body.

Every value the API accepts has a bound: a number or a text beyond what its column holds is
refused with 422 while parsing, instead of reaching the database (a 500: SQLite cannot bind an
integer beyond 64 bits; PostgreSQL refuses one beyond the column, and a text longer than its
varchar), and no text or list is endless (a worker busy for minutes). The bounds are in the
OpenAPI schema, so clients see them.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import Model
from ninja import Schema
from ninja.pagination import LimitOffsetPagination, PageNumberPagination, PaginationBase
from ninja.pagination import paginate as ninja_paginate
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)

# Column ranges: PostgreSQL's smallint, integer and bigint (SQLite's INTEGER is 64-bit).
SMALLINT_MAX = 2**15 - 1
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# A row id (BigAutoField).
Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# A whole number kept in an integer column: a version number, a dossier's version.
PositiveInt32 = Annotated[int, Field(ge=1, le=INT_MAX)]
# Counts kept in a smallint column: originals, copies; sets (at least one).
SmallCount = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]
PositiveSmallInt = Annotated[int, Field(ge=1, le=SMALLINT_MAX)]
# Whole đồng, kept in bigint columns. A thousand trillion đồng is far above any fee, and a
# dossier's total of even a hundred such fees stays within bigint.
AMOUNT_VND_MAX = 10**15
# Strict: JSON `true`, "5" or 5.0 is not an amount of đồng (lax mode would take `true` as 1).
AmountVnd = Annotated[int, Field(ge=0, le=AMOUNT_VND_MAX, strict=True)]
# Administrative units are keyed by their national code: provinces (smallint), communes (integer).
ProvinceCode = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]
CommuneCode = Annotated[int, Field(ge=0, le=INT_MAX)]

# Texts. A value stored in a column is as long as the column allows (`column`); free text, codes
# and search boxes have a bound of their own.
TEXT_MAX = 5000


def _in_utc(value: dt.datetime) -> dt.datetime:
    """Any offset the ISO format admits (up to ±23:59) to UTC: PostgreSQL refuses offsets past
    ±15:59 in a query ("time zone displacement out of range"), a 500 before this."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range") from None


# A moment with its offset, as a query parameter or a field: kept in UTC.
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Code = Annotated[str, StringConstraints(max_length=60)]
# A search box: each word is a condition, so a query is kept to a sentence.
SearchText = Annotated[str, StringConstraints(max_length=200)]
# Items a request lists by hand (reasons, codes, desks); items that each become a row (a
# procedure's fees or components, a dossier's components: the national catalog has procedures
# with over a hundred fees).
MAX_ITEMS = 100
MAX_ROWS = 1000


def column(model: type[Model], field: str) -> Any:
    """A text as long as `model.field` holds (a text column: TEXT_MAX). A longer value was a 500
    on PostgreSQL (value too long for the varchar) and stored whole on SQLite."""
    max_length = model._meta.get_field(field).max_length or TEXT_MAX
    return Annotated[str, StringConstraints(max_length=max_length)]


def list_of(kind: Any, most: int = MAX_ITEMS) -> Any:
    """A list of at most `most` items of `kind`."""
    return Annotated[list[kind], Field(max_length=most)]


def _id_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# An agency named by its electronic identifier (000.00.00.H20) or, for desks, which have none,
# by id: 42 and "42" are the same. Never empty: an empty reference named no agency and was a 500
# where one is required (the ledger).
AgencyRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60),
    BeforeValidator(_id_as_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX},
                {"type": "string", "minLength": 1, "maxLength": 60},
            ]
        }
    ),
]


def Unchanged() -> Any:
    """The default of a PATCH field: a field left out keeps its value.

    An explicit null is then judged by the field's type: refused (422) where the type has no
    None, a clear where it has (`code: str | None = Unchanged()`). A `str | None = None` field
    took null for "unchanged" in the schema and for "set to NULL" in the service: a 500 on a
    NOT NULL column.
    """
    return Field(default=None, json_schema_extra=_without_default)


def _without_default(schema: dict[str, Any]) -> None:
    # None is no default of a string field; the OpenAPI schema says "optional", not "null".
    schema.pop("default", None)


class ErrorOut(Schema):
    """The body of every error answer (4xx): a code for programs, a message for people, and
    for invalid input the messages per field ("applicant.name", "page", "fees.0.amount_vnd")."""

    code: str
    message: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


# Paging. Ninja's paginators take any page and offset (a page number beyond 64 bits reached the
# database's OFFSET: a 500) and LimitOffsetPagination any limit (a whole table in one answer).
# These bound both; a page past the end is an empty page.
MAX_PAGE_SIZE = 100


class PageNumbers(PageNumberPagination):
    class Input(Schema):
        page: PositiveInt32 = 1
        page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] | None = None


class Cursors(PaginationBase):
    """Keyset pages (`core.keyset`) for lists that grow to millions of rows: `cursor` is the
    `next` or `previous` of an earlier answer; `count` stops at `COUNT_CAP` (`count_capped`
    says it did). The queryset must be ordered by one column then the primary key."""

    COUNT_CAP = 1000

    class Input(Schema):
        cursor: Annotated[str, StringConstraints(max_length=500)] | None = None
        page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 50

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool
        next: str | None
        previous: str | None

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        from .keyset import Keyset, capped_count, keyset_page

        page = keyset_page(
            queryset, Keyset.of(queryset), cursor=pagination.cursor, size=pagination.page_size
        )
        count, capped = capped_count(queryset, self.COUNT_CAP)
        return {
            "items": page.items,
            "count": count,
            "count_capped": capped,
            "next": page.next,
            "previous": page.previous,
        }


class LimitOffset(LimitOffsetPagination):
    class Input(Schema):
        limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = MAX_PAGE_SIZE
        offset: Annotated[int, Field(ge=0, le=INT_MAX)] = 0


def paginate(paginator_class: type, **params: Any) -> Callable:
    """Ninja's `paginate`, for views whose module has `from __future__ import annotations`.

    Ninja reads a paginated view's annotations in the namespace of its own wrapper
    (ninja.pagination), where only builtins resolve: `agency: Id | None` there failed on the
    first request. They are resolved here, in the view's module, first.
    """

    def decorate(view: Callable) -> Callable:
        view.__annotations__ = typing.get_type_hints(view, include_extras=True)
        return ninja_paginate(paginator_class, **params)(view)

    return decorate
