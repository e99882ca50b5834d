"""The one rule of the counts: which history event adds to which counter.

`deltas(facts)` is used by both ways the counts are made: `services.counts_record`, in the
transaction of each change, gives it the facts of the events just written; `counts_rebuild`
groups the stored history rows in SQL by exactly those facts (`group_fields`) and gives it each
group's facts once, multiplied by the group's size. One function, so the two cannot disagree on
what an event counts for.

One fact is not on the history row: whether a dossier settled on time. The hot path judges it
with `settled_timeliness` from the dossier's clock fields; the rebuild with
`settled_timeliness_sql`, the same comparison written as a database expression over the stored
dossier (its clock fields do not change once it is settled). The tests prove both agree with
`clocking.timeliness_of`, the clock's own judgement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from motcua.core.workcalendar import TZ
from motcua.dossiers.constants import Channel, EventKind, Status, Timeliness

# Flows: what happened that day (received, settled…). `paid_online` and `digitized` stay 0
# until the data records them: online payments (the payment platform) and digitised
# components (R9) have no service, hence no event, yet — an event kind for each will count here.
FLOWS = (
    "received",
    "online",
    "accepted",
    "refused",
    "settled",
    "settled_on_time",
    "settled_early",
    "settled_late",
    "returned",
    "withdrawn",
    "stopped",
    "paid_online",
    "digitized",
)
# The stock "in progress" as its daily change: +1 when a dossier is accepted, -1 when an
# accepted dossier is settled, withdrawn or stopped.
COUNTERS = (*FLOWS, "in_progress_change")

RECEIVED = {EventKind.SUBMIT, EventKind.REGISTER}
CLOSING = {EventKind.WITHDRAW, EventKind.STOP}
ON_TIME = {Timeliness.EARLY, Timeliness.ON_TIME}


@dataclass(frozen=True)
class Facts:
    """What the rule needs of one history event and its dossier."""

    kind: str
    from_status: str
    to_status: str
    channel: str
    # The dossier was accepted (it has a reception time): only then is it "in progress".
    accepted: bool
    # The dossier's timeliness if this event settles it, else "".
    timeliness: str = ""


def settles(kind: str, from_status: str, to_status: str) -> bool:
    """The event that moves a dossier into "result ready" (processing finished, whatever the
    outcome): a FINISH, or a STEP straight into a return step."""
    return to_status == Status.DONE and from_status not in ("", Status.DONE)


def deltas(f: Facts) -> dict[str, int]:
    """The counters one event adds to (only the non-zero ones)."""
    out: dict[str, int] = {}
    if f.kind in RECEIVED:
        out["received"] = 1
        if f.channel == Channel.ONLINE:
            out["online"] = 1
    elif f.kind == EventKind.ACCEPT:
        out["accepted"] = 1
        out["in_progress_change"] = 1
    elif f.kind == EventKind.REFUSE:
        out["refused"] = 1
    elif f.kind == EventKind.RETURN_RESULT:
        out["returned"] = 1
    elif f.kind in CLOSING:
        out["withdrawn" if f.kind == EventKind.WITHDRAW else "stopped"] = 1
        if f.accepted:
            out["in_progress_change"] = -1
    if settles(f.kind, f.from_status, f.to_status):
        out["settled"] = 1
        if f.timeliness in ON_TIME:
            out["settled_on_time"] = 1  # early included (766's "on time or early")
            if f.timeliness == Timeliness.EARLY:
                out["settled_early"] = 1
        elif f.timeliness == Timeliness.LATE:
            out["settled_late"] = 1
        out["in_progress_change"] = out.get("in_progress_change", 0) - 1
    return out


# Every event `deltas` can count is in this set (the rebuild reads only these rows).
COUNTED = Q(kind__in=[*RECEIVED, EventKind.ACCEPT, EventKind.REFUSE, EventKind.RETURN_RESULT]) | Q(
    kind__in=CLOSING
)
SETTLING = Q(to_status=Status.DONE) & ~Q(from_status__in=["", Status.DONE])
RELEVANT = COUNTED | SETTLING


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def settled_timeliness(
    finished_at: dt.datetime,
    *,
    statutory_due_at: dt.datetime | None,
    paused_at: dt.datetime | None,
    late: bool,
) -> str:
    """Trước hạn / đúng hạn / quá hạn of a dossier settled at `finished_at`, as
    `clock.Clock.timeliness` judges it: late if lateness was incurred or the time counted
    passed the statutory deadline, on time on the deadline's own day, early before."""
    if statutory_due_at is None:
        return ""
    counted = paused_at if paused_at is not None and paused_at < finished_at else finished_at
    if late or counted > statutory_due_at:
        return Timeliness.LATE
    if local_day(counted) == local_day(statutory_due_at):
        return Timeliness.ON_TIME
    return Timeliness.EARLY


def statutory_of(d) -> dt.datetime | None:
    """The deadline the indicators judge against, as `clocking.clock_of` takes it."""
    if d.clock_started_at is None or d.due_at is None:
        return None
    return d.statutory_due_at or d.original_due_at or d.due_at


# The same judgement over a DossierEvent queryset (`at` is the settling moment).
_STATUTORY = Case(
    When(
        Q(dossier__clock_started_at__isnull=False, dossier__due_at__isnull=False),
        then=Coalesce("dossier__statutory_due_at", "dossier__original_due_at", "dossier__due_at"),
    ),
    default=None,
)
_COUNTED = Case(
    When(dossier__clock_paused_at__lt=F("at"), then=F("dossier__clock_paused_at")),
    default=F("at"),
)


def annotate_facts(qs):
    """DossierEvent rows with the facts `deltas` reads, named as `Facts` names them, and the
    competent agency, procedure and local day the counts are kept by."""
    qs = qs.annotate(
        r_statutory=_STATUTORY,
        r_counted=_COUNTED,
    ).annotate(
        r_statutory_day=TruncDate("r_statutory", tzinfo=TZ),
        r_counted_day=TruncDate("r_counted", tzinfo=TZ),
    )
    timeliness = Case(
        When(~SETTLING | Q(r_statutory__isnull=True), then=Value("")),
        When(
            Q(dossier__clock_late=True) | Q(r_counted__gt=F("r_statutory")),
            then=Value(Timeliness.LATE),
        ),
        When(r_counted_day=F("r_statutory_day"), then=Value(Timeliness.ON_TIME)),
        default=Value(Timeliness.EARLY),
        output_field=CharField(),
    )
    return qs.annotate(
        r_agency=F("dossier__competent_agency"),
        r_procedure=F("dossier__procedure"),
        r_day=TruncDate("at", tzinfo=TZ),
        r_channel=F("dossier__channel"),
        r_accepted=ExpressionWrapper(
            Q(dossier__received_at__isnull=False), output_field=BooleanField()
        ),
        r_timeliness=timeliness,
    )


GROUP_FIELDS = (
    "r_agency",
    "r_procedure",
    "r_day",
    "kind",
    "from_status",
    "to_status",
    "r_channel",
    "r_accepted",
    "r_timeliness",
)


def facts_of_group(row: dict) -> Facts:
    return Facts(
        kind=row["kind"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        channel=row["r_channel"],
        accepted=bool(row["r_accepted"]),
        timeliness=row["r_timeliness"] or "",
    )
