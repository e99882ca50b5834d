"""Two certifications at the same commune at the same moment get different numbers, one after
the other, with no gap (PostgreSQL: two connections really write at once)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.certification.models import CertificationEntry
from motcua.certification.services import Original, Requester, copy_certify

from .conftest import CCCD, scan_pdf

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two concurrent writers need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_certifications_get_consecutive_unique_numbers(reloaded, tree, certifier):
    from motcua.signing import pki

    # The local test CA makes keys on first use: made before the race, not during it.
    pki.agency_credential(tree["commune"])
    pki.official_credential(certifier)
    scan = scan_pdf(1)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def act(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            entry = copy_certify(
                actor=certifier,
                agency=tree["commune"],
                scan=scan,
                scan_name=f"ban-chinh-{n}.pdf",
                requester=Requester(name=f"Người yêu cầu {n}", number=CCCD),
                original=Original(document_type="cccd"),
            )
            outcomes.append(entry.number)
        except Exception as exc:  # reported by the assertion below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes) == [1, 2], outcomes
    rows = CertificationEntry.objects.filter(agency=tree["commune"]).order_by("number")
    assert [(e.number, e.status) for e in rows] == [(1, "certified"), (2, "certified")]
