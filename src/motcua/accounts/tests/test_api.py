"""The JSON API applies the same services and the same `can` as the pages."""

import io

import pytest

from motcua.accounts.models import Grant, User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


@pytest.fixture
def api(client, padmin):
    client.force_login(padmin)
    return client


def test_api_requires_login(client):
    assert client.get("/api/v1/officials").status_code == 401
    assert client.get("/api/v1/agencies").status_code == 401


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/officials/import" in schema["paths"]
    assert "/api/v1/grants" in schema["paths"]


def test_me_lists_grants(api, padmin):
    data = api.get("/api/v1/me").json()
    assert data["username"] == "padmin"
    assert data["grants"][0]["role"] == "province_admin"


def test_create_official_and_grant(api, tree):
    response = api.post(
        "/api/v1/officials",
        {"username": "cv.api", "full_name": "Chuyên Viên", "agency_id": tree["dept"].pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    official_id = response.json()["id"]
    response = api.post(
        "/api/v1/grants",
        # A role the province administrator holds there itself (grant_refusal).
        {"user_id": official_id, "role": "province_admin", "agency_id": tree["dept_unit"].pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    grant_id = response.json()["id"]
    assert AuditEntry.objects.filter(action="grant.create", object_id=str(grant_id)).exists()
    grants = api.get(f"/api/v1/officials/{official_id}/grants").json()
    assert [g["role"] for g in grants] == ["province_admin"]
    assert api.post(f"/api/v1/grants/{grant_id}/revoke").status_code == 200
    assert api.post(f"/api/v1/grants/{grant_id}/revoke").status_code == 409


def test_invalid_input_gives_vietnamese_field_errors(api, tree):
    response = api.post(
        "/api/v1/officials",
        {"username": "x", "full_name": "X", "agency_id": tree["dept"].pk, "phone": "123"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "không phải là số điện thoại Việt Nam" in body["errors"]["phone"][0]
    assert not User.objects.filter(username="x").exists()


def test_other_province_is_not_found(api, tree, other_tree, make_official):
    foreign = make_official("foreign", other_tree["dept"])
    assert api.get(f"/api/v1/officials/{foreign.pk}").status_code == 404
    assert api.get(f"/api/v1/agencies/{other_tree['dept'].pk}").status_code == 404
    response = api.post(
        "/api/v1/officials",
        {"username": "y", "full_name": "Y", "agency_id": other_tree["dept"].pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    listed = {a["id"] for a in api.get("/api/v1/agencies").json()}
    assert other_tree["dept"].pk not in listed
    assert listed == {a.pk for a in tree.a.values()}


def test_specialist_gets_403_on_writes(client, tree, make_official):
    specialist = make_official("cv", tree["dept"], [("specialist", tree["dept"], True)])
    client.force_login(specialist)
    response = client.patch(
        f"/api/v1/agencies/{tree['dept'].pk}", {"name": "X"}, content_type="application/json"
    )
    # The specialist may not even view agencies: not found, and nothing changed.
    assert response.status_code == 404
    assert client.get("/api/v1/officials").json()["count"] == 0


def test_agency_create_and_patch(api, tree):
    response = api.post(
        "/api/v1/agencies",
        {
            "kind": "unit",
            "name": "Phòng mới",
            "parent_id": tree["dept"].pk,
            "code": "000.02.02.H20",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    agency_id = response.json()["id"]
    response = api.patch(
        f"/api/v1/agencies/{agency_id}", {"name": "Phòng đổi tên"}, content_type="application/json"
    )
    assert response.json()["name"] == "Phòng đổi tên"
    bad = api.post(
        "/api/v1/agencies",
        {"kind": "unit", "name": "Sai", "parent_id": tree["dept"].pk, "code": "abc"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "000.00.00.H20" in bad.json()["errors"]["code"][0]


def test_import_over_the_api(api, tree):
    content = (
        "Tên đăng nhập,Họ và tên,Mã cơ quan công tác,Vai trò\n"
        f"cv.csv,Nguyễn CSV,{tree['dept'].code},province_admin\n"
    ).encode()
    upload = io.BytesIO(content)
    upload.name = "can-bo.csv"
    response = api.post("/api/v1/officials/import", {"file": upload})
    assert response.status_code == 200, response.content
    batch = response.json()
    assert batch["status"] == "previewed"
    assert not User.objects.filter(username="cv.csv").exists()
    response = api.post(f"/api/v1/officials/import/{batch['id']}/apply")
    assert response.json()["status"] == "applied"
    assert Grant.objects.get(user__username="cv.csv").agency == tree["dept"]


def test_export_over_the_api(api):
    response = api.get("/api/v1/officials/export", {"fmt": "csv"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").startswith("Tên đăng nhập,Họ và tên")


def test_audit_is_scoped(client, tree, other_tree, make_official):
    inspector = make_official("tt", tree["root"], [("inspector", tree["root"], True)])
    make_official("foreign", other_tree["dept"])
    client.force_login(inspector)
    entries = client.get("/api/v1/audit", {"page_size": 100}).json()["items"]
    agency_ids = {e["agency_id"] for e in entries}
    assert tree["dept"].pk in agency_ids
    assert not agency_ids & {a.pk for a in other_tree.a.values()}
