"""The demo province's processing workflows (R2), built, test-run and activated through the
workflow services, so the demo shows each step's officials and deadlines.

Three definitions:
- birth registration (1.001193), province-wide for every commune: the commune's one-stop unit
  receives, the civil-status officer processes, the chairman signs, the desk returns — 6 working
  hours, within the published same-day time;
- private enterprise registration (2.001610), for the Business Registration Division of the
  Department of Finance: received at the provincial centre, assigned and approved by the head of
  division, processed by a specialist, signed by the department's director;
- the inter-agency birth + health-insurance card procedure (2.001023): after the chairman signs
  the birth certificate the dossier is handed off to the provincial Social Insurance office for
  the child's card, and comes back to the commune to be returned;
- the marital-status certificate (1.004873), when the demo's external systems are configured:
  after the civil-status officer checks it, the dossier is handed over to the national
  coordination system (`dieuphoi`, simulated) to verify the applicant's status where they lived
  before; its result comes back and the chairman signs. The same system hands such dossiers to
  the province (docs/integration.md, the inbound flow). Demo values: that this procedure goes
  through the coordination system (UNCONFIRMED: §5 names no procedure list).

Demo values: the Social Insurance office's name and identifier, the officials added here.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from motcua.accounts.models import Role, User
from motcua.accounts.services import grant_create, official_create
from motcua.catalog.models import Procedure
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.services import agency_create
from motcua.workflows.constants import DefinitionStatus
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.services import (
    definition_activate,
    definition_create,
    definition_test_run,
)

from . import data

SOCIAL_INSURANCE = {
    "code": f"000.00.13.{data.H}",  # demo value in the Decision 20/2020 shape — UNCONFIRMED
    "name": "Bảo hiểm xã hội tỉnh Đồng Tháp",
}


def _step(
    key: str,
    name: str,
    kind: str,
    role: str,
    amount: int,
    transitions: list[tuple[str, str | None]],
    *,
    unit: dict[str, Any] | None = None,
    limit_unit: str = "working_hours",
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "unit": unit or {"ref": "competent_agency"},
        "role": role,
        "limit_amount": amount,
        "limit_unit": limit_unit,
        "transitions": [{"action": a, "next": n} for a, n in transitions],
    }


DESK = {"ref": "receiving_desk"}


def _named(code: str) -> dict[str, Any]:
    return {"ref": "agency", "agency_code": code}


def birth_steps() -> list[dict[str, Any]]:
    return [
        _step("tiep_nhan", "Tiếp nhận hồ sơ", "receive", "receiving_officer", 1,
              [("forward", "tham_dinh")], unit=DESK),
        _step("tham_dinh", "Kiểm tra, ghi Sổ hộ tịch", "process", "specialist", 3,
              [("forward", "ky"), ("refuse", "ky"), ("return", "tiep_nhan")]),
        _step("ky", "Chủ tịch UBND xã ký Giấy khai sinh", "sign", "agency_leader", 1,
              [("forward", "tra_ket_qua"), ("return", "tham_dinh")]),
        _step("tra_ket_qua", "Trả kết quả", "return", "receiving_officer", 1,
              [("forward", None)], unit=DESK),
    ]  # fmt: skip


def enterprise_steps() -> list[dict[str, Any]]:
    director = _named(data.DEPARTMENTS[2][1])  # Sở Tài chính
    return [
        _step("tiep_nhan", "Tiếp nhận hồ sơ tại Trung tâm PVHCC", "receive", "receiving_officer",
              2, [("forward", "phan_cong")], unit=DESK),
        _step("phan_cong", "Lãnh đạo phòng phân công", "assign", "unit_leader", 2,
              [("forward", "xu_ly")]),
        _step("xu_ly", "Chuyên viên thẩm định hồ sơ", "process", "specialist", 10,
              [("forward", "duyet"), ("refuse", "duyet"), ("return", "tiep_nhan")]),
        _step("duyet", "Lãnh đạo phòng duyệt", "approve", "unit_leader", 4,
              [("approve", "ky"), ("return", "xu_ly")]),
        _step("ky", "Lãnh đạo Sở ký", "sign", "agency_leader", 3,
              [("forward", "tra_ket_qua"), ("return", "duyet")], unit=director),
        _step("tra_ket_qua", "Trả kết quả", "return", "receiving_officer", 1,
              [("forward", None)], unit=DESK),
    ]  # fmt: skip


def lien_thong_steps() -> list[dict[str, Any]]:
    insurance = _named(SOCIAL_INSURANCE["code"])
    return [
        _step("tiep_nhan", "Tiếp nhận hồ sơ liên thông", "receive", "receiving_officer", 4,
              [("forward", "khai_sinh")], unit=DESK),
        _step("khai_sinh", "Đăng ký khai sinh", "process", "specialist", 16,
              [("forward", "ky"), ("return", "tiep_nhan")]),
        _step("ky", "Chủ tịch UBND xã ký Giấy khai sinh", "sign", "agency_leader", 4,
              [("forward", "chuyen_bhxh"), ("return", "khai_sinh")]),
        _step("chuyen_bhxh", "Bảo hiểm xã hội cấp thẻ BHYT cho trẻ em", "handoff", "specialist",
              5, [("forward", "nhan_the"), ("return", "khai_sinh")], unit=insurance,
              limit_unit="working_days"),
        _step("nhan_the", "Nhận thẻ BHYT, hoàn thiện kết quả", "process", "specialist", 4,
              [("forward", "tra_ket_qua")]),
        _step("tra_ket_qua", "Trả kết quả", "return", "receiving_officer", 4,
              [("forward", None)], unit=DESK),
    ]  # fmt: skip


# The demo's external system for the hand-over step (settings.EXTERNAL_SYSTEMS, demo default).
EXTERNAL_DEMO_SYSTEM = "dieuphoi"
MARITAL_STATUS = "1.004873"


def marital_status_steps() -> list[dict[str, Any]]:
    verify = _step("xac_minh", "Xác minh tình trạng hôn nhân qua Hệ thống điều phối", "external",
                   "specialist", 12, [("forward", "ky"), ("refuse", "ky")])  # fmt: skip
    verify["system"] = EXTERNAL_DEMO_SYSTEM
    return [
        _step("tiep_nhan", "Tiếp nhận hồ sơ", "receive", "receiving_officer", 1,
              [("forward", "tham_dinh")], unit=DESK),
        _step("tham_dinh", "Kiểm tra hồ sơ, đề nghị xác minh", "process", "specialist", 4,
              [("forward", "xac_minh"), ("refuse", "ky"), ("return", "tiep_nhan")]),
        verify,
        _step("ky", "Chủ tịch UBND xã ký Giấy xác nhận", "sign", "agency_leader", 2,
              [("forward", "tra_ket_qua"), ("return", "tham_dinh")]),
        _step("tra_ket_qua", "Trả kết quả", "return", "receiving_officer", 1,
              [("forward", None)], unit=DESK),
    ]  # fmt: skip


def _ensure_people(admin: User) -> None:
    """What the workflows need beyond the demo province: the Social Insurance office and its
    officer, a head of the Business Registration Division, and each commune's civil-status
    officer granted the inter-agency procedure at the People's Committee."""
    roles = {r.code: r for r in Role.objects.all()}
    root = Agency.objects.get(code=data.ROOT["code"])
    insurance = Agency.objects.filter(code=SOCIAL_INSURANCE["code"]).first()
    if insurance is None:
        insurance = agency_create(
            actor=admin,
            kind=AgencyKind.OTHER,
            name=SOCIAL_INSURANCE["name"],
            parent=root,
            code=SOCIAL_INSURANCE["code"],
        )

    def official(username, full_name, agency, position, phone, grants) -> None:
        if User.objects.filter(username=username).exists():
            return
        user = official_create(
            actor=admin,
            username=username,
            full_name=full_name,
            agency=agency,
            email=f"{username}@demo.motcua.vn",
            phone=phone,
            position=position,
        )
        for role, scope, procedure in grants:
            grant_create(
                actor=admin, user=user, role=roles[role], agency=scope, procedure=procedure
            )
        user.password = User.objects.get(username="qt.tinh").password  # the demo password
        user.save(update_fields=["password"])

    dkkd = Agency.objects.get(code=data.DEPARTMENTS[2][3][0][1])
    official("tp.stc.dkkd", "Trần Thị Thanh Thủy", dkkd, "Trưởng phòng", "0918000020",
             [("unit_leader", dkkd, None)])  # fmt: skip
    official("cv.bhxh", "Nguyễn Minh Triết", insurance, "Chuyên viên thu - cấp sổ, thẻ",
             "0918000021", [("specialist", insurance, None)])  # fmt: skip
    procedures = [Procedure.objects.get(code="2.001023")]
    if EXTERNAL_DEMO_SYSTEM in settings.EXTERNAL_SYSTEMS:
        procedures.append(Procedure.objects.get(code=MARITAL_STATUS))
    for key, _code, _name, group in data.COMMUNES:
        officer = User.objects.get(username=f"hotich.{key}")
        pc = Agency.objects.get(code=f"000.00.{group}.{data.H}")
        for procedure in procedures:
            if officer.grants.filter(procedure=procedure, revoked_at__isnull=True).exists():
                continue
            grant_create(
                actor=admin, user=officer, role=roles["specialist"], agency=pc,
                procedure=procedure,
            )  # fmt: skip


def _definitions() -> list[tuple[str, str | None, str, list[dict[str, Any]]]]:
    """(procedure code, competent agency identifier or None, name, steps)."""
    return [
        ("1.001193", None, "Quy trình đăng ký khai sinh tại UBND xã, phường", birth_steps()),
        (
            "2.001610",
            data.DEPARTMENTS[2][3][0][1],
            "Quy trình đăng ký thành lập doanh nghiệp tư nhân",
            enterprise_steps(),
        ),
        (
            "2.001023",
            None,
            "Quy trình liên thông đăng ký khai sinh, cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
            lien_thong_steps(),
        ),
    ] + (
        [
            (
                MARITAL_STATUS,
                None,
                "Quy trình cấp Giấy xác nhận tình trạng hôn nhân, xác minh qua Hệ thống điều phối",
                marital_status_steps(),
            )
        ]
        # Only where the demo's coordination system is configured (the step names it).
        if EXTERNAL_DEMO_SYSTEM in settings.EXTERNAL_SYSTEMS
        else []
    )


def workflows_build(actor: User) -> list[ProcessDefinition]:
    """Create, test-run and activate the demo workflows; those already active are left alone.
    A failing test-run is an error: the demo must show workflows that work."""
    _ensure_people(actor)
    province = Agency.objects.get(code=data.ROOT["code"]).province
    built = []
    for code, agency_code, name, steps in _definitions():
        procedure = Procedure.objects.get(code=code)
        agency = Agency.objects.get(code=agency_code) if agency_code else None
        scope = ProcessDefinition.objects.filter(
            procedure=procedure, province=province, agency=agency
        )
        active = scope.filter(status=DefinitionStatus.ACTIVE).first()
        if active is not None:
            built.append(active)
            continue
        definition = scope.filter(
            status__in=[DefinitionStatus.DRAFT, DefinitionStatus.TESTED]
        ).first() or definition_create(
            actor=actor,
            procedure=procedure,
            province=province,
            agency=agency,
            name=name,
            document={"steps": steps},
            note="Quy trình mẫu của bản trình diễn.",
        )
        if definition.status == DefinitionStatus.DRAFT:
            run = definition_test_run(actor=actor, definition=definition)
            if not run.passed:
                raise RuntimeError(
                    f"Demo workflow {code} failed its test-run: {run.report['problems']}"
                )
        built.append(definition_activate(actor=actor, definition=definition))
    return built
