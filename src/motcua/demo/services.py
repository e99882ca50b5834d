"""Build the demo province through the same services officials use (so it is audited too)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.accounts.models import Role, User
from motcua.accounts.services import grant_create, official_create, system_account_create
from motcua.catalog.services import field_upsert, procedure_upsert
from motcua.coordination.services import external_accounts_ensure
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.services import agency_create, agency_update
from motcua.territory.models import Commune, Province
from motcua.territory.services import territory_load

from . import data
from .catalog import catalog_build
from .workflows import workflows_build

SUPERUSER = "admin"


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    roles: str
    agency: str


def _superuser() -> User:
    user = User.objects.filter(username=SUPERUSER).first()
    if user is None:
        user = User.objects.create(
            username=SUPERUSER,
            full_name="Quản trị viên hệ thống",
            is_superuser=True,
            is_staff=True,
            password=make_password(data.DEMO_PASSWORD),
        )
    return user


def _build(admin: User) -> None:
    province = Province.objects.get(pk=data.PROVINCE_CODE)
    agencies: dict[str, Agency] = {}

    def add(key, parent_key, kind, name, code=None, commune=None, serves=None):
        agencies[key] = agency_create(
            actor=admin,
            kind=kind,
            name=name,
            parent=agencies.get(parent_key),
            province=province,
            code=code,
            commune=commune,
            serves_agency=agencies.get(serves) if serves else None,
        )

    seat = Commune.objects.get(pk=data.SEAT_COMMUNE)
    add("root", None, AgencyKind.PROVINCE_PC, data.ROOT["name"], data.ROOT["code"], seat)
    for key, code, name, units in data.DEPARTMENTS:
        add(key, "root", AgencyKind.DEPARTMENT, name, code, seat)
        for unit_key, unit_code, unit_name in units:
            add(unit_key, key, AgencyKind.UNIT, unit_name, unit_code)
    add("center", "root", AgencyKind.SERVICE_CENTER, data.CENTER["name"], data.CENTER["code"], seat)
    for key, name in data.DESKS:
        add(key, "center", AgencyKind.DESK, name, serves=data.DESK_SERVES.get(key, (None,))[0])
    for key, commune_code, commune_name, group in data.COMMUNES:
        commune = Commune.objects.get(pk=commune_code)
        add(
            f"{key}_pc",
            "root",
            AgencyKind.COMMUNE_PC,
            f"Ủy ban nhân dân {commune_name[0].lower() + commune_name[1:]}",
            f"000.00.{group}.{data.H}",
            commune,
        )
        add(
            f"{key}_osu",
            f"{key}_pc",
            AgencyKind.ONE_STOP_UNIT,
            f"Trung tâm Phục vụ hành chính công {commune_name[0].lower() + commune_name[1:]}",
            f"000.01.{group}.{data.H}",
        )
        add(f"{key}_desk", f"{key}_osu", AgencyKind.DESK, "Quầy tiếp nhận số 01")
        for index, (unit_key, unit_name) in enumerate(data.COMMUNE_UNITS, start=2):
            add(
                f"{key}_{unit_key}",
                f"{key}_pc",
                AgencyKind.UNIT,
                unit_name,
                f"000.{index:02d}.{group}.{data.H}",
            )

    fields = {code: field_upsert(code=code, name=name) for code, name in data.FIELDS}
    for key, (_agency_key, field_code) in data.DESK_SERVES.items():
        if field_code:
            agency_update(actor=admin, agency=agencies[key], serves_field=fields[field_code])
    procedures = {
        code: procedure_upsert(code=code, name=name, field=fields[field_code])
        for code, name, field_code in data.PROCEDURES
    }
    roles = {role.code: role for role in Role.objects.all()}

    def add_official(username, full_name, agency, position, phone, grants, scope_keys):
        user = official_create(
            actor=admin,
            username=username,
            full_name=full_name,
            agency=agency,
            email=f"{username}@demo.motcua.vn",
            phone=phone,
            position=position,
        )
        for role, scope_key, subtree, field_code, procedure_code in grants:
            grant_create(
                actor=admin,
                user=user,
                role=roles[role],
                agency=scope_keys(scope_key),
                include_subtree=subtree,
                field=fields.get(field_code),
                procedure=procedures.get(procedure_code),
            )

    for username, full_name, agency_key, position, phone, grants in data.OFFICIALS:
        add_official(
            username, full_name, agencies[agency_key], position, phone, grants, agencies.__getitem__
        )
    phone_seq = 100
    for key, _code, commune_name, _group in data.COMMUNES:
        for (suffix, position, grants), full_name in zip(
            data.COMMUNE_OFFICIALS, data.COMMUNE_NAMES[key], strict=True
        ):
            phone_seq += 1
            home = agencies[f"{key}_pc"] if suffix == "ct" else agencies[f"{key}_osu"]
            if suffix in {"hotich", "vhxh"}:
                home = agencies[f"{key}_vhxh"]
            add_official(
                f"{suffix}.{key}",
                full_name,
                home,
                f"{position} {commune_name}",
                f"0918000{phone_seq:03d}",
                grants,
                lambda scope_key, key=key: agencies[f"{key}_{scope_key}"],
            )
    # The national portal's intake identity: the only way online dossiers enter (besides the
    # applicant's own login); it holds nothing else and cannot log in to the pages.
    portal = system_account_create(
        actor=admin,
        username="dvcqg",
        full_name="Cổng Dịch vụ công quốc gia",
        agency=agencies["root"],
    )
    grant_create(
        actor=admin,
        user=portal,
        role=roles["national_portal"],
        agency=agencies["root"],
        include_subtree=True,
    )
    # One hash for every demo account: hashing 30 passwords one by one takes ten seconds.
    User.objects.filter(email__endswith="@demo.motcua.vn").update(
        password=make_password(data.DEMO_PASSWORD)
    )


def demo_setup() -> list[Login]:
    """Load the territory and the demo province once; later runs only list the logins."""
    territory_load()
    with transaction.atomic():
        admin = _superuser()
        if not Agency.objects.filter(code=data.ROOT["code"]).exists():
            _build(admin)
        catalog_build(admin)
        workflows_build(admin)
        # The ministries' and the coordination system's accounts (the demo's simulated ones):
        # their reports and the dossiers they hand over are recorded as them.
        external_accounts_ensure(actor=admin, agency=Agency.objects.get(code=data.ROOT["code"]))
    return demo_logins()


def demo_logins() -> list[Login]:
    logins = [Login(SUPERUSER, "Quản trị viên hệ thống", "superuser", "—")]
    officials = (
        User.objects.filter(kind=User.Kind.OFFICIAL, email__endswith="@demo.motcua.vn")
        .select_related("agency")
        .prefetch_related("grants__role")
        .order_by("pk")
    )
    for user in officials:
        roles = sorted({g.role.code for g in user.grants.all() if g.revoked_at is None})
        logins.append(Login(user.username, user.full_name, ", ".join(roles), user.agency.name))
    return logins
