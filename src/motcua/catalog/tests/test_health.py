"""The catalog health report: every procedure's gaps, counted, in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.constants import CompetentMode
from motcua.catalog.selectors import catalog_health
from motcua.catalog.services import (
    competence_rule_set,
    full_online_list_create,
    procedure_upsert,
    version_approve,
    version_gaps,
    version_publish,
    version_save,
)

from .documents import BIRTH, document

pytestmark = pytest.mark.django_db


def _codes(row) -> set[str]:
    return {gap.code for gap in row.gaps}


def _rows(health) -> dict:
    return {row.procedure.code: row for row in health.rows}


def test_counts_complete_and_incomplete_procedures(catalog_admin, birth_ready, tree):
    # A second procedure without fees and without a competent agency.
    no_fee = version_save(
        actor=catalog_admin, content=document(code="1.000894", name="Đăng ký kết hôn", fees=[])
    )
    # A third known only by its identity (no content yet).
    procedure_upsert(code="1.000656", name="Đăng ký khai tử", field=no_fee.field)

    health = catalog_health()

    assert (health.total, health.complete) == (3, 1)
    assert health.percent == pytest.approx(33.3)
    rows = _rows(health)
    assert rows["1.001193"].complete
    assert rows["1.001193"].version == birth_ready
    assert _codes(rows["1.000894"]) == {"no_fee", "no_competence"}
    assert _codes(rows["1.000656"]) == {"no_version"}
    assert rows["1.000656"].version is None


def test_messages_are_the_gates_own(catalog_admin, birth_form):
    version = version_save(
        actor=catalog_admin, content=document(fees=[{**BIRTH["fees"][0], "amount_vnd": None}])
    )
    (row,) = catalog_health().rows
    assert [g.message for g in row.gaps] == [g.message for g in version_gaps(version)]
    assert {g.where for g in row.gaps} >= {"fees.0.amount_vnd", "competence"}


def test_open_version_is_checked_before_the_one_in_force(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    version_publish(actor=catalog_admin, version=birth_ready)
    draft = version_save(
        actor=catalog_admin,
        content=document(
            legal_bases=[],
            decision_number="200/QĐ-BTP",
            decision_date="2026-06-01",
            effective_from="2026-07-01",
        ),
    )
    (row,) = catalog_health().rows
    assert row.version == draft
    assert _codes(row) == {"no_legal_basis"}
    health = catalog_health()
    assert health.published == 1
    assert health.complete == 0


def test_locality_without_competent_agency_is_a_gap(catalog_admin, birth_draft, tree):
    competence_rule_set(
        actor=catalog_admin,
        procedure=birth_draft.procedure,
        commune=tree["commune"].commune,
        mode=CompetentMode.LOCAL_COMMUNE,
    )
    (row,) = catalog_health().rows
    (gap,) = row.gaps
    assert gap.code == "no_competence_locality"
    assert tree["commune2"].commune.name in gap.message


def test_full_online_list_must_be_configured_fully_online(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    version_publish(actor=catalog_admin, version=birth_ready)
    partial = version_save(
        actor=catalog_admin,
        content=document(
            code="1.000894",
            name="Đăng ký kết hôn",
            online_level="partial",
            eform=None,
        ),
    )
    competence_rule_set(
        actor=catalog_admin, procedure=partial.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    full_online_list_create(
        actor=catalog_admin,
        decision_number="12/QĐ-UBND",
        decision_date="2026-03-01",
        issuer="UBND tỉnh Đồng Tháp",
        procedures=[birth_ready.procedure, partial.procedure],
    )
    rows = _rows(catalog_health())
    assert rows["1.001193"].complete
    assert _codes(rows["1.000894"]) == {"full_online_list_mismatch"}


def test_only_gaps_leaves_out_complete_procedures(catalog_admin, birth_ready):
    version_save(actor=catalog_admin, content=document(code="1.000894", name="Kết hôn", fees=[]))
    health = catalog_health()
    rows = health.with_gaps
    assert [r.procedure.code for r in rows] == ["1.000894"]
    # The totals still count every procedure, complete ones included.
    assert (health.total, health.complete, health.percent) == (2, 1, 50.0)


def _catalog_of(actor, tree, count: int, *, start: int = 0, kinds: int = 4) -> None:
    """`count` procedures of the kinds the report meets: complete (0), with a content gap (1),
    without competence (2), with no content at all (3) and, with kinds=5, with a commune left
    out of its competence (4)."""
    for i in range(start, start + count):
        code = f"2.{i:06d}"
        kind = i % kinds
        if kind == 3:
            procedure_upsert(code=code, name=f"Thủ tục {i}", field=None)
            continue
        changes = {"fees": []} if kind == 1 else {}
        version = version_save(
            actor=actor, content=document(code=code, name=f"Thủ tục {i}", **changes)
        )
        if kind == 2:
            continue
        competence_rule_set(
            actor=actor,
            procedure=version.procedure,
            commune=tree["commune"].commune if kind == 4 else None,
            mode=CompetentMode.LOCAL_COMMUNE,
        )


def _queries_of_health() -> int:
    with CaptureQueriesContext(connection) as captured:
        catalog_health()
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_catalog(
    catalog_admin, birth_form, tree, django_assert_max_num_queries
):
    _catalog_of(catalog_admin, tree, 4)
    with_four = _queries_of_health()
    _catalog_of(catalog_admin, tree, 16, start=4)
    with django_assert_max_num_queries(with_four):
        health = catalog_health()
    assert health.total == 20
    assert health.complete == 5
    assert {g.code for r in health.rows for g in r.gaps} == {
        "no_fee",
        "no_competence",
        "no_version",
    }


def test_query_count_does_not_grow_with_locality_gaps(
    catalog_admin, birth_form, tree, django_assert_max_num_queries
):
    _catalog_of(catalog_admin, tree, 5, kinds=5)
    with_five = _queries_of_health()
    _catalog_of(catalog_admin, tree, 15, start=5, kinds=5)
    with django_assert_max_num_queries(with_five):
        health = catalog_health()
    assert health.total == 20
    localities = [g for r in health.rows for g in r.gaps if g.code == "no_competence_locality"]
    assert len(localities) == 4  # 2.000004, 2.000009, 2.000014 and 2.000019
