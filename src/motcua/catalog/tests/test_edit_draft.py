"""A catalog administrator edits a draft version on screen (and by API), through the service."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.catalog.constants import VersionStatus
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import version_approve, version_publish
from motcua.core.models import AuditEntry

from .documents import document

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


def edit_url(version) -> str:
    return reverse("admin:catalog_procedureversion_edit", args=[version.pk])


def form_data(response) -> dict[str, list[str]]:
    """What the browser would post back: every input, select and textarea as rendered."""
    html = response.content.decode()
    start = html.index('<form method="post" novalidate')
    form = html[start : html.index("</form>", start)]
    data: dict[str, list[str]] = {}
    for tag in re.finditer(r"<input[^>]*>", form):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag.group()))
        if "name" not in attrs or attrs.get("type") == "submit":
            continue
        if attrs.get("type") == "checkbox" and "checked" not in tag.group():
            continue
        default = "on" if attrs.get("type") == "checkbox" else ""  # as browsers send it
        data.setdefault(attrs["name"], []).append(_unescape(attrs.get("value", default)))
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data.setdefault(match.group(1), []).append(_unescape(match.group(2).lstrip("\n")))
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', match.group(2))
        first = re.search(r'<option value="([^"]*)"', match.group(2))
        data.setdefault(match.group(1), []).append(_unescape((chosen or first).group(1)))
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_edit_page_shows_the_draft_and_its_lists(admin_client, birth_draft):
    response = admin_client.get(edit_url(birth_draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in page
    assert 'name="fees-0-amount_vnd"' in page
    assert "Mô tả (công khai)" in page
    assert "Ghi chú nội bộ (không hiển thị cho người dân)" in page
    assert "60/2014/QH13" in page
    assert "20/11/2014" in page  # dates as Vietnamese write them


def test_field_errors_are_all_shown_and_nothing_is_saved(admin_client, birth_draft):
    before = ProcedureVersion.objects.get(pk=birth_draft.pk).content_hash
    data = form_data(admin_client.get(edit_url(birth_draft)))
    data["name"] = [""]
    data["fees-0-amount_vnd"] = ["mười nghìn"]
    data["times-0-amount"] = ["-1"]
    data["legal_bases-1-issued_on"] = ["31/02/2020"]
    data["times-0-description"] = ["Mô tả mới"]  # a valid change, not saved either
    response = admin_client.post(edit_url(birth_draft), data)
    assert response.status_code == 200
    general = response.context["general"]
    lists = {name: formset for name, _title, formset in response.context["lists"]}
    assert general.errors["name"] == ["Bắt buộc nhập."]
    assert lists["fees"].forms[0].errors["amount_vnd"]
    assert lists["times"].forms[0].errors["amount"]
    assert lists["legal_bases"].forms[1].errors["issued_on"]
    page = response.content.decode()
    assert "Phải là số nguyên." in page
    assert ProcedureVersion.objects.get(pk=birth_draft.pk).content_hash == before


def test_valid_edit_with_rows_added_and_removed_is_saved(admin_client, birth_draft):
    # Add a fee row without JavaScript: the page comes back with one more, nothing saved.
    data = form_data(admin_client.get(edit_url(birth_draft)))
    response = admin_client.post(edit_url(birth_draft), {**data, "add_row": "fees"})
    assert response.status_code == 200
    assert 'name="fees-1-name"' in response.content.decode()
    data = form_data(response)
    data["fees-1-name"] = ["Phí cấp bản sao trích lục"]
    data["fees-1-amount_vnd"] = ["8.000"]
    data["fees-1-unit"] = ["bản"]
    data["fees-1-description"] = ["Nộp khi nhận kết quả"]
    data["fees-1-note"] = ["Chưa đối chiếu nghị quyết HĐND"]
    data["components-2-DELETE"] = ["on"]  # the authorisation letter goes
    data["steps"] = ["Bước 1: nộp hồ sơ. Bước 2: nhận kết quả."]
    data["effective_from"] = ["01/03/2026"]
    response = admin_client.post(edit_url(birth_draft), data)
    assert response.status_code == 302, response.context and response.context["problem"]
    birth_draft.refresh_from_db()
    doc = birth_draft.document
    assert doc["steps"] == "Bước 1: nộp hồ sơ. Bước 2: nhận kết quả."
    assert doc["effective_from"] == "2026-03-01"
    assert doc["fees"][1] == {
        **doc["fees"][1],
        "name": "Phí cấp bản sao trích lục",
        "amount_vnd": 8000,
        "unit": "bản",
        "description": "Nộp khi nhận kết quả",
        "note": "Chưa đối chiếu nghị quyết HĐND",
    }
    assert [c["name"] for c in doc["components"]] == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh",
    ]
    # Everything else came through untouched.
    assert doc["eform"] == document()["eform"]
    assert doc["times"][0]["cutoff"] == "15:00:00"
    assert birth_draft.status == VersionStatus.DRAFT
    assert birth_draft.fees.count() == 2
    assert AuditEntry.objects.filter(action="catalog.version.save", object_id=str(birth_draft.pk))
    # The version's page shows the new content.
    page = admin_client.get(
        reverse("admin:catalog_procedureversion_change", args=[birth_draft.pk])
    ).content.decode()
    assert "Phí cấp bản sao trích lục" in page


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


def test_published_version_is_refused_by_the_page(admin_client, published):
    page = admin_client.get(edit_url(published))
    assert 'name="name"' not in page.content.decode()
    assert reverse("admin:catalog_procedureversion_new_draft", args=[published.pk]) in (
        page.content.decode()
    )
    data = {"name": "Tên mới", "times-TOTAL_FORMS": "0", "times-INITIAL_FORMS": "0"}
    response = admin_client.post(edit_url(published), data)
    assert response.status_code == 409
    published.refresh_from_db()
    assert published.document["name"] == "Thủ tục đăng ký khai sinh"
    assert published.procedure.versions.count() == 1


def test_new_draft_from_a_published_version(admin_client, published):
    url = reverse("admin:catalog_procedureversion_new_draft", args=[published.pk])
    data = form_data(admin_client.get(url))
    unchanged = admin_client.post(url, data)
    # Saved unchanged: refused (every version is a real change), and nothing was lost on the way.
    assert unchanged.status_code == 200
    assert unchanged.context["problem"]
    assert published.procedure.versions.count() == 1
    data["fees-0-amount_vnd"] = ["5.000"]
    response = admin_client.post(url, data)
    assert response.status_code == 302
    draft = published.procedure.versions.get(number=2)
    assert draft.status == VersionStatus.DRAFT
    assert draft.document["fees"][0]["amount_vnd"] == 5000
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    assert published.document["fees"][0]["amount_vnd"] == 0


def test_official_without_the_catalog_grant_is_refused(client, make_official, tree, birth_draft):
    clerk = make_official("clerk", tree["osu"], [("receiving_officer", tree["osu"], True)])
    client.force_login(clerk)
    assert client.get(edit_url(birth_draft)).status_code in {302, 403}
    response = client.post(edit_url(birth_draft), {"name": "Tên khác"})
    assert response.status_code in {302, 403}
    padmin = make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])
    client.force_login(padmin)
    assert client.get(edit_url(birth_draft)).status_code == 403
    api = client.put(
        "/api/v1/catalog/procedures/1.001193/versions/1",
        document(name="Tên khác"),
        content_type="application/json",
    )
    assert api.status_code == 403
    birth_draft.refresh_from_db()
    assert birth_draft.document["name"] == "Thủ tục đăng ký khai sinh"


def test_health_page_links_each_gap_to_its_field(admin_client, catalog_admin, birth_form):
    from motcua.catalog.services import version_save

    doc = document(steps="")
    doc["fees"][0]["amount_vnd"] = None
    version = version_save(actor=catalog_admin, content=doc)
    page = admin_client.get(reverse("admin:catalog_health")).content.decode()
    assert f"{edit_url(version)}#id_steps" in page
    assert f"{edit_url(version)}#id_fees-0-amount_vnd" in page
    edit_page = admin_client.get(edit_url(version)).content.decode()
    assert 'id="id_fees-0-amount_vnd"' in edit_page
    assert 'href="#id_fees-0-amount_vnd"' in edit_page


# API


def api_put(client, number: int, doc: dict):
    return client.put(
        f"/api/v1/catalog/procedures/1.001193/versions/{number}",
        doc,
        content_type="application/json",
    )


def test_api_updates_a_draft_and_reports_field_errors(admin_client, birth_draft):
    bad = document(name="")
    bad["fees"][0]["amount_vnd"] = -5
    response = api_put(admin_client, 1, bad)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "name" in errors and "fees.0.amount_vnd" in errors
    birth_draft.refresh_from_db()
    assert birth_draft.document["name"] == "Thủ tục đăng ký khai sinh"

    response = api_put(admin_client, 1, document(subjects="Công dân Việt Nam; người nước ngoài"))
    assert response.status_code == 200
    assert response.json()["document"]["subjects"] == "Công dân Việt Nam; người nước ngoài"
    birth_draft.refresh_from_db()
    assert birth_draft.document["subjects"] == "Công dân Việt Nam; người nước ngoài"

    other_code = api_put(admin_client, 1, document(code="1.000894"))
    assert other_code.status_code == 422
    assert "code" in other_code.json()["errors"]


def test_api_refuses_to_edit_a_published_version(admin_client, published):
    response = api_put(admin_client, 1, document(subjects="Khác"))
    assert response.status_code == 409
    published.refresh_from_db()
    assert published.document["subjects"] == "Công dân Việt Nam"
    assert published.procedure.versions.count() == 1


def test_approved_version_is_read_only_at_page_and_api(admin_client, catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    page = admin_client.get(edit_url(birth_ready)).content.decode()
    assert 'name="name"' not in page
    assert "chỉ sửa được bản dự thảo" in page
    refused = admin_client.post(edit_url(birth_ready), {"name": "Tên mới"})
    assert refused.status_code == 409
    assert api_put(admin_client, 1, document(subjects="Khác")).status_code == 409
    birth_ready.refresh_from_db()
    assert birth_ready.status == VersionStatus.APPROVED
    assert birth_ready.document["subjects"] == "Công dân Việt Nam"
