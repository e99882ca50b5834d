import pytest

from motcua.accounts.constants import Action
from motcua.accounts.models import Grant, User
from motcua.accounts.services import grant_create, grant_revoke, official_create, official_update
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


def test_official_create_is_audited(tree, padmin):
    user = official_create(
        actor=padmin,
        username="cv.moi",
        full_name="Nguyễn Văn Mới",
        agency=tree["dept"],
        email="CV.Moi@Example.vn",
        phone="+84 912 345 678",
    )
    assert user.email == "cv.moi@example.vn"
    assert user.phone == "0912345678"
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action="official.create", object_id=str(user.pk))
    assert entry.actor == padmin
    assert entry.agency == tree["dept"]
    assert entry.after["username"] == "cv.moi"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "padmin"}, "username"),
        ({"username": "có dấu cách"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"full_name": "  "}, "full_name"),
    ],
)
def test_official_create_rejects_bad_data(tree, padmin, data, field):
    values = {"username": "cv.x", "full_name": "Tên", "email": "", "phone": "", **data}
    count = User.objects.count()
    with pytest.raises(InvalidInput) as exc:
        official_create(actor=padmin, agency=tree["dept"], **values)
    assert field in exc.value.errors
    assert User.objects.count() == count


def test_official_update_records_before_and_after(tree, padmin, make_official):
    official = make_official("cv", tree["dept"])
    official_update(
        actor=padmin, official=official, position="Phó trưởng phòng", agency=tree["dept2"]
    )
    entry = AuditEntry.objects.get(action="official.update", object_id=str(official.pk))
    assert entry.before == {"agency": tree["dept"].pk, "position": ""}
    assert entry.after == {"agency": tree["dept2"].pk, "position": "Phó trưởng phòng"}


def test_cannot_manage_officials_of_another_province(tree, other_tree, padmin, make_official):
    foreign = make_official("foreign", other_tree["dept"])
    with pytest.raises(NotAllowed):
        official_create(actor=padmin, username="x", full_name="X", agency=other_tree["dept"])
    with pytest.raises(NotAllowed):
        official_update(actor=padmin, official=foreign, position="x")
    with pytest.raises(NotAllowed):
        official_update(
            actor=padmin, official=make_official("mine", tree["dept"]), agency=other_tree["dept"]
        )


def test_specialist_cannot_manage_officials(tree, make_official, roles):
    specialist = make_official("cv", tree["dept"], [("specialist", tree["dept"], True)])
    with pytest.raises(NotAllowed):
        official_create(actor=specialist, username="y", full_name="Y", agency=tree["dept"])
    with pytest.raises(NotAllowed):
        grant_create(
            actor=specialist, user=specialist, role=roles["agency_leader"], agency=tree["dept"]
        )


def test_grant_create_and_revoke_are_audited(tree, padmin, make_official, roles):
    official = make_official("cv", tree["dept"])
    grant = grant_create(
        actor=padmin, user=official, role=roles["province_admin"], agency=tree["dept_unit"]
    )
    created = AuditEntry.objects.get(action="grant.create", object_id=str(grant.pk))
    assert created.after["role"] == roles["province_admin"].pk
    assert created.after["agency"] == tree["dept_unit"].pk
    grant_revoke(actor=padmin, grant=grant)
    revoked = AuditEntry.objects.get(action="grant.revoke", object_id=str(grant.pk))
    assert revoked.before == {"revoked_at": None}
    assert Grant.objects.get(pk=grant.pk).revoked_by == padmin
    with pytest.raises(Conflict):
        grant_revoke(actor=padmin, grant=grant)


def test_duplicate_active_grant_is_a_conflict(tree, superuser, make_official, roles):
    official = make_official("cv", tree["dept"], [("specialist", tree["dept"], False)])
    with pytest.raises(Conflict):
        grant_create(actor=superuser, user=official, role=roles["specialist"], agency=tree["dept"])
    assert official.grants.count() == 1


def test_province_admin_cannot_grant_system_operator(tree, padmin, make_official, roles, superuser):
    official = make_official("ops", tree["root"])
    with pytest.raises(NotAllowed):
        grant_create(
            actor=padmin, user=official, role=roles["system_operator"], agency=tree["root"]
        )
    grant_create(actor=superuser, user=official, role=roles["system_operator"], agency=tree["root"])


def test_cannot_grant_in_another_province(tree, other_tree, padmin, make_official, roles):
    official = make_official("cv", tree["dept"])
    with pytest.raises(NotAllowed):
        grant_create(
            actor=padmin, user=official, role=roles["specialist"], agency=other_tree["dept"]
        )


def test_grant_only_to_officials(tree, padmin, roles):
    citizen = User.objects.create(username="001099000001", kind=User.Kind.CITIZEN)
    with pytest.raises(InvalidInput):
        grant_create(actor=padmin, user=citizen, role=roles["province_admin"], agency=tree["dept"])


def test_new_grant_takes_effect_at_once(tree, superuser, make_official, roles):
    from motcua.accounts.authz import can

    official = make_official("cv", tree["dept"])
    assert not can(official, Action.DOSSIER_PROCESS, tree["dept"])
    grant_create(actor=superuser, user=official, role=roles["specialist"], agency=tree["dept"])
    assert can(official, Action.DOSSIER_PROCESS, tree["dept"])
