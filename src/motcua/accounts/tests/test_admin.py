"""The admin site asks `can` and saves through the services."""

import pytest

from motcua.accounts.models import User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


def test_admin_door_opens_only_for_administrative_roles(client, tree, make_official, padmin):
    specialist = make_official("cv", tree["dept"], [("specialist", tree["dept"], True)])
    client.force_login(specialist)
    assert client.get("/admin/").status_code == 302  # to the admin login
    client.force_login(padmin)
    assert client.get("/admin/").status_code == 200


def test_agency_list_shows_only_own_province(client, tree, other_tree, padmin):
    client.force_login(padmin)
    page = client.get("/admin/organizations/agency/").content.decode()
    assert tree["dept"].code in page
    assert other_tree["dept"].code not in page
    assert client.get(
        f"/admin/organizations/agency/{other_tree['dept'].pk}/change/"
    ).status_code in (
        302,
        403,
        404,
    )


def test_add_official_through_admin_is_audited(client, tree, padmin):
    client.force_login(padmin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "cv.admin",
            "full_name": "Cán Bộ Admin",
            "agency": tree["dept"].pk,
            "position": "",
            "email": "",
            "phone": "0912345678",
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="cv.admin")
    assert AuditEntry.objects.filter(action="official.create", object_id=str(user.pk)).count() == 1


def test_admin_form_shows_service_errors(client, tree, padmin):
    client.force_login(padmin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "cv.bad",
            "full_name": "Cán Bộ",
            "agency": tree["dept"].pk,
            "phone": "12345",
            "grants-TOTAL_FORMS": "0",
            "grants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "không phải là số điện thoại Việt Nam" in response.content.decode()
    assert not User.objects.filter(username="cv.bad").exists()
    assert not AuditEntry.objects.filter(object_repr="Cán Bộ").exists()


def test_import_pages(client, tree, padmin):
    client.force_login(padmin)
    assert client.get("/admin/accounts/user/import/").status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "f.csv",
        f"Tên đăng nhập,Họ và tên,Mã cơ quan công tác\ncv.web,Web,{tree['dept'].code}\n".encode(),
    )
    response = client.post("/admin/accounts/user/import/", {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Mọi dòng đều hợp lệ" in preview
    response = client.post(response["Location"])
    assert response.status_code == 302
    assert User.objects.filter(username="cv.web").exists()


def test_inspector_reads_audit_but_cannot_change_anything(client, tree, make_official):
    inspector = make_official("tt", tree["root"], [("inspector", tree["root"], True)])
    client.force_login(inspector)
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/organizations/agency/add/").status_code == 403
    assert client.get("/admin/accounts/user/add/").status_code == 403


def test_admin_login_admits_officials_by_role_not_staff_flag(client, tree, make_official, padmin):
    from django.contrib.auth.hashers import make_password

    specialist = make_official("cv", tree["dept"], [("specialist", tree["dept"], True)])
    User.objects.filter(pk__in=[padmin.pk, specialist.pk]).update(
        password=make_password("pw-123456")
    )
    refused = client.post("/admin/login/", {"username": "cv", "password": "pw-123456"})
    assert "không có vai trò quản trị" in refused.content.decode()
    admitted = client.post(
        "/admin/login/", {"username": "padmin", "password": "pw-123456", "next": "/admin/"}
    )
    assert admitted.status_code == 302
    assert not User.objects.get(pk=padmin.pk).is_staff
