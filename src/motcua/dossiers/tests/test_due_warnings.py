"""Due warnings (R15): who is warned, once, about which dossier; the scan's cost.

`reference_scan` is the scan as it was before it became set-based (one dossier at a time,
get_or_create per warning), kept verbatim as the oracle: on a varied data set, run at a series
of moments with the dossiers changing in between, the scan must record exactly the warnings
the reference records.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from motcua.core.selectors import calendar_cache_clear
from motcua.dossiers.constants import Status, WarningKind
from motcua.dossiers.deadlines import near_from
from motcua.dossiers.models import Dossier, DueWarning
from motcua.dossiers.process import apology_deadline, spec_of
from motcua.dossiers.services import due_warnings_scan, late
from motcua.workflows.units import officials_eligible

from .factories import DossierFactory, local

# The reference -------------------------------------------------------------------------------


def reference_scan(*, now: dt.datetime) -> int:
    created = 0
    running = Dossier.objects.filter(
        status__in=[Status.ACCEPTED, Status.PROCESSING], is_sandbox=False
    ).select_related("competent_agency", "step_agency", "procedure")
    horizon = now + late.HORIZON
    # One change since: a step overdue long before a far appointment is warned too (the scan
    # used to look at dossiers due within the horizon only, and missed it).
    for d in running.filter(Q(due_at__lte=horizon) | Q(step_due_at__lt=now)).iterator():
        latest = apology_deadline(d)
        targets = []
        # Since issue 14: near by the desk's rule (the last 20 % of the time from acceptance
        # to the appointment, or a day before the apology letter's deadline, the earlier).
        if latest is not None and now >= near_from(d.received_at, d.due_at, apology_by=latest):
            targets.append((WarningKind.DUE_SOON, d.due_at))
        if d.step_due_at is not None and now > d.step_due_at:
            targets.append((WarningKind.STEP_OVERDUE, d.step_due_at))
        for kind, target in targets:
            recipients = [d.assignee] if d.assignee_id else _reference_officials(d)
            for recipient in recipients or [None]:
                _, made = DueWarning.objects.get_or_create(
                    dossier=d, kind=kind, target_at=target, recipient=recipient
                )
                created += int(made)
    return created


def _reference_officials(d):
    try:
        step = spec_of(d).step(d.step_key)
    except KeyError:
        return []
    return officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure)


# The data set --------------------------------------------------------------------------------

FIELDS = [
    "status",
    "is_sandbox",
    "due_at",
    "step_due_at",
    "step_key",
    "step_agency_id",
    "step_started_at",
    "assignee_id",
    "definition_id",
    "rule_set",
]


def birth(world, at: dt.datetime, **changes) -> Dossier:
    d = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        accepted=True,
        now=at,
    )
    return shape(d, **changes)


def justice(world, at: dt.datetime, **changes) -> Dossier:
    d = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.justice,
        desk=world.tree["osu"],
        accepted=True,
        now=at,
    )
    return shape(d, **changes)


def shape(d: Dossier, **changes) -> Dossier:
    """Put a dossier in a state the scan must handle (the scan only reads these columns)."""
    if changes:
        Dossier.objects.filter(pk=d.pk).update(**changes)
        d.refresh_from_db()
    return d


def varied(world) -> dict[str, Dossier]:
    """Dossiers in every situation the scan distinguishes (birth: 3 working days, at its
    first processing step in the commune; justice: 10 working days, first step in the
    department's unit)."""
    t = world.tree
    mar2 = local(2026, 3, 2, 9)
    return {
        "plain": birth(world, mar2),
        "assigned": birth(world, mar2, assignee_id=world["commune_chair"].pk),
        # Received before Tết (17/2/2026): the appointment is counted across the holidays.
        "before_tet": birth(world, local(2026, 2, 13, 9)),
        "processing_status": birth(world, mar2, status=Status.PROCESSING),
        "supplement": birth(world, mar2, status=Status.SUPPLEMENT),
        "payment": birth(world, mar2, status=Status.AWAITING_PAYMENT),
        "done": birth(world, mar2, status=Status.DONE),
        "returned": birth(world, mar2, status=Status.RETURNED),
        "sandbox": birth(world, mar2, is_sandbox=True),
        # The step is overdue, the appointment is far: warned of the step, not of the appointment.
        "far": birth(world, mar2, due_at=local(2026, 4, 30, 9), step_due_at=local(2026, 3, 2, 10)),
        "sign_step": birth(world, mar2, step_key="ky", step_due_at=local(2026, 3, 3, 15)),
        "nobody": birth(world, mar2, step_key="ky", step_agency_id=t["commune2"].pk),
        "unknown_step": birth(world, mar2, step_key="khong-co"),
        "default_process": birth(world, mar2, definition_id=None, step_key="xu-ly"),
        "old_rules": birth(world, local(2026, 3, 3, 14), rule_set="nd61-2018"),
        "no_step_due": birth(world, mar2, step_due_at=None),
        "later": birth(world, local(2026, 3, 9, 9)),
        "justice": justice(world, mar2),
        "justice_assigned": justice(world, mar2, assignee_id=world["dept_specialist"].pk),
        "justice_check": justice(
            world,
            mar2,
            step_key="xu-ly",
            step_due_at=local(2026, 3, 10, 9),
        ),
    }


def moves(world, ds) -> dict[int, dict[str, dict]]:
    """Changes between runs, by run index: what the officials do meanwhile."""
    t = world.tree
    return {
        3: {
            # Assigned after the group was warned: the assignee is warned too.
            "plain": {"assignee_id": world["commune_chair"].pk},
            # Handed on to the next step: its officials are told of the near appointment.
            "sign_step": {
                "step_key": "tra",
                "step_agency_id": t["osu"].pk,
                "step_started_at": local(2026, 3, 4, 8, 10),
                "step_due_at": ds["sign_step"].due_at,
            },
            # Reassigned: the new assignee is warned as well.
            "assigned": {"assignee_id": world["commune_specialist"].pk},
        },
        5: {"later": {"status": Status.SUPPLEMENT}},
        6: {
            "justice_check": {
                "step_key": "duyet",
                "step_started_at": local(2026, 3, 17, 9),
                "step_due_at": local(2026, 3, 18, 9),
            },
        },
    }


MOMENTS = [
    local(2026, 3, 2, 10),
    local(2026, 3, 3, 10),
    local(2026, 3, 4, 8),
    local(2026, 3, 4, 8, 30),
    local(2026, 3, 4, 8, 30),
    local(2026, 3, 13, 10),
    local(2026, 3, 17, 10),
    local(2026, 3, 17, 10),
]


def play(world, ds, scan) -> list[tuple[int, set]]:
    """Restore the data set, run `scan` at each moment (applying the moves first); return
    each run's count and the warnings recorded so far."""
    DueWarning.objects.all().delete()
    for d in ds.values():
        Dossier.objects.filter(pk=d.pk).update(**{f: getattr(d, f) for f in FIELDS})
    changes = moves(world, ds)
    out = []
    for i, now in enumerate(MOMENTS):
        for name, values in changes.get(i, {}).items():
            Dossier.objects.filter(pk=ds[name].pk).update(**values)
        count = scan(now=now)
        rows = set(
            DueWarning.objects.values_list("dossier_id", "kind", "target_at", "recipient_id")
        )
        out.append((count, rows))
    return out


@pytest.mark.django_db
def test_records_the_same_warnings_as_the_reference_scan(lien_thong):
    world = lien_thong
    ds = varied(world)
    expected = play(world, ds, reference_scan)
    got = play(world, ds, due_warnings_scan)
    for i, ((want_n, want_rows), (n, rows)) in enumerate(zip(expected, got, strict=True)):
        assert rows == want_rows, f"run {i} at {MOMENTS[i]}"
        assert n == want_n, f"run {i} at {MOMENTS[i]}"
    # The data set is varied enough to mean something: each case shows up (or does not).
    final = got[-1][1]
    warned = {pk for pk, *_ in final}
    by = {name: d.pk for name, d in ds.items()}
    for skipped in ("supplement", "payment", "done", "returned", "sandbox", "later"):
        assert by[skipped] not in warned, skipped
    for name in (
        "plain",
        "assigned",
        "before_tet",
        "processing_status",
        "nobody",
        "unknown_step",
        "default_process",
        "justice",
    ):
        assert by[name] in warned, name
    assert (by["nobody"], WarningKind.DUE_SOON, ds["nobody"].due_at, None) in final
    assert {k for pk, k, _t, _r in final if pk == by["far"]} == {WarningKind.STEP_OVERDUE}
    specialists = {world["dept_specialist"].pk, world["dept_specialist2"].pk}
    check = {r for pk, kind, _t, r in final if pk == by["justice_check"]}
    assert specialists | {world["dept_leader_unit"].pk} <= check
    assert got[3][0] > 0 and got[4][0] == 0 and got[-1][0] == 0
    assert len({k for _pk, k, _t, _r in final}) == 2


# Once only ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_run_records_nothing_and_reads_no_warned_dossier(lien_thong):
    world = lien_thong
    ds = varied(world)
    at = local(2026, 3, 4, 8)
    first = due_warnings_scan(now=at)
    assert first > 0 and DueWarning.objects.count() == first
    assert due_warnings_scan(now=at) == 0
    assert DueWarning.objects.count() == first
    # The anti-join leaves out every dossier that has its warnings, except those nobody could
    # be told about (read again, so whoever becomes eligible is warned).
    left = {row["id"] for row in late._unwarned(at)}
    nobody = {ds["nobody"].pk, ds["unknown_step"].pk}
    near_not_yet = {ds["later"].pk, ds["old_rules"].pk, ds["justice"].pk}
    near_not_yet |= {ds["justice_assigned"].pk, ds["justice_check"].pk}
    assert left == nobody | (near_not_yet & left)
    assert nobody <= left


@pytest.mark.django_db
def test_counts_only_the_warnings_it_records(lien_thong):
    """A warning already there (as another run, overlapping, would have left it) is skipped by
    the insert and not counted."""
    world = lien_thong
    d = varied(world)["justice_check"]
    at = local(2026, 3, 13, 10)
    DueWarning.objects.create(
        dossier=d,
        kind=WarningKind.STEP_OVERDUE,
        target_at=d.step_due_at,
        recipient=world["dept_specialist"],
        created_at=d.step_started_at - dt.timedelta(minutes=1),
    )
    before = DueWarning.objects.count()
    made = due_warnings_scan(now=at)
    assert made == DueWarning.objects.count() - before
    mine = DueWarning.objects.filter(dossier=d)
    assert mine.filter(kind=WarningKind.STEP_OVERDUE).count() == 2
    assert mine.filter(kind=WarningKind.DUE_SOON).count() == 2


@pytest.mark.django_db
def test_the_warning_nobody_can_receive_is_unique_too(world):
    d = birth(world, local(2026, 3, 2, 9))
    DueWarning.objects.create(dossier=d, kind=WarningKind.DUE_SOON, target_at=d.due_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        DueWarning.objects.create(dossier=d, kind=WarningKind.DUE_SOON, target_at=d.due_at)
    # Addressed warnings are one per recipient, as before.
    DueWarning.objects.create(
        dossier=d, kind=WarningKind.DUE_SOON, target_at=d.due_at, recipient=world["commune_chair"]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DueWarning.objects.create(
            dossier=d,
            kind=WarningKind.DUE_SOON,
            target_at=d.due_at,
            recipient=world["commune_chair"],
        )


# Cost -----------------------------------------------------------------------------------------


def clones(d: Dossier, n: int, tag: str) -> None:
    """`n` copies of a service-made dossier (new codes), straight into the table."""
    rows = []
    for i in range(n):
        c = Dossier.objects.get(pk=d.pk)
        c.pk = None
        c.code = f"{d.code}-{tag}{i}"
        rows.append(c)
    Dossier.objects.bulk_create(rows)


def queries_of_a_run(at: dt.datetime) -> tuple[int, int]:
    calendar_cache_clear()
    with CaptureQueriesContext(connection) as ctx:
        made = due_warnings_scan(now=at)
    return made, len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_dossiers(lien_thong):
    world = lien_thong
    at = local(2026, 3, 4, 8)
    group = birth(world, local(2026, 3, 2, 9))
    assigned = birth(world, local(2026, 3, 2, 9), assignee_id=world["commune_chair"].pk)
    other = justice(world, local(2026, 2, 23, 9), step_key="xu-ly")

    for d in (group, assigned, other):
        clones(d, 1, "a")
    few = queries_of_a_run(at)
    DueWarning.objects.all().delete()
    for d in (group, assigned, other):
        clones(d, 15, "b")
    many = queries_of_a_run(at)
    assert Dossier.objects.count() == 3 + 3 + 45
    assert many[0] > few[0] > 0
    assert many[1] == few[1], (few, many)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.django_db
def test_the_candidates_are_read_from_the_partial_index(world):
    birth(world, local(2026, 3, 2, 9))
    at = local(2026, 3, 4, 8)
    with connection.cursor() as cursor:
        # A few rows make any plan a sequential scan: forbid it to see whether the index can
        # serve the query at all (its predicate must follow from the query's).
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = late._unwarned(at)[: late.BATCH].explain()
    assert "dossier_running_due_idx" in plan, plan


# Two runs at once, and the migration ------------------------------------------------------------


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.services import territory_load

    territory_load()
    builtin_roles_ensure()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_record_each_warning_once(reloaded, lien_thong):
    """Assumption: runs may overlap (the beat and a command, two workers); the unique
    constraints, not a lock, keep the warnings once only, and each run counts its own."""
    world = lien_thong
    for _i in range(3):
        varied(world)
    at = local(2026, 3, 13, 10)
    barrier = threading.Barrier(2)
    counts: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            counts.append(due_warnings_scan(now=at))
        except Exception as exc:  # shown by the assertion below
            counts.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(isinstance(n, int) for n in counts), counts
    assert sum(counts) == DueWarning.objects.count() > 0
    assert due_warnings_scan(now=at) == 0


BEFORE = [("dossiers", "0007_history_dossier_index")]
AFTER = [("dossiers", "0008_due_warning_scan")]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_one_of_each_unaddressed_warning(reloaded, world):
    from django.db.migrations.executor import MigrationExecutor

    d = birth(world, local(2026, 3, 2, 9))
    other = birth(world, local(2026, 3, 2, 9))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Old = apps.get_model("dossiers", "DueWarning")
    first = Old.objects.create(dossier_id=d.pk, kind="due_soon", target_at=d.due_at)
    Old.objects.create(dossier_id=d.pk, kind="due_soon", target_at=d.due_at)
    Old.objects.create(dossier_id=d.pk, kind="step_overdue", target_at=d.due_at)
    Old.objects.create(dossier_id=other.pk, kind="due_soon", target_at=d.due_at)
    addressed = {"dossier_id": d.pk, "kind": "due_soon", "target_at": d.due_at}
    Old.objects.create(recipient_id=world["commune_chair"].pk, **addressed)
    Old.objects.create(recipient_id=world["commune_specialist"].pk, **addressed)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    rows = DueWarning.objects.filter(dossier=d, kind="due_soon", recipient__isnull=True)
    assert list(rows.values_list("pk", flat=True)) == [first.pk]
    assert DueWarning.objects.count() == 5
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_appointment_near_moment_of_running_dossiers(reloaded, world):
    """0017 backfills `due_near_at` for running dossiers on the early side of the exact rule
    (it cannot read the working calendar), never later."""
    from django.db.migrations.executor import MigrationExecutor

    running = birth(world, local(2026, 3, 2, 9))
    exact = running.due_near_at
    assert exact is not None and running.received_at < exact < running.due_at
    executor = MigrationExecutor(connection)
    executor.migrate([("dossiers", "0016_dossier_source_system_key")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("dossiers", "0017_dossier_due_near_at")])
    filled = Dossier.objects.get(pk=running.pk).due_near_at
    assert filled is not None and filled <= exact
    assert filled >= running.due_at - dt.timedelta(days=4)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
