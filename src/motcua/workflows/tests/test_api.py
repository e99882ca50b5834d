"""The workflow API at /api/v1/workflows: the same services and permissions as the pages."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext as _

from motcua.core.models import AuditEntry
from motcua.workflows.models import ProcessDefinition, TestRun

from .documents import birth_document

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workflows"
JSON = "application/json"
START = "2026-11-27T08:00:00+07:00"


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


def post(client, url, data=None):
    return client.post(url, data or {}, content_type=JSON)


def test_full_lifecycle_over_http(admin_client, tree, birth, staff):
    created = post(
        admin_client,
        BASE,
        {
            "procedure": "1.001193",
            "province": 82,
            "name": "Khai sinh",
            "document": birth_document(),
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert (body["status"], body["number"], body["procedure_code"]) == ("draft", 1, "1.001193")
    assert body["document"]["steps"][0]["key"] == "receive" and body["test_runs"] == []

    assert admin_client.get(f"{BASE}/{pk}/problems").json() == []
    run = post(admin_client, f"{BASE}/{pk}/test-run", {"start": START})
    assert run.status_code == 201
    report = run.json()
    assert report["passed"] is True and report["definition_status"] == "tested"
    assert report["report"]["steps"][1]["officials"] == [{"name": "Hotich", "username": "hotich"}]

    activated = post(admin_client, f"{BASE}/{pk}/activate")
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    assert [d["id"] for d in admin_client.get(BASE, {"status": "active"}).json()] == [pk]

    patched = admin_client.patch(f"{BASE}/{pk}", {"name": "x"}, content_type=JSON)
    assert patched.status_code == 409
    copy = post(admin_client, f"{BASE}/{pk}/new-version")
    assert copy.status_code == 201 and copy.json()["number"] == 2
    retired = post(admin_client, f"{BASE}/{pk}/retire")
    assert retired.json()["status"] == "retired"
    assert AuditEntry.objects.filter(action__startswith="workflows.").count() == 5


def test_validation_errors_by_path(admin_client, tree, birth):
    response = post(
        admin_client,
        BASE,
        {
            "procedure": "1.001193",
            "province": 82,
            "name": "X",
            "document": birth_document(process={"limit_amount": -1}),
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "steps.1.limit_amount": [_("Must be at least %(n)s.") % {"n": 0}]
    }
    assert not ProcessDefinition.objects.exists()


def test_patch_document_and_problems_endpoint(admin_client, draft):
    response = admin_client.patch(
        f"{BASE}/{draft.pk}",
        {"document": birth_document(sign={"kind": "approve"})},
        content_type=JSON,
    )
    assert response.status_code == 200
    problems = admin_client.get(f"{BASE}/{draft.pk}/problems").json()
    assert [(p["step_key"], p["code"]) for p in problems] == [("sign", "approve_no_approve")]
    assert "Ký giấy khai sinh" in problems[0]["message"]


def test_activation_without_test_run_is_a_conflict(admin_client, draft):
    response = post(admin_client, f"{BASE}/{draft.pk}/activate")
    assert response.status_code == 409
    assert response.json()["code"] == "not_tested"


def test_export_then_import_over_http(admin_client, draft, client, other_tree, superuser):
    exported = admin_client.get(f"{BASE}/{draft.pk}/export")
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    data = exported.json()
    assert data["format"] == "motcua.workflow/1"
    client.force_login(superuser)
    imported = post(
        client, f"{BASE}/import", {"procedure": "1.001193", "province": 92, "data": data}
    )
    assert imported.status_code == 201, imported.json()
    assert imported.json()["definition"]["province"] == 92
    assert imported.json()["notes"] == []


def test_other_province_and_specialists_get_404_or_403(
    client, draft, make_official, other_tree, staff
):
    foreign = make_official(
        "danhmuc.ct", other_tree["root"], [("catalog_admin", other_tree["root"], True)]
    )
    client.force_login(foreign)
    assert client.get(f"{BASE}/{draft.pk}").status_code == 404
    assert post(client, f"{BASE}/{draft.pk}/test-run").status_code == 404
    assert client.get(f"{BASE}/{draft.pk}/export").status_code == 404
    assert client.get(BASE).json() == []
    created = post(
        client,
        BASE,
        {"procedure": "1.001193", "province": 82, "name": "X", "document": birth_document()},
    )
    assert created.status_code == 403
    client.force_login(staff["specialist"])
    assert client.get(f"{BASE}/{draft.pk}/problems").status_code == 404
    assert TestRun.objects.count() == 0


def test_anonymous_is_refused(client, draft):
    assert client.get(BASE).status_code == 401
