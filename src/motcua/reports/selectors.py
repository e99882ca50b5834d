"""Reading the counts: a month per agency and for the province (Decision 766 reads this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from .models import CountedMonth, DailyCount, MonthlyCount
from .rules import FLOWS
from .services import month_bounds, previous_month

COLUMNS = (*FLOWS, "in_progress")


@dataclass
class MonthCounts:
    """A month's counts: per competent agency, and their total (the province, or the agencies
    asked for). `in_progress` is the stock at the month's end (so far, for the current month).
    `rolled_up`: read from the month's roll-up rather than its days."""

    first: dt.date
    rolled_up: bool
    agencies: dict[int, dict[str, int]] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)


def _agency_filter(agency_ids: Iterable[int] | None) -> Q:
    return Q() if agency_ids is None else Q(agency_id__in=list(agency_ids))


def month_counts(year: int, month: int, agency_ids: Iterable[int] | None = None) -> MonthCounts:
    """Totals of a month per competent agency (all agencies, or `agency_ids`), reading only
    the counts tables: one grouped query over the month's roll-up once it is rolled up, else
    over its days plus the stock at the start (the previous month's roll-up)."""
    first, last = month_bounds(year, month)
    where = _agency_filter(agency_ids)
    rolled = CountedMonth.objects.filter(month=first).exists()
    out = MonthCounts(first=first, rolled_up=rolled)
    if rolled:
        rows = (
            MonthlyCount.objects.filter(where, month=first)
            .values("agency_id")
            .annotate(**{c: Sum(c) for c in COLUMNS})
            .order_by()
        )
        for r in rows:
            out.agencies[r["agency_id"]] = {c: r[c] for c in COLUMNS}
    else:
        rows = (
            DailyCount.objects.filter(where, day__gte=first, day__lte=last)
            .values("agency_id")
            .annotate(**{c: Sum(c) for c in FLOWS}, in_progress=Sum("in_progress_change"))
            .order_by()
        )
        for r in rows:
            out.agencies[r["agency_id"]] = {c: r[c] for c in COLUMNS}
        for agency_id, n in _stock_at_start(first, where).items():
            counts = out.agencies.setdefault(agency_id, dict.fromkeys(COLUMNS, 0))
            counts["in_progress"] += n
    out.agencies = {a: c for a, c in sorted(out.agencies.items()) if any(c.values())}
    out.total = {c: sum(a[c] for a in out.agencies.values()) for c in COLUMNS}
    return out


def _stock_at_start(first: dt.date, where: Q) -> dict[int, int]:
    """Dossiers in progress per agency when the month began: the previous month's roll-up,
    or (not rolled up) every change before the month, which reads all the days before."""
    prev = previous_month(first)
    if CountedMonth.objects.filter(month=prev).exists():
        qs = MonthlyCount.objects.filter(where, month=prev).values("agency_id")
        qs = qs.annotate(n=Sum("in_progress"))
    else:
        qs = DailyCount.objects.filter(where, day__lt=first).values("agency_id")
        qs = qs.annotate(n=Sum("in_progress_change"))
    return {r["agency_id"]: r["n"] for r in qs.order_by() if r["n"]}
