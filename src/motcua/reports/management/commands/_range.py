"""The day range the counts commands take (--from, --to), cut into months for progress."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone

from motcua.reports.rules import local_day
from motcua.reports.services import month_bounds


def add_range_arguments(parser) -> None:
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: yesterday)")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: --from)")


def day_range(options) -> tuple[dt.date, dt.date]:
    yesterday = local_day(timezone.now()) - dt.timedelta(days=1)
    try:
        start = dt.date.fromisoformat(options["start"]) if options["start"] else yesterday
        end = dt.date.fromisoformat(options["end"]) if options["end"] else start
    except ValueError as exc:
        raise CommandError(f"Days are written YYYY-MM-DD: {exc}") from None
    if end < start:
        raise CommandError("--to is before --from.")
    return start, end


def by_month(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """`start`..`end` cut at month ends."""
    out = []
    while start <= end:
        last = min(end, month_bounds(start.year, start.month)[1])
        out.append((start, last))
        start = last + dt.timedelta(days=1)
    return out
