"""Reading the counts: a month per agency and for the province (Decision 766 reads this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CountedMonth, DailyCount, MonthlyCount
from .rules import FLOWS, local_day
from .services import month_bounds, previous_month

COLUMNS = (*FLOWS, "in_progress")


@dataclass
class MonthCounts:
    """A month's counts: per competent agency (or, read `by="procedure"`, per procedure in
    `agencies`' place), and their total (the province, or the agencies asked for).
    `in_progress` is the stock at the month's end (so far, for the current month).
    `rolled_up`: read from the month's roll-up rather than its days."""

    first: dt.date
    rolled_up: bool
    agencies: dict[int, dict[str, int]] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    by: str = "agency"


def _agency_filter(agency_ids: Iterable[int] | None) -> Q:
    return Q() if agency_ids is None else Q(agency_id__in=list(agency_ids))


def month_counts(
    year: int,
    month: int,
    agency_ids: Iterable[int] | None = None,
    *,
    by: Literal["agency", "procedure"] = "agency",
) -> MonthCounts:
    """Totals of a month per competent agency (all agencies, or `agency_ids`), or with
    `by="procedure"` per procedure over those agencies, reading only the counts tables: one
    grouped query over the month's roll-up once it is rolled up, else over its days plus the
    stock at the start (the previous month's roll-up)."""
    first, last = month_bounds(year, month)
    where = _agency_filter(agency_ids)
    key = "agency_id" if by == "agency" else "procedure_id"
    rolled = CountedMonth.objects.filter(month=first).exists()
    out = MonthCounts(first=first, rolled_up=rolled, by=by)
    if rolled:
        rows = (
            MonthlyCount.objects.filter(where, month=first)
            .values(key)
            .annotate(**{c: Sum(c) for c in COLUMNS})
            .order_by()
        )
        for r in rows:
            out.agencies[r[key]] = {c: r[c] for c in COLUMNS}
    else:
        rows = (
            DailyCount.objects.filter(where, day__gte=first, day__lte=last)
            .values(key)
            .annotate(**{c: Sum(c) for c in FLOWS}, in_progress=Sum("in_progress_change"))
            .order_by()
        )
        for r in rows:
            out.agencies[r[key]] = {c: r[c] for c in COLUMNS}
        for agency_id, n in _stock_at_start(first, where, key).items():
            counts = out.agencies.setdefault(agency_id, dict.fromkeys(COLUMNS, 0))
            counts["in_progress"] += n
    out.agencies = {a: c for a, c in sorted(out.agencies.items()) if any(c.values())}
    out.total = {c: sum(a[c] for a in out.agencies.values()) for c in COLUMNS}
    return out


def _stock_at_start(first: dt.date, where: Q, key: str = "agency_id") -> dict[int, int]:
    """Dossiers in progress per agency (or procedure: `key`) when the month began: the previous
    month's roll-up, or (not rolled up) every change before the month, which reads all the days
    before."""
    prev = previous_month(first)
    if CountedMonth.objects.filter(month=prev).exists():
        qs = MonthlyCount.objects.filter(where, month=prev).values(key)
        qs = qs.annotate(n=Sum("in_progress"))
    else:
        qs = DailyCount.objects.filter(where, day__lt=first).values(key)
        qs = qs.annotate(n=Sum("in_progress_change"))
    return {r[key]: r["n"] for r in qs.order_by() if r["n"]}


# ---------------------------------------------------------------------------------------------
# The leaders' report (Báo cáo): their units' figures, this month and last, and what they hold
# now. Figures come from the counts tables, never from counting dossiers; what is held now from
# the open-dossier partial indexes (`dossiers.selectors.open_by_unit`).


@dataclass(frozen=True)
class FigureRow:
    """One unit's (or procedure's) figures: this month's and last month's counts, and for a
    unit what it holds now (`dossiers.selectors.HeldNow`)."""

    obj: Any  # Agency or Procedure
    this: dict[str, int]
    last: dict[str, int]
    now: Any = None

    @property
    def counted(self) -> bool:
        """Something was counted for it in one of the two months."""
        return any(self.this.values()) or any(self.last.values())


@dataclass(frozen=True)
class LeaderReport:
    this_month: dt.date
    last_month: dt.date
    at: dt.datetime
    units: list[FigureRow]
    procedures: list[FigureRow]
    total_this: dict[str, int]
    total_last: dict[str, int]
    total_now: Any
    # Literal agency ids of the report (None: every agency), for the at-risk list.
    agency_ids: list[int] | None = None

    @property
    def counted_units(self) -> list[FigureRow]:
        """The competent agencies with figures in either month."""
        return [r for r in self.units if r.counted]

    @property
    def holding_units(self) -> list[FigureRow]:
        """The units holding open dossiers now."""
        return [r for r in self.units if r.now is not None and r.now.held]


def report_agency_ids(user) -> list[int] | None:
    """The agencies whose figures `user` may read (`report.view`: one agency, or an agency and
    its sub-tree), as literal ids (None: every agency); NotAllowed for anyone holding none."""
    from motcua.accounts.authz import has_any
    from motcua.accounts.constants import Action
    from motcua.core.errors import NotAllowed
    from motcua.dossiers.selectors import visible_agency_ids

    if not has_any(user, {Action.REPORT_VIEW}):
        raise NotAllowed(_("You do not have permission for this action."))
    ids = visible_agency_ids(user, Action.REPORT_VIEW)
    if ids == []:
        raise NotAllowed(_("You do not have permission for this action."))
    return ids


def leader_report(user, *, now: dt.datetime | None = None) -> LeaderReport:
    """Báo cáo: for the units `user`'s `report.view` grants cover, this month's and last
    month's counts per competent agency and per procedure (`month_counts`), and per unit the
    open dossiers it holds now, past and near their step deadline. A fixed number of queries
    however many dossiers there are."""
    from motcua.catalog.models import Procedure
    from motcua.dossiers.selectors import HeldNow, open_by_unit
    from motcua.organizations.models import Agency

    ids = report_agency_ids(user)
    now = now or timezone.now()
    today = local_day(now)
    this_first = today.replace(day=1)
    last_first = previous_month(this_first)
    months = {}
    for first in (this_first, last_first):
        for by in ("agency", "procedure"):
            months[first, by] = month_counts(first.year, first.month, ids, by=by)
    held = open_by_unit(ids, now)

    zero = dict.fromkeys(COLUMNS, 0)
    unit_ids = set(months[this_first, "agency"].agencies) | set(
        months[last_first, "agency"].agencies
    )
    unit_ids |= {pk for pk, h in held.items() if h.held}
    procedure_ids = set(months[this_first, "procedure"].agencies) | set(
        months[last_first, "procedure"].agencies
    )
    agencies = Agency.objects.filter(pk__in=sorted(unit_ids)).order_by("path")
    procedures = Procedure.objects.filter(pk__in=sorted(procedure_ids)).order_by("code")

    def row(obj, by: str, now_counts=None) -> FigureRow:
        return FigureRow(
            obj,
            months[this_first, by].agencies.get(obj.pk, zero),
            months[last_first, by].agencies.get(obj.pk, zero),
            now_counts,
        )

    units = [row(a, "agency", held.get(a.pk, HeldNow())) for a in agencies]
    total_now = HeldNow(
        sum(h.held for h in held.values()),
        sum(h.overdue for h in held.values()),
        sum(h.near for h in held.values()),
    )
    return LeaderReport(
        this_month=this_first,
        last_month=last_first,
        at=now,
        units=units,
        procedures=[row(p, "procedure") for p in procedures],
        total_this=months[this_first, "agency"].total or dict(zero),
        total_last=months[last_first, "agency"].total or dict(zero),
        total_now=total_now,
        agency_ids=ids,
    )


def report_at_risk(user, *, now: dt.datetime | None = None):
    """The late and at-risk dossiers of the units in `user`'s report that they may also see
    (`dossier.view`: an administrator reading figures sees no applicant's dossier), soonest
    step deadline first: `dossiers.selectors.dossiers_at_risk`."""
    from motcua.accounts.constants import Action
    from motcua.dossiers.selectors import dossiers_at_risk, visible_agency_ids

    ids = report_agency_ids(user)
    seen = visible_agency_ids(user, Action.DOSSIER_VIEW)
    if ids is None:
        ids = seen
    elif seen is not None:
        allowed = set(seen)
        ids = [pk for pk in ids if pk in allowed]
    return dossiers_at_risk(ids, now or timezone.now())


@dataclass(frozen=True)
class PapersMonth:
    """One month's digitization and reuse (R9, R10; Decision 766's digitised-data indicators)
    for the report's units: dossiers whose every paper is digitized, result papers digitized,
    dossiers that reused a paper from a data warehouse or a national database."""

    first: dt.date
    dossiers: Any  # documents.selectors.Share
    results: Any  # documents.selectors.Share
    reuse: Any  # documents.warehouse.ReuseShare


def report_papers(user, *, now: dt.datetime | None = None) -> list[PapersMonth]:
    """This month's (so far) and last month's digitization and reuse shares of `user`'s report
    units (`report.view`), from the documents app's two selectors; three aggregate queries a
    month over that month's dossiers."""
    from motcua.core.workcalendar import TZ
    from motcua.documents.selectors import digitization_share
    from motcua.documents.warehouse import reuse_share

    ids = report_agency_ids(user)
    now = now or timezone.now()
    this_first = local_day(now).replace(day=1)
    months = []
    for first in (this_first, previous_month(this_first)):
        _first, last = month_bounds(first.year, first.month)
        start = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
        shares = digitization_share(start=start, end=end, agency_ids=ids)
        reuse = reuse_share(start=start, end=end, agency_ids=ids)
        months.append(PapersMonth(first, shares.dossiers, shares.results, reuse))
    return months
