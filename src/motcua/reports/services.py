"""Every write of the counts: the upsert of each transition, the rebuild from the history, the
check against it, the monthly roll-up. The rule (event → counters) is `rules.deltas`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from motcua.core.workcalendar import TZ
from motcua.dossiers.models import Dossier, DossierEvent

from .models import CountedMonth, DailyCount, MonthlyCount
from .rules import (
    COUNTERS,
    FLOWS,
    GROUP_FIELDS,
    RELEVANT,
    Facts,
    annotate_facts,
    deltas,
    facts_of_group,
    local_day,
    settled_timeliness,
    settles,
    statutory_of,
)

Key = tuple[int, int, dt.date]  # (agency id, procedure id, day)
ROLLUP_MARGIN = dt.timedelta(minutes=15)


# ---------------------------------------------------------------------------------------------
# The hot path


@cache
def _upsert_sql() -> str:
    table = DailyCount._meta.db_table
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in COUNTERS)
    marks = ", ".join(["%s"] * len(COUNTERS))
    adds = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + excluded.{q(c)}" for c in COUNTERS)
    # Names only from the model and COUNTERS; every value is a parameter.
    return (
        f"INSERT INTO {q(table)} (agency_id, procedure_id, day, {cols}) "  # noqa: S608
        f"VALUES (%s, %s, %s, {marks}) "
        f"ON CONFLICT (agency_id, day, procedure_id) DO UPDATE SET {adds}"
    )


def counts_record(d: Dossier, now: dt.datetime, events: Iterable) -> None:
    """Add what `events` (one transition of `d`, written at `now`) count for to the day's row
    of its competent agency and procedure: one statement, in the caller's transaction.

    INSERT … ON CONFLICT DO UPDATE adds to the row atomically on both engines: two transactions
    counting on the same row queue on its lock, neither loses the other's additions."""
    if d.is_sandbox:
        return
    total: dict[str, int] = defaultdict(int)
    for ev in events:
        timeliness = ""
        if settles(ev.kind, ev.from_status, ev.to_status):
            timeliness = settled_timeliness(
                now,
                statutory_due_at=statutory_of(d),
                paused_at=d.clock_paused_at,
                late=d.clock_late,
            )
        facts = Facts(
            kind=ev.kind,
            from_status=ev.from_status,
            to_status=ev.to_status,
            channel=d.channel,
            accepted=d.received_at is not None,
            timeliness=timeliness,
        )
        for name, n in deltas(facts).items():
            total[name] += n
    if not any(total.values()):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(),
            [
                d.competent_agency_id,
                d.procedure_id,
                local_day(now),
                *(total.get(c, 0) for c in COUNTERS),
            ],
        )


# ---------------------------------------------------------------------------------------------
# Recomputation from the history


def _moment(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as an aware moment."""
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ)


def counts_recompute(start: dt.date, end: dt.date) -> dict[Key, dict[str, int]]:
    """The counts of days `start`..`end` (inclusive) from the stored history: the relevant
    events grouped in SQL by agency, procedure, day and the facts the rule reads, then the
    rule applied once per group. Rows that would be all zero are left out."""
    qs = DossierEvent.objects.filter(
        RELEVANT,
        at__gte=_moment(start),
        at__lt=_moment(end + dt.timedelta(days=1)),
        dossier__is_sandbox=False,
    )
    groups = annotate_facts(qs).values(*GROUP_FIELDS).annotate(n=Count("id")).order_by()
    out: dict[Key, dict[str, int]] = {}
    for row in groups.iterator(chunk_size=5000):
        changes = deltas(facts_of_group(row))
        if not changes:
            continue
        day = row["r_day"]
        if isinstance(day, dt.datetime):
            day = day.date()
        counters = out.setdefault(
            (row["r_agency"], row["r_procedure"], day), dict.fromkeys(COUNTERS, 0)
        )
        for name, n in changes.items():
            counters[name] += n * row["n"]
    return {key: c for key, c in out.items() if any(c.values())}


def _stored(start: dt.date, end: dt.date) -> dict[Key, dict[str, int]]:
    rows = DailyCount.objects.filter(day__gte=start, day__lte=end).values(
        "agency_id", "procedure_id", "day", *COUNTERS
    )
    return {
        (r["agency_id"], r["procedure_id"], r["day"]): {c: r[c] for c in COUNTERS}
        for r in rows.iterator(chunk_size=5000)
    }


def _lock_counts() -> None:
    """Make every transaction that counted before us finish, and the ones after wait for us.

    Without it on PostgreSQL, a transaction committing between our read of the history and
    our replacement of the rows would have its addition erased. SHARE ROW EXCLUSIVE conflicts
    with the upsert's ROW EXCLUSIVE and with itself; SQLite writes one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(DailyCount._meta.db_table)} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )


def counts_rebuild(start: dt.date, end: dt.date) -> int:
    """Replace the counts of days `start`..`end` with their recomputation, atomically; the
    months already rolled up from the first of them on are rolled up again (their stock
    depends on every day before). Returns the number of daily rows written.

    Dossier transitions wait while it runs: rebuild short ranges (the command goes by month)."""
    with transaction.atomic():
        _lock_counts()
        fresh = counts_recompute(start, end)
        DailyCount.objects.filter(day__gte=start, day__lte=end).delete()
        DailyCount.objects.bulk_create(
            (
                DailyCount(agency_id=a, procedure_id=p, day=day, **counters)
                for (a, p, day), counters in fresh.items()
            ),
            batch_size=2000,
        )
        first = start.replace(day=1)
        for month in CountedMonth.objects.filter(month__gte=first).order_by("month"):
            counts_rollup(month.month.year, month.month.month)
    return len(fresh)


@dataclass(frozen=True)
class Difference:
    agency_id: int
    procedure_id: int
    day: dt.date
    column: str
    stored: int
    expected: int


def counts_check(start: dt.date, end: dt.date) -> list[Difference]:
    """Where the stored counts of days `start`..`end` differ from their recomputation.

    On a live system a transition committing while this runs can show up as a difference on
    today's rows: check days that have ended."""
    expected = counts_recompute(start, end)
    stored = _stored(start, end)
    zero = dict.fromkeys(COUNTERS, 0)
    out = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, zero), stored.get(key, zero)
        for column in COUNTERS:
            if want[column] != have[column]:
                out.append(Difference(*key, column, have[column], want[column]))
    return out


# ---------------------------------------------------------------------------------------------
# Monthly roll-up


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a month."""
    first = dt.date(year, month, 1)
    after = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


def previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


def stock_before(first: dt.date) -> dict[tuple[int, int], int]:
    """Dossiers in progress per (agency, procedure) at the start of the month beginning on
    `first`: the previous month's rolled-up stock if there is one, else every change before."""
    prev = previous_month(first)
    if CountedMonth.objects.filter(month=prev).exists():
        rows = MonthlyCount.objects.filter(month=prev).exclude(in_progress=0)
        return {(r.agency_id, r.procedure_id): r.in_progress for r in rows}
    rows = (
        DailyCount.objects.filter(day__lt=first)
        .values("agency_id", "procedure_id")
        .annotate(n=Sum("in_progress_change"))
        .exclude(n=0)
        .order_by()
    )
    return {(r["agency_id"], r["procedure_id"]): r["n"] for r in rows}


def counts_rollup(year: int, month: int) -> int:
    """Roll a month's daily rows up into `MonthlyCount` (its flows, and the stock in progress
    at its end) and mark it counted. Run once the month has ended (the task does on the 1st);
    run again after a rebuild of its days (`counts_rebuild` does). Returns the rows written."""
    first, last = month_bounds(year, month)
    # No lock: the month has ended, nothing adds to its days any more (the task waits a
    # margin past midnight); a rebuild calls this under its own lock.
    with transaction.atomic():
        stock = stock_before(first)
        rows = (
            DailyCount.objects.filter(day__gte=first, day__lte=last)
            .values("agency_id", "procedure_id")
            .annotate(**{f"s_{c}": Sum(c) for c in COUNTERS})
            .order_by()
        )
        out: dict[tuple[int, int], MonthlyCount] = {}
        for r in rows:
            key = (r["agency_id"], r["procedure_id"])
            out[key] = MonthlyCount(
                agency_id=key[0],
                procedure_id=key[1],
                month=first,
                in_progress=stock.get(key, 0) + r["s_in_progress_change"],
                **{c: r[f"s_{c}"] for c in FLOWS},
            )
        for key, n in stock.items():
            if key not in out:
                out[key] = MonthlyCount(
                    agency_id=key[0], procedure_id=key[1], month=first, in_progress=n
                )
        MonthlyCount.objects.filter(month=first).delete()
        MonthlyCount.objects.bulk_create(
            (m for m in out.values() if m.in_progress or any(getattr(m, c) for c in FLOWS)),
            batch_size=2000,
        )
        CountedMonth.objects.update_or_create(
            month=first, defaults={"rolled_up_at": timezone.now()}
        )
    return len(out)


def counts_rollup_ended(*, now: dt.datetime | None = None) -> list[dt.date]:
    """Roll up every ended month since the last one rolled up (the last month on the first
    run). Returns the months rolled up."""
    # A margin past midnight: a transition begun in the last second of the month has
    # committed by then.
    today = local_day((now or timezone.now()) - ROLLUP_MARGIN)
    current = today.replace(day=1)
    last = CountedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    month = previous_month(current) if last is None else _next_month(last)
    done = []
    while month < current:
        counts_rollup(month.year, month.month)
        done.append(month)
        month = _next_month(month)
    return done


def _next_month(first: dt.date) -> dt.date:
    return month_bounds(first.year, first.month)[1] + dt.timedelta(days=1)
