"""The officials' lists at scale (issue 12): open dossiers by default, closed ones by period,
keyset pages that neither skip nor repeat while dossiers change, folded search, capped counts."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.errors import InvalidInput
from motcua.core.keyset import Keyset, capped_count, keyset_page
from motcua.dossiers import selectors
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier

from .test_pages import client_for, receive

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
# Few distinct deadlines, and none at all: ties and the NULL part are the hard cases.
DUES = [None, BASE, BASE + dt.timedelta(hours=1), BASE + dt.timedelta(days=2)]


def clones(template: Dossier, dues: list[dt.datetime | None], start: int) -> list[Dossier]:
    made = []
    for i, due in enumerate(dues, start=start):
        d = copy.copy(template)
        d.pk = None
        d.code = f"K-{i:05d}"
        d.step_due_at = due
        made.append(d)
    return Dossier.objects.bulk_create(made)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    initial=st.lists(st.sampled_from(DUES), min_size=0, max_size=14),
    size=st.integers(1, 4),
)
def test_keyset_pages_never_skip_nor_repeat_a_row_while_dossiers_change(world, data, initial, size):
    # Each example in its own savepoint, rolled back: every one starts from the world.
    with transaction.atomic():
        _walk_while_changing(world, data, initial, size)
        transaction.set_rollback(True)


def _walk_while_changing(world, data, initial, size) -> None:
    template = receive(world)
    officer = world["commune_officer"]
    rows = clones(template, initial, start=0)
    before = set(selectors.dossiers_list(user=officer).values_list("pk", flat=True))
    made = len(initial)
    changed: set[int] = set()  # rows whose place in the order moved, or which left the list
    seen: list[int] = []
    cursor = None
    for _turn in range(40):
        qs = selectors.dossiers_list(user=officer)
        page = keyset_page(qs, selectors.OPEN_ORDER, cursor=cursor, size=size)
        seen += [d.pk for d in page.items]
        # Between two pages, the others work: new dossiers, deadlines moved, dossiers closed.
        for change in data.draw(
            st.lists(st.sampled_from(["insert", "move", "close"]), max_size=3), label="changes"
        ):
            live = [d for d in rows if d.pk not in changed]
            if change == "insert":
                rows += clones(template, [data.draw(st.sampled_from(DUES))], start=made)
                made += 1
                changed.add(rows[-1].pk)  # may land before or after the boundary
            elif live:
                victim = data.draw(st.sampled_from(live))
                changed.add(victim.pk)
                if change == "move":
                    Dossier.objects.filter(pk=victim.pk).update(
                        step_due_at=data.draw(st.sampled_from(DUES))
                    )
                else:
                    Dossier.objects.filter(pk=victim.pk).update(status=Status.RETURNED)
        if page.next is None:
            break
        cursor = page.next
    stable = before - changed
    assert sorted(pk for pk in seen if pk in stable) == sorted(stable)  # each once, all
    assert {pk for pk in seen if seen.count(pk) > 1} <= changed  # repeats only of moved rows


def test_pages_backwards_are_the_pages_forwards(world):
    template = receive(world)
    clones(template, DUES * 4, start=0)
    qs = selectors.dossiers_list(user=world["commune_officer"])
    forwards = [keyset_page(qs, selectors.OPEN_ORDER, cursor=None, size=3)]
    while forwards[-1].next:
        forwards.append(keyset_page(qs, selectors.OPEN_ORDER, cursor=forwards[-1].next, size=3))
    assert len(forwards) == 6  # 17 rows
    order = [d.pk for p in forwards for d in p.items]
    # The list's order: deadlines ascending, NULL last, ties by id.
    keys = [(d.step_due_at is None, d.step_due_at or BASE, d.pk) for p in forwards for d in p.items]
    assert keys == sorted(keys) and len(order) == len(set(order)) == 17
    back = forwards[-1]
    for expected in reversed(forwards[:-1]):
        back = keyset_page(qs, selectors.OPEN_ORDER, cursor=back.previous, size=3)
        assert [d.pk for d in back.items] == [d.pk for d in expected.items]
    assert back.previous is None and back.first


def test_the_rows_without_a_deadline_are_read_in_the_lists_index_order(world):
    """The NULL part of a walk (dossiers without a step deadline: submitted, awaiting a
    supplement) is ordered by the column then the key, like the rest, so the list's
    (…, step_due_at, id) indexes answer it. Ordered by the key alone, the planner walked the
    primary key over every dossier whenever a filter left the list short (4.9 s at a million
    dossiers for a procedure the desk never receives)."""
    template = receive(world)
    clones(template, DUES * 2, start=0)
    waiting = receive(world, accept=False)
    assert waiting.step_due_at is None
    qs = selectors.dossiers_list(user=world["commune_officer"])
    pages = []
    with CaptureQueriesContext(connection) as queries:
        pages.append(keyset_page(qs, selectors.OPEN_ORDER, cursor=None, size=3))
        while pages[-1].next:
            pages.append(keyset_page(qs, selectors.OPEN_ORDER, cursor=pages[-1].next, size=3))
        back = keyset_page(qs, selectors.OPEN_ORDER, cursor=pages[-1].previous, size=3)
    assert waiting.pk in [d.pk for d in pages[-1].items]
    assert [d.pk for d in back.items] == [d.pk for d in pages[-2].items]
    nulls = [q["sql"] for q in queries.captured_queries if '"step_due_at" IS NULL' in q["sql"]]
    assert nulls
    for sql in nulls:
        order = sql.rsplit("ORDER BY", 1)[1]
        assert order.lstrip().startswith('"dossiers_dossier"."step_due_at"'), order


def test_a_cursor_of_another_order_or_forged_gives_the_first_page(world):
    template = receive(world)
    clones(template, DUES * 2, start=0)
    qs = selectors.dossiers_list(user=world["commune_officer"])
    first = keyset_page(qs, selectors.OPEN_ORDER, cursor=None, size=2)
    other = keyset_page(qs, Keyset("submitted_at"), cursor=None, size=2)
    for cursor in (other.next, "garbage", first.next[:-3] + "abc"):
        again = keyset_page(qs, selectors.OPEN_ORDER, cursor=cursor, size=2)
        assert [d.pk for d in again.items] == [d.pk for d in first.items]


def test_the_list_shows_open_dossiers_and_closed_ones_by_period(world):
    officer = world["commune_officer"]
    open_ = receive(world)
    closed = receive(world)
    Dossier.objects.filter(pk=closed.pk).update(status=Status.RETURNED)
    assert list(selectors.dossiers_list(user=officer)) == [open_]
    today = timezone.localdate()
    period = selectors.closed_period(None, None, today=today)
    assert (period.end - period.start).days == selectors.CLOSED_DEFAULT_DAYS - 1
    assert list(selectors.dossiers_list(user=officer, closed=True, period=period)) == [closed]
    # A closed status is a list of closed dossiers; one received before the period is not in it.
    long_ago = selectors.closed_period(
        today - dt.timedelta(days=90), today - dt.timedelta(days=60), today=today
    )
    assert list(selectors.dossiers_list(user=officer, status=Status.RETURNED)) == [closed]
    assert not selectors.dossiers_list(user=officer, closed=True, period=long_ago).exists()
    with pytest.raises(InvalidInput):
        selectors.closed_period(today - dt.timedelta(days=400), today, today=today)
    with pytest.raises(InvalidInput):
        selectors.closed_period(today, today - dt.timedelta(days=1), today=today)

    page = client_for(officer).get("/ho-so/", {"da_ket_thuc": "1"}).content.decode()
    assert closed.code in page and open_.code not in page
    # "My work" is the desk's default tab; every open dossier one sees is the "all" tab.
    page = client_for(officer).get("/ho-so/", {"the": "tat-ca"}).content.decode()
    assert open_.code in page and closed.code not in page
    bad = client_for(officer).get(
        "/ho-so/", {"da_ket_thuc": "1", "tu_ngay": "2026-12-05", "den_ngay": "2026-12-01"}
    )
    assert bad.status_code == 200 and "aria-invalid" in bad.content.decode()


def test_search_matches_folded_words_of_the_name_and_partial_codes(world):
    officer = world["commune_officer"]
    a = receive(world, name="Nguyễn Thị Đào")
    b = receive(world, name="Trần Văn Đông")
    assert list(selectors.dossiers_list(user=officer, query="dao nguyen")) == [a]
    assert list(selectors.dossiers_list(user=officer, query="ĐÔNG")) == [b]
    assert list(selectors.dossiers_list(user=officer, query=b.code[-8:])) == [b]
    assert not selectors.dossiers_list(user=officer, query="Nguyễn Đông").exists()
    with CaptureQueriesContext(connection) as queries:
        list(selectors.dossiers_list(user=officer, query="Nguyễn Thị"))
    sql = queries.captured_queries[-1]["sql"]
    # One folded column, every word in it: no OR across code, name and number.
    where = sql.split(" WHERE ")[1]
    assert len(re.findall(r'"search_folded"(::text)? LIKE', where)) == 2
    assert " OR " not in where.split('"search_folded"', 1)[1]


def test_counts_stop_at_the_cap(world):
    template = receive(world)
    clones(template, [BASE] * 6, start=0)
    qs = selectors.dossiers_list(user=world["commune_officer"])
    assert capped_count(qs, 10) == (7, False)
    assert capped_count(qs, 5) == (5, True)


def test_api_list_pages_by_cursor(world):
    template = receive(world)
    clones(template, DUES * 2, start=0)
    client = client_for(world["commune_officer"])
    answer = client.get("/api/v1/dossiers", {"page_size": 4}).json()
    assert answer["count"] == 9 and not answer["count_capped"] and answer["previous"] is None
    codes = [d["code"] for d in answer["items"]]
    while answer["next"]:
        answer = client.get("/api/v1/dossiers", {"page_size": 4, "cursor": answer["next"]}).json()
        codes += [d["code"] for d in answer["items"]]
    assert len(codes) == len(set(codes)) == 9
    closed = client.get(
        "/api/v1/dossiers",
        {"closed": "true", "received_from": "2026-12-05", "received_to": "2026-11-01"},
    )
    assert closed.status_code == 422


def test_api_and_page_list_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    template = receive(world)
    client = client_for(world["commune_officer"])
    client.get("/api/v1/dossiers")  # warm the per-process caches
    client.get("/ho-so/")
    with CaptureQueriesContext(connection) as few_api:
        client.get("/api/v1/dossiers")
    with CaptureQueriesContext(connection) as few_page:
        client.get("/ho-so/")
    clones(template, DUES * 5, start=0)
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        client.get("/api/v1/dossiers")
    with django_assert_max_num_queries(len(few_page.captured_queries)):
        client.get("/ho-so/")


def test_a_province_wide_official_sees_every_dossier_without_a_list_of_ids(world, superuser):
    """A grant over the whole province drops the visibility condition (thousands of literal ids
    are no help to the planner), and "my work" still holds the unassigned dossiers waiting at
    every unit; an official of one commune keeps the literal ids."""
    from motcua.dossiers.tests.conftest import officials

    t = world.tree
    leader = officials(
        superuser, {"leader": ("ld.tinh", t["root"], [("receiving_officer", t["root"], True)])}
    )["leader"]
    template = receive(world)
    clones(template, [BASE], start=0)
    other = t["commune2"]
    Dossier.objects.filter(code="K-00000").update(
        receiving_agency=other, competent_agency=other, step_agency=other, assignee=None
    )
    assert selectors.visible_agency_ids(leader) is None
    assert selectors.visible_agency_ids(world["commune_officer"]) == [t["osu"].pk]
    every = set(selectors.dossiers_list(user=leader).values_list("code", flat=True))
    assert every == set(Dossier.objects.values_list("code", flat=True))
    mine = set(selectors.dossiers_list(user=leader, mine=True).values_list("code", flat=True))
    assert "K-00000" in mine
    sql = str(selectors.dossiers_list(user=leader).query)
    assert 'receiving_agency_id" IN' not in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_name_search_has_trigram_indexes_of_open_and_of_closed_dossiers(db):
    """The hand-written trigram indexes carry exactly the lists' conditions: the open one the
    predicate Django gives the open-dossier indexes (OPEN_ROWS), the closed one its contrary
    among real dossiers; otherwise the planner cannot prove a list's WHERE implies them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid), pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'dossiers_dossier'::regclass"
        )
        found = {name: (pred, sql) for name, pred, sql in cursor.fetchall()}
    assert "dossier_search_trgm" not in found
    open_pred, open_sql = found["dossier_open_search_trgm"]
    closed_pred, closed_sql = found["dossier_closed_search_trgm"]
    assert "gin_trgm_ops" in open_sql and "gin_trgm_ops" in closed_sql
    assert open_pred == found["dossier_open_due_idx"][0]
    # ((NOT <closed status>) AND (NOT is_sandbox)) and (<closed status> AND (NOT is_sandbox))
    head, tail = "((NOT ", ") AND (NOT is_sandbox))"
    assert open_pred.startswith(head) and open_pred.endswith(tail), open_pred
    closed_status = open_pred[len(head) : -len(tail)]
    assert closed_pred == f"({closed_status} AND (NOT is_sandbox))", closed_pred
