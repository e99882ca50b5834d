"""A process definition with an external step: it names a configured system and says where
both results lead; only the system's own account may report at it."""

from __future__ import annotations

import pytest

from motcua.coordination.services import ReportRefused, report_receive
from motcua.core.errors import NotAllowed
from motcua.dossiers.lifecycle import ExternalSystem
from motcua.workflows.spec import spec_parse
from motcua.workflows.validation import structure_problems

from .conftest import external_steps


def codes(document: dict) -> list[tuple[str | None, str]]:
    return [(p.step_key, p.code) for p in structure_problems(spec_parse(document))]


def test_external_step_to_a_configured_system_validates(settings):
    settings.EXTERNAL_SYSTEMS = {"btxh": {"label": "Bộ", "account": "he-thong-btxh"}}
    assert codes(external_steps("btxh")) == []


def test_unknown_system_refused(settings):
    settings.EXTERNAL_SYSTEMS = {"btxh": {"label": "Bộ", "account": "he-thong-btxh"}}
    assert codes(external_steps("khong_co")) == [("bo", "unknown_system")]
    document = external_steps("")
    assert codes(document) == [("bo", "unknown_system")]


def test_external_step_needs_both_results(settings):
    settings.EXTERNAL_SYSTEMS = {"btxh": {"label": "Bộ", "account": "he-thong-btxh"}}
    document = external_steps("btxh")
    document["steps"][2]["transitions"] = [{"action": "forward", "next": "ky"}]
    assert codes(document) == [("bo", "external_no_refuse")]


def test_only_an_external_step_names_a_system(settings):
    settings.EXTERNAL_SYSTEMS = {"btxh": {"label": "Bộ", "account": "he-thong-btxh"}}
    document = external_steps("btxh")
    document["steps"][1]["system"] = "btxh"
    assert codes(document) == [("tham-dinh", "system_not_external")]


def test_a_system_name_must_be_a_plain_code():
    with pytest.raises(ValueError, match="system"):
        spec_parse(external_steps("Bộ Y tế"))


@pytest.mark.django_db(transaction=True)
def test_only_the_steps_system_account_may_report(ministry, world, settings, superuser):
    from .conftest import handed_over

    d = handed_over(world)
    officials = [world["commune_specialist"], world["commune_chair"], superuser]
    assert not any(ExternalSystem().allows(u, d, None) for u in officials)
    # Another system's account cannot report on this hand-over, nor can a system whose
    # account was never set up.
    settings.EXTERNAL_SYSTEMS = settings.EXTERNAL_SYSTEMS | {
        "dieuphoi": {**settings.EXTERNAL_SYSTEMS["btxh"], "account": "he-thong-dieuphoi"}
    }
    body = {
        "AcceptKey": d.handovers.get().accept_key,
        "StatusId": "2",
        "ThoiDiemXuLy": "20261207100000",
    }
    with pytest.raises(ReportRefused) as refused:
        report_receive(system="dieuphoi", body=body, via="callback")
    assert refused.value.code == "unknown_accept_key"
    settings.EXTERNAL_SYSTEMS = {
        "btxh": {**settings.EXTERNAL_SYSTEMS["btxh"], "account": "not-set-up"}
    }
    with pytest.raises(NotAllowed):
        report_receive(system="btxh", body=body, via="callback")
