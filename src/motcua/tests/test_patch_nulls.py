"""An explicit null in a PATCH body is a 422 for a field that cannot be empty, a clear where it
can. Every `X | None = None` field took null as "set to NULL": 500 on NOT NULL columns
(schemathesis, issue 11 §5)."""

from __future__ import annotations

import json

import pytest

from motcua.organizations.models import Agency
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.tests.conftest import (  # noqa: F401 (fixtures)
    birth,
    birth_draft,
    birth_form,
    birth_ready,
    catalog_admin,
    draft,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, superuser):
    client.force_login(superuser)
    return client


def patch(client, url: str, body: dict):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field", ["name", "kind", "is_active", "address"])
def test_agency_null_for_a_field_that_cannot_be_empty_is_422(api, tree, field):
    desk = tree["desk"]

    response = patch(api, f"/api/v1/agencies/{desk.pk}", {field: None})

    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert Agency.objects.get(pk=desk.pk).name == desk.name


def test_agency_null_clears_the_identifier_of_a_desk(api, tree):
    desk = tree["desk"]
    assert patch(api, f"/api/v1/agencies/{desk.pk}", {"code": "000.02.12.H20"}).status_code == 200

    response = patch(api, f"/api/v1/agencies/{desk.pk}", {"code": None})

    assert response.status_code == 200
    assert response.json()["code"] is None
    assert Agency.objects.get(pk=desk.pk).code is None


def test_agency_null_identifier_of_an_agency_that_needs_one_is_refused_by_the_rule(api, tree):
    response = patch(api, f"/api/v1/agencies/{tree['dept'].pk}", {"code": None})

    assert response.status_code == 422
    assert "code" in response.json()["errors"]


@pytest.mark.parametrize("field", ["full_name", "email", "phone", "agency_id", "is_active"])
def test_official_null_is_422(api, tree, make_official, field):
    official = make_official("cv.null", tree["dept"])

    response = patch(api, f"/api/v1/officials/{official.pk}", {field: None})

    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("field", ["name", "document", "note"])
def test_workflow_null_is_422_not_silently_ignored(client, catalog_admin, draft, field):  # noqa: F811
    client.force_login(catalog_admin)

    response = patch(client, f"/api/v1/workflows/{draft.pk}", {field: None})

    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]
    assert ProcessDefinition.objects.get(pk=draft.pk).name == draft.name


def test_fields_left_out_keep_their_values(api, tree):
    desk = tree["desk"]

    response = patch(api, f"/api/v1/agencies/{desk.pk}", {"short_name": "Q1"})

    assert response.status_code == 200
    assert (response.json()["short_name"], response.json()["name"]) == ("Q1", desk.name)
