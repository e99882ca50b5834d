"""The permission matrix: every role × action, in and out of scope, allows and denies."""

import pytest

from motcua.accounts.authz import Scope, can, scope_of
from motcua.accounts.constants import BUILTIN_ROLES, Action
from motcua.accounts.models import User

pytestmark = pytest.mark.django_db

ALL_ACTIONS = list(Action)
MATRIX = [
    (role, action, action in allowed)
    for role, (_vi, _en, allowed) in BUILTIN_ROLES.items()
    for action in ALL_ACTIONS
]


@pytest.mark.parametrize(("role", "action", "allowed"), MATRIX)
def test_role_action_matrix_in_and_out_of_scope(
    tree, other_tree, make_official, role, action, allowed
):
    # Granted on the department with its sub-tree.
    official = make_official(f"u_{role}", tree["dept"], [(role, tree["dept"], True)])
    # In scope: the agency itself and a unit under it.
    assert can(official, action, tree["dept"]) is allowed
    assert can(official, action, tree["dept_unit"]) is allowed
    # Out of scope: a sibling department, the province root above it, another province.
    assert can(official, action, tree["dept2"]) is False
    assert can(official, action, tree["root"]) is False
    assert can(official, action, other_tree["dept"]) is False


def test_without_subtree_a_grant_covers_only_its_own_agency(tree, make_official):
    official = make_official("leader", tree["dept"], [("agency_leader", tree["dept"], False)])
    assert can(official, Action.DOSSIER_SIGN, tree["dept"])
    assert not can(official, Action.DOSSIER_SIGN, tree["dept_unit"])


def test_concurrent_posts_add_up_and_stay_separate(tree, make_official):
    # A commune culture officer who also receives at the one-stop unit (kiêm nhiệm).
    official = make_official(
        "kiemnhiem",
        tree["commune"],
        [("specialist", tree["commune"], False), ("receiving_officer", tree["osu"], False)],
    )
    assert can(official, Action.DOSSIER_PROCESS, tree["commune"])
    assert can(official, Action.DOSSIER_RECEIVE, tree["osu"])
    # Each post keeps its own scope: no receiving at the commune PC, no processing at the unit.
    assert not can(official, Action.DOSSIER_RECEIVE, tree["commune"])
    assert not can(official, Action.DOSSIER_PROCESS, tree["osu"])


def test_posts_in_two_agencies(tree, make_official):
    official = make_official(
        "two_agencies",
        tree["dept"],
        [("specialist", tree["dept"], False), ("specialist", tree["dept2"], False)],
    )
    assert can(official, Action.DOSSIER_PROCESS, tree["dept"])
    assert can(official, Action.DOSSIER_PROCESS, tree["dept2"])
    assert not can(official, Action.DOSSIER_PROCESS, tree["commune"])


def test_field_scoped_grant(tree, make_official, fields_and_procedures):
    fp = fields_and_procedures
    official = make_official(
        "civil_only", tree["center"], [("receiving_officer", tree["center"], True, fp["civil"])]
    )
    civil_target = Scope(agencies=((tree["desk"].pk, tree["desk"].path),), field_id=fp["civil"].pk)
    land_target = Scope(agencies=((tree["desk"].pk, tree["desk"].path),), field_id=fp["land"].pk)
    assert can(official, Action.DOSSIER_RECEIVE, civil_target)
    assert not can(official, Action.DOSSIER_RECEIVE, land_target)
    # A target without a field (the agency as a whole) is not covered by a field-limited grant.
    assert not can(official, Action.DOSSIER_RECEIVE, tree["desk"])


def test_procedure_scoped_grant(tree, make_official, fields_and_procedures):
    fp = fields_and_procedures
    official = make_official(
        "birth_only",
        tree["commune"],
        [("specialist", tree["commune"], False, None, fp["birth"])],
    )
    agencies = ((tree["commune"].pk, tree["commune"].path),)
    birth = Scope(agencies=agencies, field_id=fp["civil"].pk, procedure_id=fp["birth"].pk)
    marriage = Scope(agencies=agencies, field_id=fp["civil"].pk, procedure_id=fp["marriage"].pk)
    assert can(official, Action.DOSSIER_PROCESS, birth)
    assert not can(official, Action.DOSSIER_PROCESS, marriage)


def test_field_and_procedure_grant_requires_both(tree, make_official, fields_and_procedures):
    fp = fields_and_procedures
    official = make_official(
        "both",
        tree["commune"],
        [("specialist", tree["commune"], False, fp["civil"], fp["birth"])],
    )
    agencies = ((tree["commune"].pk, tree["commune"].path),)
    assert can(
        official,
        Action.DOSSIER_PROCESS,
        Scope(agencies=agencies, field_id=fp["civil"].pk, procedure_id=fp["birth"].pk),
    )
    assert not can(
        official,
        Action.DOSSIER_PROCESS,
        Scope(agencies=agencies, field_id=fp["land"].pk, procedure_id=fp["birth"].pk),
    )


def test_revoked_grant_no_longer_allows(tree, make_official, superuser):
    from motcua.accounts.services import grant_revoke

    official = make_official("revoked", tree["dept"], [("specialist", tree["dept"], False)])
    assert can(official, Action.DOSSIER_PROCESS, tree["dept"])
    grant_revoke(actor=superuser, grant=official.grants.get())
    official = User.objects.get(pk=official.pk)
    assert not can(official, Action.DOSSIER_PROCESS, tree["dept"])


def test_inactive_official_may_do_nothing(tree, make_official):
    official = make_official("inactive", tree["dept"], [("province_admin", tree["root"], True)])
    official.is_active = False
    assert not can(official, Action.AGENCY_MANAGE, tree["dept"])


def test_inactive_agency_grant_allows_nothing(tree, make_official, superuser):
    from motcua.organizations.services import agency_update

    official = make_official("closed", tree["dept2"], [("specialist", tree["dept2"], False)])
    agency_update(actor=superuser, agency=tree["dept2"], is_active=False)
    official = User.objects.get(pk=official.pk)
    assert not can(official, Action.DOSSIER_PROCESS, tree["dept2"])


def test_citizen_and_anonymous_may_do_nothing_here(tree):
    from django.contrib.auth.models import AnonymousUser

    citizen = User.objects.create(username="001099000001", kind=User.Kind.CITIZEN)
    assert not can(citizen, Action.DOSSIER_VIEW, tree["dept"])
    assert not can(AnonymousUser(), Action.DOSSIER_VIEW, tree["dept"])
    assert not can(None, Action.DOSSIER_VIEW, tree["dept"])


def test_superuser_may_do_everything(tree, superuser):
    assert all(can(superuser, action, tree["dept"]) for action in Action)


def test_official_target_is_scoped_by_home_agency(tree, other_tree, make_official):
    admin = make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])
    local = make_official("local", tree["dept"])
    foreign = make_official("foreign", other_tree["dept"])
    assert can(admin, Action.OFFICIAL_MANAGE, local)
    assert not can(admin, Action.OFFICIAL_MANAGE, foreign)


def test_unknown_target_type_is_an_error(tree, make_official):
    official = make_official("x", tree["dept"], [("specialist", tree["dept"], False)])
    with pytest.raises(TypeError):
        scope_of(object())
    with pytest.raises(TypeError):
        can(official, Action.DOSSIER_VIEW, "dept")


def test_grant_checks_take_one_query(tree, make_official, django_assert_num_queries):
    official = make_official(
        "many",
        tree["dept"],
        [("specialist", tree["dept"], True), ("inspector", tree["root"], True)],
    )
    with django_assert_num_queries(1):
        for _ in range(20):
            can(official, Action.DOSSIER_VIEW, tree["dept_unit"])
            can(official, Action.AUDIT_VIEW, tree["commune"])
