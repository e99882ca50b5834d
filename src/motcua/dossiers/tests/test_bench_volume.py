"""`manage.py bench_volume` at 2,000 dossiers: the generated rows are valid dossiers, and every
read is measured. Its figures at a million dossiers are in docs/benchmarks.md."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.keyset import keyset_page
from motcua.core.textnorm import fold
from motcua.dossiers import selectors
from motcua.dossiers.constants import TERMINAL
from motcua.dossiers.management.commands.bench_volume import TEMPLATE_MARK
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent

N = 2000
READS = [
    "worklist p1, receiving officer",
    "worklist p1, province leader",
    "worklist p1, my work (officer)",
    "worklist p2 (cursor), officer",
    "closed ",
    "search exact code, officer",
    "search identity number, officer",
    "search name",
    "API list ?agency=commune, leader",
    "ledger query, one desk",
    "detail page, officer",
    "public tracking (API)",
    "766 month",
    "due_warnings_scan",
    # Issue 14: the desk's tab counts and each tab's page for four roles, every worklist
    # filter alone and combined (open and closed), the leaders' report, the .xlsx export.
    *(
        f"desk tab counts ({n}), {role}"
        for n, role in (
            (5, "receiving officer"),
            (3, "specialist"),
            (4, "unit leader"),
            (4, "province leader"),
        )
    ),
    "tab cho-tiep-nhan, receiving officer",
    "tab cua-toi, specialist",
    "tab cho-phan-cong, unit leader",
    "tab sap-den-han, unit leader",
    "tab qua-han, province leader",
    "tab cho-tra-ket-qua, receiving officer",
    *(
        f"filter {name}, {role}"
        for role in ("officer", "leader")
        for name in (
            "procedure",
            "field",
            "channel online",
            "channel post",
            "received last 7 days",
            "due next 7 days",
            "overdue only",
            "status processing",
            "status supplement",
            "procedure+channel+overdue",
            "field+received+due",
            "status+channel+due",
            "search+procedure+overdue",
            "none match (procedure×field)",
            "closed month + procedure",
            "closed month + field",
            "closed month + channel post",
            "closed month + status refused",
            "closed month + received+due",
            "closed year + status stopped",
            "closed year + procedure+channel post",
            "closed year + none match",
        )
    ),
    "report page, province leader",
    "report page, commune chairman",
    "report held now (open_by_unit), province leader",
    "report at-risk p1 (selector), commune chairman",
    "export .xlsx officer, post+overdue",
    "export .xlsx specialist, procedure+post+due 7 days",
    "export .xlsx leader, procedure+post+received 3 days",
    "export .xlsx officer, overdue",
]


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('dossiers_dossier', 'dossiers_dossierevent', 'dossiers_dossiercomponent') "
            "ORDER BY indexname"
        )
        return cursor.fetchall()


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="bench_volume generates with PostgreSQL's SQL (generate_series, hashint8extended, "
    "pg_trgm); CI runs the suite on PostgreSQL",
)
def test_generates_valid_dossiers_and_times_every_read(client):
    indexes = _indexes()
    out = io.StringIO()
    call_command(
        "bench_volume",
        dossiers=N,
        repeat=1,
        scan_runs=1,
        keep=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    output = out.getvalue()

    # The counts: N dossiers besides the templates, three components and their history each.
    templates = Dossier.objects.filter(applicant_name__startswith=TEMPLATE_MARK)
    generated = Dossier.objects.exclude(applicant_name__startswith=TEMPLATE_MARK)
    assert generated.count() == N
    assert DossierComponent.objects.filter(dossier__in=generated).count() == 3 * N
    history = DossierEvent.objects.filter(dossier__in=generated).count()
    assert 4 * N <= history <= 8 * N
    assert not generated.filter(events__isnull=True).exists()
    # The loaded tables end with exactly the indexes they had (the migrations').
    assert _indexes() == indexes

    # A year's mix: most closed, a few per cent open, and every status of the templates.
    open_ = generated.exclude(status__in=TERMINAL)
    assert 0.03 * N < open_.count() < 0.15 * N
    assert set(generated.values_list("status", flat=True)) == set(
        templates.values_list("status", flat=True)
    )

    # Every channel, for the worklist's channel filter: most online, a few by post.
    channels = dict(generated.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    assert set(channels) == {"online", "direct", "post"}
    assert channels["online"] > channels["direct"] > channels["post"]
    # Open dossiers near and past their step deadline, for the desk's tabs and the report.
    now = timezone.now()
    assert open_.filter(step_near_at__lte=now, step_due_at__gte=now).exists()
    assert open_.filter(step_due_at__lt=now).exists()
    assert not open_.filter(step_near_at__isnull=True, step_due_at__isnull=False).exists()
    running = open_.filter(status__in=["accepted", "processing"], due_at__isnull=False)
    assert running.exists() and not running.filter(due_near_at__isnull=True).exists()

    # Valid rows: the search column as save() computes it, the history in the dossier's order.
    for code, name, folded in generated.values_list("code", "applicant_name", "search_folded"):
        assert folded == fold(f"{code} {name}")
    d = generated.filter(status="returned").first()
    assert list(d.events.values_list("seq", flat=True)) == list(range(1, d.event_seq + 1))
    assert d.submitted_at <= d.finished_at <= d.returned_at

    # Every shape renders: one generated dossier of each template, on its detail page.
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    shapes: dict[tuple, int] = {}
    rows = generated.values_list("pk", "procedure_id", "status", "receiving_agency_id")
    for pk, procedure, status, desk in rows:
        shapes.setdefault((procedure, status, desk), pk)
    assert len(shapes) >= templates.count() // 2
    for pk in shapes.values():
        assert client.get(reverse("dossiers:detail", args=[pk])).status_code == 200

    # A generated name is found by the folded search (middle and given name, as typed).
    target = open_.first()
    words = " ".join(target.applicant_name.split()[-2:])
    assert target in selectors.dossiers_list(user=admin, query=words)

    # The keyset pages of the worklist walk every open dossier once.
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(
            selectors.dossiers_worklist(user=admin),
            selectors.list_order(False),
            cursor=cursor,
            size=25,
        )
        seen += [x.pk for x in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert len(seen) == len(set(seen))
    assert set(seen) == set(
        Dossier.objects.filter(is_sandbox=False)
        .exclude(status__in=TERMINAL)
        .values_list("pk", flat=True)
    )

    # The counts for reports, rebuilt from the generated history: each dossier received once.
    from django.db.models import Sum

    from motcua.reports.models import DailyCount

    assert "counts for reports rebuilt" in output
    received = DailyCount.objects.aggregate(n=Sum("received"))["n"]
    assert received == Dossier.objects.filter(is_sandbox=False).count()

    # Every read is in the table, with its figures and plan.
    for read in READS:
        assert read in output, read
    assert "dossiers/s" in output


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other engines")
def test_refuses_a_database_other_than_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("bench_volume", dossiers=10, stdout=io.StringIO())
