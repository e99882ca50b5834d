"""The demo's workflows: active, passing validation, idempotent."""

from __future__ import annotations

import pytest

from motcua.demo.services import demo_setup
from motcua.demo.workflows import workflows_build
from motcua.organizations.models import Agency
from motcua.workflows.models import ProcessDefinition, TestRun
from motcua.workflows.selectors import definition_active_for
from motcua.workflows.validation import definition_problems

pytestmark = pytest.mark.django_db


def test_demo_workflows_are_active_valid_and_idempotent():
    demo_setup()
    active = ProcessDefinition.objects.filter(status="active").select_related("procedure", "agency")
    assert {(d.procedure.code, d.agency.code if d.agency else None) for d in active} == {
        ("1.001193", None),
        ("2.001610", "000.01.03.H20"),
        ("2.001023", None),
        # Handed over to the national coordination system (demo of issue 13 §5).
        ("1.004873", None),
    }
    for definition in active:
        assert definition_problems(definition) == [], definition
        run = definition.test_runs.get()
        assert run.passed and run.content_hash == definition.content_hash
    mytho = Agency.objects.get(code="000.00.31.H20")
    birth = definition_active_for(active.get(procedure__code="1.001193").procedure, mytho)
    assert [s.kind for s in birth.spec.steps] == ["receive", "process", "sign", "return"]
    officials = [s["officials"] for s in birth.test_runs.get().report["steps"]]
    assert [o["username"] for o in officials[1]] == ["hotich.mytho"]
    assert [o["username"] for o in officials[2]] == ["ct.mytho"]
    lien_thong = active.get(procedure__code="2.001023")
    handoff = next(s for s in lien_thong.spec.steps if s.kind == "handoff")
    assert handoff.unit.agency_name == "Bảo hiểm xã hội tỉnh Đồng Tháp"
    assert lien_thong.spec.steps[-1].kind == "return"
    external = active.get(procedure__code="1.004873")
    assert [s.system for s in external.spec.steps if s.kind == "external"] == ["dieuphoi"]
    enterprise = active.get(procedure__code="2.001610")
    assert [s.kind for s in enterprise.spec.steps] == [
        "receive", "assign", "process", "approve", "sign", "return",
    ]  # fmt: skip

    counts = (ProcessDefinition.objects.count(), TestRun.objects.count())
    demo_setup()
    workflows_build(type(birth.activated_by).objects.get(username="admin"))
    assert (ProcessDefinition.objects.count(), TestRun.objects.count()) == counts
