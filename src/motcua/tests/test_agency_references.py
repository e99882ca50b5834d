"""An agency reference (electronic identifier, or id) is never empty.

An empty one named no agency: where one is required (the ledger's desk) that was a 500
(schemathesis, issue 11 §5: `GET /api/v1/dossiers/ledger.pdf?agency=&start=…&end=…`).
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-01-01", "end": "2026-01-31"}


@pytest.fixture
def api(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("agency", ["", "   "])
def test_ledger_without_an_agency_is_422(api, agency):
    response = api.get("/api/v1/dossiers/ledger.pdf", {"agency": agency, **PERIOD})

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == {"agency": ["Bắt buộc nhập."]}


def test_ledger_of_a_desk_named_by_id_is_a_pdf(api, tree):
    response = api.get("/api/v1/dossiers/ledger.pdf", {"agency": tree["desk"].pk, **PERIOD})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_empty_desk_in_a_competence_rule_is_422(api, tree, fields_and_procedures):
    body = {"mode": "agency", "agency": tree["dept"].code, "desks": [""]}

    response = api.put(
        "/api/v1/catalog/procedures/1.001193/competence",
        json.dumps(body),
        content_type="application/json",
    )

    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == ["desks.0"]
