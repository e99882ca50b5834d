"""export_request: the permission first, then the parameters; nothing is stored on refusal; an
accepted request runs the real task once the transaction commits."""

from __future__ import annotations

import pytest

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.exports.constants import ExportStatus
from motcua.exports.models import ExportJob
from motcua.exports.services import export_request

from .conftest import ledger_params

pytestmark = pytest.mark.django_db


def _nothing_stored():
    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="export.request").exists()


def test_refuses_without_an_actor(world):
    with pytest.raises(NotAllowed):
        export_request(actor=None, kind="ledger", params=ledger_params(world), fmt="pdf")
    _nothing_stored()


def test_refuses_an_official_of_another_desk_before_looking_at_the_period(world):
    other = world["commune2_officer"]
    for params in (ledger_params(world), ledger_params(world, start="2026-05-01", end="x")):
        with pytest.raises(NotAllowed):
            export_request(actor=other, kind="ledger", params=params, fmt="xlsx")
    _nothing_stored()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end": "2026-02-28"}, "end"),  # before the start
        ({"end": "2026-06-30"}, "end"),  # more than three months
        ({"start": "1/3/2026"}, "start"),
        ({"agency": 10**9}, "agency"),
        ({"agency": ""}, "agency"),
    ],
)
def test_bad_parameters_store_nothing(world, overrides, field, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(InvalidInput) as caught,
    ):
        export_request(
            actor=world["commune_officer"],
            kind="ledger",
            params=ledger_params(world, **overrides),
            fmt="pdf",
        )
    assert field in caught.value.errors
    assert callbacks == []
    _nothing_stored()


def test_period_message_is_the_printed_ledgers(world):
    with pytest.raises(InvalidInput) as caught:
        export_request(
            actor=world["commune_officer"],
            kind="ledger",
            params=ledger_params(world, end="2026-06-30"),
            fmt="pdf",
        )
    assert caught.value.errors["end"] == ["Chọn khoảng thời gian tối đa ba tháng."]


def test_unknown_kind_or_format_stores_nothing(world):
    officer = world["commune_officer"]
    with pytest.raises(InvalidInput):
        export_request(actor=officer, kind="census", params=ledger_params(world), fmt="pdf")
    with pytest.raises(InvalidInput):
        export_request(actor=officer, kind="ledger", params=ledger_params(world), fmt="docx")
    _nothing_stored()


def test_accepted_request_is_audited_and_rendered_after_commit(
    world, three, django_capture_on_commit_callbacks
):
    officer = world["commune_officer"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_request(actor=officer, kind="ledger", params=ledger_params(world), fmt="xlsx")
    # Nothing runs before the commit: the worker would not see the job yet.
    assert job.status == ExportStatus.QUEUED and len(callbacks) == 1
    desk = world.tree["osu"].pk
    assert job.params == {"agency": desk, "start": "2026-03-01", "end": "2026-03-31"}
    entry = AuditEntry.objects.get(action="export.request")
    assert entry.actor == officer and entry.object_id == str(job.pk)
    callbacks[0]()  # the commit: the task is sent (run in-process on the embedded default)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.rows_done == job.rows_total == 3
