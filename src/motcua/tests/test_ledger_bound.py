"""The ledger prints a bounded number of dossiers: each row costs the PDF renderer ~13 ms, so
three months of a busy desk (thousands of dossiers) ran past gunicorn's 30 s worker timeout
(issue 11 §5.7). Over the bound the answer is 422 pointing to the background export (issue 12)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.catalog.tests.conftest import birth_form, catalog_admin  # noqa: F401 (fixtures)
from motcua.dossiers import api as dossiers_api
from motcua.dossiers.tests.conftest import world  # noqa: F401 (fixture)
from motcua.dossiers.tests.test_api_tracking_forms import client_for, received  # noqa: F401

pytestmark = pytest.mark.django_db


def ledger(world, **params):  # noqa: F811
    client = client_for(world["commune_officer"])
    today = timezone.localdate().isoformat()
    query = {"agency": world.tree["osu"].code, "start": today, "end": today, **params}
    return client.get("/api/v1/dossiers/ledger.pdf", query)


def test_a_period_with_more_dossiers_than_a_ledger_prints_is_422(world, received, monkeypatch):  # noqa: F811
    monkeypatch.setattr(dossiers_api, "LEDGER_MAX_DOSSIERS", 0, raising=False)

    response = ledger(world)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "end": [
            "Kỳ này có 1 hồ sơ; sổ in ngay được tối đa 0 hồ sơ. Hãy xuất sổ chạy nền (trang Sổ "
            "theo dõi hồ sơ, hoặc POST /api/v1/exports) rồi tải về khi tệp đã sẵn sàng."
        ]
    }


def test_a_period_within_the_bound_is_printed(world, received):  # noqa: F811
    response = ledger(world)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
