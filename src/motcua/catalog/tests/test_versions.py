"""Versions: draft → approved → published → suspended/abolished; published ones never change."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.catalog.constants import VersionStatus
from motcua.catalog.content import ProcedureContent
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.catalog.selectors import procedure_public_get, version_in_force
from motcua.catalog.services import (
    version_abolish,
    version_approve,
    version_publish,
    version_resume,
    version_save,
    version_suspend,
)
from motcua.core.errors import Conflict, InvalidInput, NotFound
from motcua.core.models import AuditEntry

from .documents import BIRTH, document

pytestmark = pytest.mark.django_db


def publish(actor, version):
    version_approve(actor=actor, version=version)
    return version_publish(actor=actor, version=version)


def new_fee(amount: int) -> list[dict]:
    return [{**BIRTH["fees"][0], "amount_vnd": amount, "exemptions": ""}]


def test_saving_after_publication_makes_a_new_version(catalog_admin, birth_ready):
    v1 = publish(catalog_admin, birth_ready)
    v2 = version_save(
        actor=catalog_admin,
        content=document(
            fees=new_fee(8000),
            decision_number="200/QĐ-BTP",
            decision_date="2026-06-01",
            effective_from="2026-07-01",
        ),
    )
    assert (v2.number, v2.status) == (2, VersionStatus.DRAFT)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED
    # The published document is untouched.
    assert v1.document == ProcedureContent.model_validate(document()).as_document()
    assert list(v1.fees.values_list("amount_vnd", flat=True)) == [0]
    assert list(v2.fees.values_list("amount_vnd", flat=True)) == [8000]


def test_published_version_cannot_be_approved_or_published_again(catalog_admin, birth_ready):
    v1 = publish(catalog_admin, birth_ready)
    with pytest.raises(Conflict):
        version_approve(actor=catalog_admin, version=v1)
    with pytest.raises(Conflict):
        version_publish(actor=catalog_admin, version=v1)


def test_one_open_version_is_updated_in_place(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    again = version_save(actor=catalog_admin, content=document(fees=new_fee(5000)))
    assert again.pk == birth_ready.pk
    assert again.status == VersionStatus.DRAFT  # changed content needs approval again
    assert ProcedureVersion.objects.filter(procedure=birth_ready.procedure).count() == 1
    assert Fee.objects.get(version=again).amount_vnd == 5000


def test_saving_the_same_content_again_is_refused(catalog_admin, birth_ready):
    publish(catalog_admin, birth_ready)
    with pytest.raises(Conflict) as caught:
        version_save(actor=catalog_admin, content=document())
    assert caught.value.code == "unchanged"
    assert ProcedureVersion.objects.count() == 1


def test_version_in_force_follows_effective_dates(catalog_admin, birth_ready):
    v1 = publish(catalog_admin, birth_ready)  # effective 1/2/2026
    v2 = version_save(
        actor=catalog_admin,
        content=document(
            fees=new_fee(8000),
            decision_number="200/QĐ-BTP",
            decision_date="2026-06-01",
            effective_from="2026-07-01",
        ),
    )
    publish(catalog_admin, v2)
    procedure = v1.procedure
    assert version_in_force(procedure, dt.date(2026, 1, 31)) is None
    assert version_in_force(procedure, dt.date(2026, 2, 1)) == v1
    assert version_in_force(procedure, dt.date(2026, 6, 30)) == v1
    assert version_in_force(procedure, dt.date(2026, 7, 1)) == v2
    public = procedure_public_get("1.001193", dt.date(2026, 3, 1))
    assert public.version == v1
    assert public.upcoming == v2
    with pytest.raises(NotFound):
        procedure_public_get("1.001193", dt.date(2026, 1, 1))


def test_two_versions_cannot_take_effect_on_the_same_day(catalog_admin, birth_ready):
    publish(catalog_admin, birth_ready)
    v2 = version_save(actor=catalog_admin, content=document(fees=new_fee(8000)))
    version_approve(actor=catalog_admin, version=v2)
    with pytest.raises(Conflict):
        version_publish(actor=catalog_admin, version=v2)
    assert ProcedureVersion.objects.get(pk=v2.pk).status == VersionStatus.APPROVED


def test_suspend_resume_and_abolish(catalog_admin, birth_ready):
    v1 = publish(catalog_admin, birth_ready)
    with pytest.raises(InvalidInput):
        version_suspend(actor=catalog_admin, version=v1, reason="  ")
    version_suspend(actor=catalog_admin, version=v1, reason="Chờ hướng dẫn mới")
    v1.procedure.refresh_from_db()
    assert not v1.procedure.is_published
    with pytest.raises(NotFound):
        procedure_public_get("1.001193")
    version_resume(actor=catalog_admin, version=v1)
    v1.procedure.refresh_from_db()
    assert v1.procedure.is_published
    version_abolish(actor=catalog_admin, version=v1, reason="Bãi bỏ theo Quyết định 9/QĐ-BTP")
    v1.refresh_from_db()
    assert v1.status == VersionStatus.ABOLISHED
    assert v1.status_reason.startswith("Bãi bỏ")
    with pytest.raises(Conflict):
        version_resume(actor=catalog_admin, version=v1)
    actions = list(
        AuditEntry.objects.filter(object_type="catalog.procedureversion")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "catalog.version.save",
        "catalog.version.approve",
        "catalog.version.publish",
        "catalog.version.suspend",
        "catalog.version.resume",
        "catalog.version.abolish",
    ]


def test_a_stale_copy_cannot_move_a_version(catalog_admin, birth_ready):
    stale = ProcedureVersion.objects.get(pk=birth_ready.pk)
    version_approve(actor=catalog_admin, version=birth_ready)
    stale.status = VersionStatus.DRAFT  # what the other official's page still shows
    with pytest.raises(Conflict):
        version_approve(actor=catalog_admin, version=stale)


def test_bad_content_is_refused_with_field_errors_and_nothing_saved(catalog_admin, birth_form):
    bad = document(code="1001193", fees=[{"name": "Lệ phí", "amount_vnd": -5}], level="xa")
    with pytest.raises(InvalidInput) as caught:
        version_save(actor=catalog_admin, content=bad)
    errors = caught.value.errors
    assert errors["code"] == ["Mã thủ tục có dạng 1.001193 (N.NNNNNN)."]
    assert "fees.0.amount_vnd" in errors
    assert "level" in errors
    assert not ProcedureVersion.objects.exists()
