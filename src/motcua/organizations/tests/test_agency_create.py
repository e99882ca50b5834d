import pytest

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.selectors import agency_subtree
from motcua.organizations.services import agency_create, agency_update

pytestmark = pytest.mark.django_db


def test_creates_agency_with_path_and_audit(tree, superuser):
    unit = agency_create(
        actor=superuser,
        kind=AgencyKind.UNIT,
        name="Phòng Quản lý xây dựng",
        parent=tree["dept2"],
        code="000.01.04.H20",
    )
    assert unit.path == f"{tree['dept2'].path}{unit.pk}/"
    assert unit.depth == 2
    assert unit.province_id == 82
    entry = AuditEntry.objects.get(action="agency.create", object_id=str(unit.pk))
    assert entry.after["code"] == "000.01.04.H20"
    assert entry.actor == superuser


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("000.00.00", "000.00.00.H20"),
        ("00.00.00.H20", "000.00.00.H20"),
        ("000.00.00.h20", "000.00.00.H20"),
        ("", "mã định danh"),
    ],
)
def test_rejects_malformed_or_missing_code(tree, superuser, code, message):
    count = Agency.objects.count()
    with pytest.raises(InvalidInput) as exc:
        agency_create(
            actor=superuser,
            kind=AgencyKind.DEPARTMENT,
            name="Sở Y tế",
            parent=tree["root"],
            code=code,
        )
    assert message in str(exc.value.errors["code"])
    assert Agency.objects.count() == count
    assert not AuditEntry.objects.filter(object_repr__startswith="Sở Y tế").exists()


def test_rejects_duplicate_code(tree, superuser):
    with pytest.raises(InvalidInput) as exc:
        agency_create(
            actor=superuser,
            kind=AgencyKind.DEPARTMENT,
            name="Trùng",
            parent=tree["root"],
            code=tree["dept"].code,
        )
    assert "đã được sử dụng" in exc.value.errors["code"][0]


def test_desk_must_hang_under_a_reception_point(tree, superuser):
    with pytest.raises(InvalidInput) as exc:
        agency_create(actor=superuser, kind=AgencyKind.DESK, name="Quầy", parent=tree["dept"])
    assert "Quầy tiếp nhận" in exc.value.errors["parent"][0]
    desk = agency_create(actor=superuser, kind=AgencyKind.DESK, name="Quầy 2", parent=tree["osu"])
    assert desk.code is None
    assert desk.commune_id == tree["commune"].commune_id


def test_commune_pc_needs_a_commune_of_its_province(tree, superuser):
    from motcua.territory.models import Commune

    with pytest.raises(InvalidInput) as exc:
        agency_create(
            actor=superuser,
            kind=AgencyKind.COMMUNE_PC,
            name="UBND xã",
            parent=tree["root"],
            code="000.00.40.H20",
        )
    assert "commune" in exc.value.errors
    hanoi_ward = Commune.objects.filter(province_id=1).first()
    with pytest.raises(InvalidInput) as exc:
        agency_create(
            actor=superuser,
            kind=AgencyKind.COMMUNE_PC,
            name="UBND xã",
            parent=tree["root"],
            code="000.00.40.H20",
            commune=hanoi_ward,
        )
    assert "không thuộc tỉnh" in exc.value.errors["commune"][0]


def test_only_superuser_creates_a_province_root(tree, make_official, superuser):
    from motcua.territory.models import Province

    admin = make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])
    with pytest.raises(NotAllowed):
        agency_create(
            actor=admin,
            kind=AgencyKind.PROVINCE_PC,
            name="UBND tỉnh khác",
            province=Province.objects.get(pk=1),
            code="000.00.00.H01",
        )
    # Within their province they may add departments.
    dept = agency_create(
        actor=admin,
        kind=AgencyKind.DEPARTMENT,
        name="Sở Y tế",
        parent=tree["root"],
        code="000.00.06.H20",
    )
    assert dept.parent == tree["root"]


def test_province_admin_cannot_touch_another_province(tree, other_tree, make_official):
    admin = make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])
    with pytest.raises(NotAllowed):
        agency_create(
            actor=admin,
            kind=AgencyKind.DEPARTMENT,
            name="Sở Y tế",
            parent=other_tree["root"],
            code="000.00.06.H14",
        )
    with pytest.raises(NotAllowed):
        agency_update(actor=admin, agency=other_tree["dept"], name="Đổi tên")
    other_tree["dept"].refresh_from_db()
    assert other_tree["dept"].name == "Sở Tư pháp"


def test_moving_an_agency_moves_its_subtree(tree, superuser):
    # Move the department (with its unit) under the service centre, then back.
    unit = tree["dept_unit"]
    agency_update(actor=superuser, agency=tree["dept"], parent=tree["center"])
    unit.refresh_from_db()
    moved = Agency.objects.get(pk=tree["dept"].pk)
    assert moved.path.startswith(tree["center"].path)
    assert unit.path == f"{moved.path}{unit.pk}/"
    assert unit.depth == 3
    assert set(agency_subtree(tree["center"])) >= {moved, unit, tree["desk"]}
    entry = AuditEntry.objects.get(action="agency.update", object_id=str(moved.pk))
    assert entry.before == {"parent": tree["root"].pk}
    assert entry.after == {"parent": tree["center"].pk}


def test_cannot_move_an_agency_under_its_own_unit(tree, superuser):
    with pytest.raises(InvalidInput) as exc:
        agency_update(actor=superuser, agency=tree["dept"], parent=tree["dept_unit"])
    assert "parent" in exc.value.errors
    assert Agency.objects.get(pk=tree["dept"].pk).parent_id == tree["root"].pk


def test_update_without_change_writes_no_audit(tree, superuser):
    before = AuditEntry.objects.count()
    agency_update(actor=superuser, agency=tree["dept"], name=tree["dept"].name)
    assert AuditEntry.objects.count() == before
