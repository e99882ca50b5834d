"""Keyset (seek) pagination, and counts that stop counting.

A page starts right after the last row of the previous one, found through the index that orders
the list, instead of `OFFSET n` rows read and thrown away: page 400 costs what page 1 costs, and
a dossier that moves while someone pages is neither skipped nor shown twice (an OFFSET shifts
under every insert and every change of status).

The order is one column (nullable) and the primary key as tie-break, both in the same direction,
rows whose column is NULL last. A cursor is the (value, pk) of a boundary row, signed so a
hand-made one is simply ignored (the first page is shown) instead of reaching the database.

The condition for "after (v, id)" is written `col >= v AND (col > v OR pk > id)`: the first
half is a range on the (col, pk) index, the second filters its first few entries, on every engine
(a row-value comparison is not available through Django's public API, and SQLite's ORM has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

_SALT = "motcua.keyset"


@dataclass(frozen=True)
class Keyset:
    """The order of a list: `column` then the primary key, both ascending or both descending,
    rows whose `column` is NULL after all the others."""

    column: str
    descending: bool = False

    @classmethod
    def of(cls, qs: QuerySet) -> Keyset:
        """The keyset of a queryset ordered by one column then the primary key, both in the
        same direction (what the selectors of paged lists return)."""
        order = list(qs.query.order_by)
        if len(order) != 2 or order[1].lstrip("-") not in ("pk", "id"):
            raise ValueError(f"not a keyset order: {order}")
        first, second = order
        if first.startswith("-") != second.startswith("-"):
            raise ValueError(f"not a keyset order: {order}")
        return cls(first.lstrip("-"), descending=first.startswith("-"))


@dataclass(frozen=True)
class Page:
    items: list
    # Cursors for the links; None when there is no such page.
    next: str | None = None
    previous: str | None = None
    first: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and value[0] in ("dt", "d"):
        parse = dt.datetime.fromisoformat if value[0] == "dt" else dt.date.fromisoformat
        return parse(value[1])
    return value


def cursor_for(order: Keyset, row: Any, *, backwards: bool = False) -> str:
    value = getattr(row, order.column)
    return signing.dumps(
        [order.column, _encode(value), row.pk, int(backwards)], salt=_SALT, compress=True
    )


def _cursor_read(order: Keyset, cursor: str | None) -> tuple[Any, int, bool] | None:
    """(value, pk, backwards) of a cursor made for this order; None for a missing or foreign
    one (tampered, expired by a new secret, made for another order)."""
    if not cursor:
        return None
    try:
        column, value, pk, backwards = signing.loads(cursor, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if column != order.column or not isinstance(pk, int):
        return None
    try:
        return _decode(value), pk, bool(backwards)
    except (TypeError, ValueError):
        return None


def _after(order: Keyset, value: Any, pk: int, *, forward: bool) -> Q:
    """Rows strictly after (value, pk) in the walking direction, within the non-NULL part."""
    up = forward != order.descending  # walking towards larger values
    c = order.column
    if up:
        return Q(**{f"{c}__gte": value}) & (Q(**{f"{c}__gt": value}) | Q(pk__gt=pk))
    return Q(**{f"{c}__lte": value}) & (Q(**{f"{c}__lt": value}) | Q(pk__lt=pk))


def _ordered(qs: QuerySet, order: Keyset, *, forward: bool, nulls: bool) -> QuerySet:
    up = forward != order.descending
    sign = "" if up else "-"
    # The NULL part too is ordered by the column (all NULL: the order of the key), so that the
    # list's (…, column, pk) indexes answer it as they answer the rest. By the key alone, the
    # primary key looked cheaper to the planner whenever it overestimated the matches, and it
    # walked every row of the table when there were none (4.9 s at a million dossiers).
    part = qs.filter(**{f"{order.column}__isnull": nulls})
    return part.order_by(f"{sign}{order.column}", f"{sign}pk")


def _walk(
    qs: QuerySet, order: Keyset, start: tuple[Any, int] | None, *, forward: bool, n: int
) -> list:
    """Up to `n` rows from `start` (excluded; None = from the end the walk starts at) in the
    walking direction, crossing from the non-NULL part to the NULL part (forward) or back."""
    # The two parts, in walking order: forward the non-NULL rows come first.
    parts = [False, True] if forward else [True, False]
    if start is not None:
        value, pk = start
        # Skip the parts wholly behind the start.
        parts = parts[parts.index(value is None) :]
    keys: list = []
    for nulls in parts:
        part = _ordered(qs, order, forward=forward, nulls=nulls)
        if start is not None and (start[0] is None) == nulls:
            value, pk = start
            if nulls and forward != order.descending:
                part = part.filter(pk__gt=pk)
            elif nulls:
                part = part.filter(pk__lt=pk)
            else:
                part = part.filter(_after(order, value, pk, forward=forward))
        keys.extend(part.values_list("pk", flat=True)[: n - len(keys)])
        if len(keys) >= n:
            break
    return _rows(qs, keys)


def _rows(qs: QuerySet, keys: list) -> list:
    """The rows of `keys`, in that order, as `qs` loads them (with what it joins).

    The walk reads the page's keys alone, from the list's index, and only then these rows:
    one query that joins every related table to every candidate row before sorting is what
    the planner chooses whenever it misjudges how many rows match (a later page of a busy
    desk at ten million dossiers: 15,000 rows joined eight times, 0.65 s; this way 30 ms)."""
    if not keys:
        return []
    found = {row.pk: row for row in qs.order_by().filter(pk__in=keys)}
    return [found[k] for k in keys if k in found]


def keyset_page(qs: QuerySet, order: Keyset, *, cursor: str | None, size: int) -> Page:
    """One page of `qs` in `order`, from a cursor of a previous page (None: the first page).

    The keys of at most two parts (values, then NULLs), then the page's rows: two or three
    queries whatever the page."""
    where = _cursor_read(order, cursor)
    if where is not None and where[2]:  # backwards: the rows before the boundary
        value, pk, _ = where
        rows = _walk(qs, order, (value, pk), forward=False, n=size + 1)
        if len(rows) > size:
            items = list(reversed(rows[:size]))
            return Page(
                items,
                next=cursor_for(order, items[-1]),
                previous=cursor_for(order, items[0], backwards=True),
                first=False,
            )
        # Reached the beginning: the first page, whole.
        where = None
    start = (where[0], where[1]) if where is not None else None
    rows = _walk(qs, order, start, forward=True, n=size + 1)
    items = rows[:size]
    more = len(rows) > size
    return Page(
        items,
        next=cursor_for(order, items[-1]) if more and items else None,
        previous=cursor_for(order, items[0], backwards=True) if start and items else None,
        first=start is None,
    )


def capped_count(qs: QuerySet, cap: int) -> tuple[int, bool]:
    """How many rows `qs` holds, counting at most `cap + 1`: (the count or `cap`, capped).

    A list shows "more than 1,000" instead of scanning ten million rows to print a number."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap
