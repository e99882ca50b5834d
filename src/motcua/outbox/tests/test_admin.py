"""The outbox in the admin: the IT team reads it; nobody edits it by hand."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from motcua.outbox.services import outbox_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    with transaction.atomic():
        return outbox_add(
            destination="dvcqg",
            kind="dossier.status",
            aggregate_type="dossier",
            aggregate_id="000.00.31.H20-261123-0001",
            aggregate_seq=1,
            payload={"MaHoSo": "000.00.31.H20-261123-0001", "TrangThaiHoSo": "2"},
        )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_system_operator_reads_pending_events_and_their_payload(event, tree, make_official):
    operator = login(make_official("vanhanh", tree["root"], [("system_operator", tree["root"])]))
    listing = operator.get("/admin/outbox/outboxevent/?status__exact=pending")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "000.00.31.H20-261123-0001" in page and "dossier.status" in page
    detail = operator.get(f"/admin/outbox/outboxevent/{event.pk}/change/").content.decode()
    assert "&quot;TrangThaiHoSo&quot;: &quot;2&quot;" in detail  # the payload, pretty-printed
    # Read-only: no add, no save, no delete.
    assert operator.get("/admin/outbox/outboxevent/add/").status_code == 403
    assert operator.post(f"/admin/outbox/outboxevent/{event.pk}/delete/").status_code == 403
    assert 'name="_save"' not in detail


def test_other_administrators_do_not_see_the_outbox(event, tree, make_official):
    catalog = login(make_official("danhmuc", tree["root"], [("catalog_admin", tree["root"])]))
    assert catalog.get("/admin/outbox/outboxevent/").status_code == 403
