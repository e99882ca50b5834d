"""No privilege escalation through grants (issue 11 §5): nobody grants themselves anything, and
nobody grants a role whose permissions they do not hold themselves in that scope. The rule lives
in `grant_create`; the admin page, the API, the officials import and the catalog's public
services all go through it."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.importing import COLUMNS, officials_import_apply, officials_import_preview
from motcua.accounts.models import Grant, ImportBatch, Role, User
from motcua.accounts.services import grant_create, grant_revoke, official_create
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


@pytest.fixture
def colleague(tree, make_official):
    return make_official("colleague", tree["dept"])


def grants_of(user: User) -> set[str]:
    return set(
        Grant.objects.filter(user=user, revoked_at__isnull=True).values_list(
            "role__code", flat=True
        )
    )


# --- The service -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["specialist", "agency_leader", "receiving_officer", "inspector"])
def test_province_admin_cannot_grant_themselves_a_dossier_role(tree, padmin, roles, role):
    with pytest.raises(NotAllowed):
        grant_create(actor=padmin, user=padmin, role=roles[role], agency=tree["dept"])
    assert grants_of(padmin) == {"province_admin"}
    assert not can(User.objects.get(pk=padmin.pk), Action.DOSSIER_VIEW, tree["dept"])


def test_nobody_grants_themselves_even_a_role_they_hold(tree, padmin, superuser, roles):
    with pytest.raises(NotAllowed, match="chính mình"):
        grant_create(actor=padmin, user=padmin, role=roles["province_admin"], agency=tree["dept"])
    with pytest.raises(NotAllowed):
        grant_create(actor=superuser, user=superuser, role=roles["specialist"], agency=tree["dept"])
    assert not Grant.objects.filter(user=superuser).exists()


def test_province_admin_cannot_hand_a_colleague_permissions_it_lacks(
    tree, padmin, colleague, roles
):
    for role in ("specialist", "unit_leader", "agency_leader", "receiving_officer", "inspector"):
        with pytest.raises(NotAllowed):
            grant_create(actor=padmin, user=colleague, role=roles[role], agency=tree["dept"])
    assert grants_of(colleague) == set()
    assert not AuditEntry.objects.filter(action="grant.create", actor=padmin).exists()


def test_a_role_the_actor_holds_over_the_scope_may_be_handed_out(tree, padmin, colleague, roles):
    grant = grant_create(
        actor=padmin,
        user=colleague,
        role=roles["province_admin"],
        agency=tree["dept"],
        include_subtree=True,
    )
    assert grant.granted_by == padmin
    assert AuditEntry.objects.filter(action="grant.create", object_id=str(grant.pk)).exists()


def test_the_whole_scope_must_be_held_subtree_field_and_procedure(
    tree, make_official, roles, fields_and_procedures, superuser
):
    """A delegate holds official management and the receiving role at the commune's one-stop
    unit only (not below it), and another only for the civil-status field."""
    delegate_role = Role.objects.create(
        code="delegate",
        name="Ủy quyền",
        actions=[Action.OFFICIAL_MANAGE, Action.DOSSIER_VIEW, Action.DOSSIER_RECEIVE],
    )
    desk_lead = make_official("desk.lead", tree["commune"])
    grant_create(actor=superuser, user=desk_lead, role=delegate_role, agency=tree["commune"])
    officer = make_official("officer", tree["commune"])
    receiving = roles["receiving_officer"]

    grant_create(actor=desk_lead, user=officer, role=receiving, agency=tree["commune"])
    with pytest.raises(NotAllowed):  # the sub-tree is more than it holds
        grant_create(
            actor=desk_lead,
            user=officer,
            role=receiving,
            agency=tree["commune"],
            include_subtree=True,
        )
    with pytest.raises(NotAllowed):  # processing is not among its permissions
        grant_create(
            actor=desk_lead, user=officer, role=roles["specialist"], agency=tree["commune"]
        )

    civil = fields_and_procedures["civil"]
    field_lead = make_official("field.lead", tree["commune2"])
    grant_create(
        actor=superuser, user=field_lead, role=delegate_role, agency=tree["commune2"], field=civil
    )
    field_lead = User.objects.get(pk=field_lead.pk)
    # A field-restricted grant cannot even manage officials (they have no field) …
    with pytest.raises(NotAllowed):
        grant_create(
            actor=field_lead, user=officer, role=receiving, agency=tree["commune2"], field=civil
        )
    assert grants_of(officer) == {"receiving_officer"}


def test_a_field_restricted_delegate_may_grant_within_its_field(
    tree, make_official, roles, fields_and_procedures, superuser
):
    civil, birth = fields_and_procedures["civil"], fields_and_procedures["birth"]
    receiving = roles["receiving_officer"]
    lead = make_official(
        "lead",
        tree["commune"],
        [("province_admin", tree["commune"])],  # manages officials
    )
    grant_create(actor=superuser, user=lead, role=receiving, agency=tree["commune"], field=civil)
    lead = User.objects.get(pk=lead.pk)
    officer = make_official("officer", tree["commune"])
    # Within the field, or one procedure of it: yes. The whole agency, or another field: no.
    grant_create(actor=lead, user=officer, role=receiving, agency=tree["commune"], procedure=birth)
    grant_create(actor=lead, user=officer, role=receiving, agency=tree["commune"], field=civil)
    with pytest.raises(NotAllowed):
        grant_create(actor=lead, user=officer, role=receiving, agency=tree["commune"])
    with pytest.raises(NotAllowed):
        grant_create(
            actor=lead,
            user=officer,
            role=receiving,
            agency=tree["commune"],
            field=fields_and_procedures["land"],
        )
    assert Grant.objects.filter(user=officer).count() == 2


@pytest.mark.parametrize("nobody", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_no_actor_is_nobody(tree, colleague, roles, superuser, nobody):
    with pytest.raises(NotAllowed):
        grant_create(actor=nobody, user=colleague, role=roles["specialist"], agency=tree["dept"])
    with pytest.raises(NotAllowed):
        official_create(actor=nobody, username="ghost", full_name="Ghost", agency=tree["dept"])
    with pytest.raises(NotAllowed):
        officials_import_preview(actor=nobody, filename="f.csv", content=b"x")
    grant = grant_create(
        actor=superuser, user=colleague, role=roles["specialist"], agency=tree["dept"]
    )
    with pytest.raises(NotAllowed):
        grant_revoke(actor=nobody, grant=grant)
    assert grants_of(colleague) == {"specialist"}


# --- Every entry point -----------------------------------------------------------------------


def test_admin_page_refuses_a_self_grant(client, tree, padmin, roles):
    client.force_login(padmin)
    response = client.post(
        reverse("admin:accounts_grant_add"),
        {
            "user": padmin.pk,
            "role": roles["agency_leader"].pk,
            "agency": tree["root"].pk,
            "include_subtree": "on",
            "note": "",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert "chính mình" in response.content.decode()
    assert grants_of(padmin) == {"province_admin"}


def test_admin_page_refuses_a_role_the_admin_lacks(client, tree, padmin, colleague, roles):
    client.force_login(padmin)
    response = client.post(
        reverse("admin:accounts_grant_add"),
        {"user": colleague.pk, "role": roles["specialist"].pk, "agency": tree["dept"].pk},
    )
    assert response.status_code == 200
    assert "Xử lý hồ sơ" in response.content.decode()  # the permission it lacks
    assert grants_of(colleague) == set()


@pytest.mark.parametrize("who", ["self", "colleague"])
def test_api_refuses_escalation(client, tree, padmin, colleague, who):
    client.force_login(padmin)
    target = padmin if who == "self" else colleague
    response = client.post(
        "/api/v1/grants",
        {"user_id": target.pk, "role": "agency_leader", "agency_id": tree["root"].pk},
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "not_allowed"
    assert "agency_leader" not in grants_of(target)


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([vi for _key, vi, _en in COLUMNS])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_import_refuses_roles_the_importer_lacks_row_by_row(tree, padmin):
    content = _csv(
        [
            ["cv.x", "Chuyên Viên X", "", "", tree["dept"].code, "", "specialist", "", "", "", ""],
            ["ad.y", "Quản Trị Y", "", "", tree["dept"].code, "", "province_admin", "", "", "", ""],
        ]
    )
    batch = officials_import_preview(actor=padmin, filename="can-bo.csv", content=content)
    assert batch.status == ImportBatch.Status.REJECTED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "Vai trò")]
    assert "Xử lý hồ sơ" in batch.errors[0]["message"]
    assert not User.objects.filter(username__in=["cv.x", "ad.y"]).exists()


def test_import_apply_checks_again_with_the_appliers_permissions(tree, padmin, superuser):
    """A file previewed while the importer held the role is refused once it no longer does."""
    extra = grant_create(
        actor=superuser,
        user=padmin,
        role=Role.objects.get(code="agency_leader"),
        agency=tree["root"],
        include_subtree=True,
    )
    padmin = User.objects.get(pk=padmin.pk)
    content = _csv(
        [["ld.z", "Lãnh Đạo Z", "", "", tree["dept"].code, "", "agency_leader", "", "", "", ""]]
    )
    batch = officials_import_preview(actor=padmin, filename="can-bo.csv", content=content)
    assert batch.status == ImportBatch.Status.PREVIEWED
    grant_revoke(actor=superuser, grant=extra)
    padmin = User.objects.get(pk=padmin.pk)
    with pytest.raises(InvalidInput) as refused:
        officials_import_apply(actor=padmin, batch=batch)
    assert "Ký kết quả" in str(refused.value.errors)  # agency_leader's sign permission
    assert not User.objects.filter(username="ld.z").exists()
