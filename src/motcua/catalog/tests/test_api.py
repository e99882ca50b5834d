"""The catalog API: public reads without login; writes through the services, which ask can()."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from motcua.accounts.models import Grant
from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    Procedure,
    ProcedureVersion,
)
from motcua.catalog.services import version_approve, version_publish, version_save
from motcua.core.models import AuditEntry
from motcua.territory.models import Commune

from .documents import BIRTH, document

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"
JSON = "application/json"


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


@pytest.fixture
def clerk(make_official, tree):
    return make_official("clerk", tree["osu"], [("receiving_officer", tree["osu"], True)])


# Public reads


def test_citizens_search_and_read_published_procedures_without_login(client, published):
    page = client.get(f"{BASE}/procedures", {"q": "dang ky khai sinh"})
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item == {
        "code": "1.001193",
        "name": BIRTH["name"],
        "field_code": "G15-TP07",
        "field_name": "Hộ tịch",
        "level": "commune",
        "online_level": "full",
        "is_province_specific": False,
    }
    assert client.get(f"{BASE}/procedures", {"field": "G13-TN02"}).json()["count"] == 0

    detail = client.get(f"{BASE}/procedures/1.001193")
    assert detail.status_code == 200
    data = detail.json()
    assert (data["version"], data["status"], data["effective_from"]) == (
        1,
        "published",
        "2026-02-01",
    )
    assert data["decision"] == {
        "number": "163/QĐ-BTP",
        "date": "2026-01-16",
        "issuer": "Bộ Tư pháp",
    }
    assert data["content"]["fees"][0]["name"] == "Lệ phí đăng ký khai sinh"
    assert data["competence"] is None
    (template,) = data["form_templates"]
    assert template["code"] == "TP-HT-KS"

    download = client.get(template["url"])
    assert download.status_code == 200
    assert download.content == "<h1>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1>".encode()
    assert download["Content-Disposition"].startswith("attachment")

    assert client.get(f"{BASE}/fields").json() == [
        {"code": "G15-TP07", "name": "Hộ tịch", "published": 1}
    ]
    assert client.get(f"{BASE}/life-events").json() == []


def test_unpublished_procedures_are_not_public(client, birth_draft):
    assert client.get(f"{BASE}/procedures/1.001193").status_code == 404
    assert client.get(f"{BASE}/procedures").json()["count"] == 0
    assert client.get(f"{BASE}/full-online-list").status_code == 404


def test_unknown_agency_filter_is_a_field_error(client, published):
    response = client.get(f"{BASE}/procedures", {"agency": "999.99.99.H99"})
    assert response.status_code == 422
    assert "agency" in response.json()["errors"]


def test_openapi_documents_the_catalog(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][f"{BASE}/procedures"]["post"]
    assert operation["tags"] == ["catalog"]
    body = operation["requestBody"]["content"][JSON]["schema"]
    assert "fees" in body["properties"]


# Who may write


WRITES = [
    ("post", f"{BASE}/procedures", document()),
    ("put", f"{BASE}/procedures/1.001193/competence", {"mode": "local_commune"}),
    ("post", f"{BASE}/procedures/1.001193/versions/1/approve", None),
    ("post", f"{BASE}/full-online-lists", {"decision_number": "1/QĐ", "procedures": ["1.001193"]}),
    ("get", f"{BASE}/procedures/1.001193/versions", None),
    ("get", f"{BASE}/health", None),
]


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_writes_need_a_login(client, birth_draft, method, url, payload):
    response = getattr(client, method)(url, payload, content_type=JSON)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_writes_are_refused_to_a_receiving_officer(
    client, clerk, birth_draft, method, url, payload
):
    client.force_login(clerk)
    response = getattr(client, method)(url, payload, content_type=JSON)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert ProcedureVersion.objects.get().status == VersionStatus.DRAFT
    assert not CompetenceRule.objects.exists()
    assert not FullOnlineList.objects.exists()


# Versions


def test_catalog_admin_saves_a_document_as_a_draft(admin_client, birth_form):
    response = admin_client.post(f"{BASE}/procedures", document(), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["procedure_code"], body["number"], body["status"]) == ("1.001193", 1, "draft")
    assert body["decision"]["number"] == "163/QĐ-BTP"
    version = ProcedureVersion.objects.get()
    assert body["content_hash"] == version.content_hash
    assert AuditEntry.objects.filter(action="catalog.version.save").count() == 1


def test_bad_document_gives_errors_per_field_and_saves_nothing(admin_client, birth_form):
    bad = document(fees=[{"name": "Lệ phí", "amount_vnd": -5}], level="xa")
    response = admin_client.post(f"{BASE}/procedures", bad, content_type=JSON)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"fees.0.amount_vnd", "level"} <= set(errors)
    assert not Procedure.objects.exists()


def test_versions_list_and_detail_with_gaps(admin_client, birth_draft, clerk, client):
    (item,) = admin_client.get(f"{BASE}/procedures/1.001193/versions").json()
    assert item["number"] == 1
    assert item["status"] == "draft"
    assert item["content_hash"] == birth_draft.content_hash
    detail = admin_client.get(f"{BASE}/procedures/1.001193/versions/1").json()
    assert detail["document"]["code"] == "1.001193"
    assert [g["code"] for g in detail["gaps"]] == ["no_competence"]
    assert admin_client.get(f"{BASE}/procedures/1.001193/versions/9").status_code == 404
    assert admin_client.get(f"{BASE}/procedures/9.999999/versions").status_code == 404


def test_approve_with_gaps_lists_them_and_changes_nothing(admin_client, birth_draft):
    response = admin_client.post(f"{BASE}/procedures/1.001193/versions/1/approve")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "incomplete"
    assert body["errors"]["competence"]
    birth_draft.refresh_from_db()
    assert birth_draft.status == VersionStatus.DRAFT
    assert birth_draft.approved_at is None
    assert not AuditEntry.objects.filter(action="catalog.version.approve").exists()


def test_competence_approve_publish_then_public_detail_names_the_commune(
    admin_client, client, birth_draft, tree
):
    response = admin_client.put(
        f"{BASE}/procedures/1.001193/competence",
        {"commune": None, "mode": "local_commune"},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json()["commune"] is None

    approved = admin_client.post(f"{BASE}/procedures/1.001193/versions/1/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    published = admin_client.post(f"{BASE}/procedures/1.001193/versions/1/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    commune = tree["commune"]
    detail = client.get(f"{BASE}/procedures/1.001193", {"commune": commune.commune_id}).json()
    competence = detail["competence"]
    assert competence["agency"]["code"] == commune.code
    assert competence["agency"]["name"] == commune.name
    assert competence["commune"] == {"code": commune.commune_id, "name": commune.commune.name}
    assert competence["authority"] == "competent"
    assert [d["id"] for d in competence["desks"]] == [tree["osu"].pk]
    assert detail["competence_problem"] == ""

    # A commune of another province has no People's Committee here: nobody, and why.
    other = Commune.objects.filter(province_id=92).order_by("code").first()
    elsewhere = client.get(f"{BASE}/procedures/1.001193", {"commune": other.code}).json()
    assert elsewhere["competence"] is None
    assert elsewhere["competence_problem"]
    assert client.get(f"{BASE}/procedures/1.001193", {"commune": 1}).status_code == 422


def test_publishing_twice_is_a_conflict(admin_client, birth_ready):
    admin_client.post(f"{BASE}/procedures/1.001193/versions/1/approve")
    assert admin_client.post(f"{BASE}/procedures/1.001193/versions/1/publish").status_code == 200
    assert admin_client.post(f"{BASE}/procedures/1.001193/versions/1/publish").status_code == 409


def test_suspend_and_abolish_need_a_reason(admin_client, client, published):
    url = f"{BASE}/procedures/1.001193/versions/1"
    refused = admin_client.post(f"{url}/suspend", {}, content_type=JSON)
    assert refused.status_code == 422
    assert "reason" in refused.json()["errors"]
    suspended = admin_client.post(f"{url}/suspend", {"reason": "Chờ hướng dẫn"}, content_type=JSON)
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "Chờ hướng dẫn"
    assert client.get(f"{BASE}/procedures/1.001193").status_code == 404
    assert admin_client.post(f"{url}/resume").json()["status"] == "published"
    abolished = admin_client.post(f"{url}/abolish", {"reason": "Bãi bỏ"}, content_type=JSON)
    assert abolished.json()["status"] == "abolished"


# Competence


def test_competence_names_agencies_by_code_and_desks_by_id(admin_client, birth_draft, tree):
    url = f"{BASE}/procedures/1.001193/competence"
    payload = {
        "commune": tree["commune2"].commune_id,
        "mode": "agency",
        "agency": tree["commune"].code,
        "authority": "authorized",
        "delegated_by": tree["root"].code,
        "delegation_basis": "Quyết định 15/2026/QĐ-UBND",
        "receiving": "listed",
        "desks": [tree["desk"].pk],
    }
    response = admin_client.put(url, payload, content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agency"]["code"] == tree["commune"].code
    assert body["delegated_by"]["code"] == tree["root"].code
    assert [d["id"] for d in body["desks"]] == [tree["desk"].pk]
    rule = CompetenceRule.objects.get()
    assert rule.commune_id == tree["commune2"].commune_id

    unknown = admin_client.put(url, {**payload, "agency": "999.99.99.H99"}, content_type=JSON)
    assert unknown.status_code == 422
    assert "agency" in unknown.json()["errors"]
    bad = admin_client.put(url, {**payload, "mode": "agency", "agency": None}, content_type=JSON)
    assert bad.status_code == 422
    assert "agency" in bad.json()["errors"]
    assert CompetenceRule.objects.get().agency == tree["commune"]

    gone = admin_client.delete(f"{url}?commune={tree['commune2'].commune_id}")
    assert gone.status_code == 204
    assert not CompetenceRule.objects.exists()
    assert admin_client.delete(f"{url}?commune={tree['commune2'].commune_id}").status_code == 404


# Public services, full-online list, form templates


def test_declare_and_withdraw_a_public_service(
    admin_client, names_officers, published, tree, make_official
):
    officer = make_official("tiepnhan", tree["osu"])
    response = admin_client.post(
        f"{BASE}/public-services",
        {
            "procedure": "1.001193",
            "agency": tree["commune"].code,
            "channel": "direct",
            "officials": ["tiepnhan"],
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["officials"] == ["tiepnhan"]
    assert body["is_active"] is True
    grant = Grant.objects.get(user=officer)
    assert grant.procedure == published.procedure

    withdrawn = admin_client.post(
        f"{BASE}/public-services/{body['id']}/withdraw", {"note": "Chuyển quầy"}, content_type=JSON
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_active"] is False
    assert withdrawn.json()["officials"] == []
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    # A request without any body is fine too.
    again = admin_client.generic("POST", f"{BASE}/public-services/{body['id']}/withdraw")
    assert again.status_code == 200


def test_outsiders_learn_nothing_about_usernames(client, clerk, published, tree):
    client.force_login(clerk)
    payload = {"procedure": "1.001193", "agency": tree["commune"].pk, "channel": "direct"}
    for officials in (["nobody"], ["clerk"]):
        response = client.post(
            f"{BASE}/public-services", {**payload, "officials": officials}, content_type=JSON
        )
        assert response.status_code == 403


def test_declaring_for_unknown_officials_is_refused(admin_client, published, tree):
    response = admin_client.post(
        f"{BASE}/public-services",
        {
            "procedure": "1.001193",
            "agency": tree["commune"].pk,
            "channel": "direct",
            "officials": ["nobody"],
        },
        content_type=JSON,
    )
    assert response.status_code == 422
    assert "officials" in response.json()["errors"]


def test_full_online_list_is_recorded_and_published(admin_client, client, published):
    payload = {
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2026-03-01",
        "issuer": "UBND tỉnh Đồng Tháp",
        "procedures": ["1.001193"],
    }
    unknown = admin_client.post(
        f"{BASE}/full-online-lists", {**payload, "procedures": ["9.999999"]}, content_type=JSON
    )
    assert unknown.status_code == 422
    assert "procedures" in unknown.json()["errors"]
    created = admin_client.post(f"{BASE}/full-online-lists", payload, content_type=JSON)
    assert created.status_code == 201, created.content
    public = client.get(f"{BASE}/full-online-list").json()
    assert public["decision_number"] == "12/QĐ-UBND"
    assert [p["code"] for p in public["procedures"]] == ["1.001193"]


def test_form_template_upload_and_download(admin_client, client, catalog_admin):
    upload = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 mau", content_type="application/pdf")
    response = admin_client.post(
        f"{BASE}/form-templates", {"code": "TK-01", "name": "Tờ khai", "file": upload}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["size"], body["content_type"]) == ("TK-01", 12, "application/pdf")
    assert client.get(body["url"]).content == b"%PDF-1.4 mau"

    bad = SimpleUploadedFile("virus.exe", b"MZ")
    refused = admin_client.post(f"{BASE}/form-templates", {"code": "X", "name": "X", "file": bad})
    assert refused.status_code == 422
    assert "file" in refused.json()["errors"]
    assert FormTemplate.objects.count() == 1


# Health


def test_health_lists_gaps_and_exports_them(admin_client, clerk, client, published, catalog_admin):
    version_save(actor=catalog_admin, content=document(code="1.000894", name="Kết hôn", fees=[]))
    body = admin_client.get(f"{BASE}/health").json()
    assert (body["total"], body["complete"], body["incomplete"]) == (2, 1, 1)
    assert body["percent"] == 50.0
    (row,) = body["rows"]
    assert row["code"] == "1.000894"
    assert {g["code"] for g in row["gaps"]} == {"no_fee", "no_competence"}
    assert len(admin_client.get(f"{BASE}/health", {"only_gaps": False}).json()["rows"]) == 2

    export = admin_client.get(f"{BASE}/health.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content))["Rà soát"]
    messages = {r[6] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {g["message"] for g in row["gaps"]} == messages

    client.force_login(clerk)
    assert client.get(f"{BASE}/health").status_code == 403
    assert client.get(f"{BASE}/health.xlsx").status_code == 403


def test_department_admin_cannot_approve_a_commune_procedure(
    client, make_official, tree, birth_ready
):
    official = make_official("xd", tree["dept2"], [("catalog_admin", tree["dept2"], True)])
    client.force_login(official)
    assert client.post(f"{BASE}/procedures/1.001193/versions/1/approve").status_code == 403
    assert ProcedureVersion.objects.get().status == VersionStatus.DRAFT
