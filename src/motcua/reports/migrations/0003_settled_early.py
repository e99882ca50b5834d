"""`settled_early` (trước hạn) on the daily and monthly counts, filled for the rows already kept.

The fill recomputes the early settlements from the history with the rebuild's own expression
(`rules.annotate_facts`, the timeliness CASE `counts_recompute` groups by), so afterwards
`counts_check` finds no difference in the new column wherever it found none before. Only the
days already counted are filled (a database whose counts were never built has nothing to fill:
`counts_rebuild` builds them, the new column included); the rolled-up months are summed again
from their days. Transitions committed by the previous release while this runs (or before the
new code serves) count nothing early: docs/operations.md says to check those days."""

import datetime as dt

from django.db import migrations, models
from django.db.models import Count, Max, Min, Sum


def _moment(day: dt.date) -> dt.datetime:
    from motcua.core.workcalendar import TZ

    return dt.datetime.combine(day, dt.time(), tzinfo=TZ)


def fill_settled_early(apps, schema_editor):
    from motcua.dossiers.constants import Timeliness
    from motcua.reports.rules import SETTLING, annotate_facts

    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    DailyCount = apps.get_model("reports", "DailyCount")
    MonthlyCount = apps.get_model("reports", "MonthlyCount")
    CountedMonth = apps.get_model("reports", "CountedMonth")

    span = DailyCount.objects.aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return
    settling = DossierEvent.objects.filter(
        SETTLING,
        at__gte=_moment(span["first"]),
        at__lt=_moment(span["last"] + dt.timedelta(days=1)),
        dossier__is_sandbox=False,
    )
    groups = (
        annotate_facts(settling)
        .filter(r_timeliness=Timeliness.EARLY)
        .values("r_agency", "r_procedure", "r_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    early = {}
    for g in groups.iterator(chunk_size=5000):
        day = g["r_day"]
        if isinstance(day, dt.datetime):
            day = day.date()
        early[g["r_agency"], g["r_procedure"], day] = g["n"]
    if not early:
        return

    # Only a row that counted something settled on time can have early ones.
    changed = []
    rows = DailyCount.objects.filter(settled_on_time__gt=0).only(
        "pk", "agency_id", "procedure_id", "day", "settled_early"
    )
    for r in rows.iterator(chunk_size=5000):
        n = early.get((r.agency_id, r.procedure_id, r.day), 0)
        if n != r.settled_early:
            r.settled_early = n
            changed.append(r)
        if len(changed) >= 2000:
            DailyCount.objects.bulk_update(changed, ["settled_early"])
            changed = []
    DailyCount.objects.bulk_update(changed, ["settled_early"], batch_size=2000)

    for first in CountedMonth.objects.values_list("month", flat=True):
        after = (first + dt.timedelta(days=32)).replace(day=1)
        sums = {
            (s["agency_id"], s["procedure_id"]): s["n"]
            for s in DailyCount.objects.filter(day__gte=first, day__lt=after, settled_early__gt=0)
            .values("agency_id", "procedure_id")
            .annotate(n=Sum("settled_early"))
            .order_by()
        }
        if not sums:
            continue
        months = []
        for m in MonthlyCount.objects.filter(month=first, settled_on_time__gt=0):
            m.settled_early = sums.get((m.agency_id, m.procedure_id), 0)
            months.append(m)
        MonthlyCount.objects.bulk_update(months, ["settled_early"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_history_time_brin"),
        ("dossiers", "0017_dossier_due_near_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailycount",
            name="settled_early",
            field=models.PositiveIntegerField(default=0, verbose_name="settled early"),
        ),
        migrations.AddField(
            model_name="monthlycount",
            name="settled_early",
            field=models.PositiveIntegerField(default=0, verbose_name="settled early"),
        ),
        migrations.RunPython(fill_settled_early, migrations.RunPython.noop, elidable=True),
    ]
