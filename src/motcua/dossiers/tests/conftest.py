"""Dossier fixtures: published procedures with competence, officials at each step, workflows.

Đồng Tháp tree (src/conftest.py): birth registration is settled by each commune for its own
residents and received at its one-stop unit; a justice-department procedure is received at the
provincial service centre, processed in the department's unit and handed to Sở Xây dựng for an
opinion step and back (liên thông).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from motcua.catalog.constants import CompetentMode, ReceivingMode
from motcua.catalog.services import (
    competence_rule_set,
    version_approve,
    version_publish,
    version_save,
)
from motcua.catalog.tests import conftest as _catalog
from motcua.catalog.tests.documents import document
from motcua.core.workcalendar import TZ
from motcua.dossiers.services import Applicant, ComponentIn
from motcua.workflows.models import ProcessDefinition
from motcua.workflows.spec import spec_hash

# The catalog's fixtures, shared (pytest_plugins is only allowed at the top level).
catalog_admin = _catalog.catalog_admin
birth_form = _catalog.birth_form


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def steps_doc(*steps: dict) -> dict:
    return {"steps": list(steps)}


def step(key, name, kind, role, limit, unit=None, transitions=(), **extra):
    data = {
        "key": key,
        "name": name,
        "kind": kind,
        "role": role,
        "limit_amount": limit,
        "limit_unit": extra.pop("limit_unit", "working_hours"),
        "unit": unit or {"ref": "competent_agency"},
        "transitions": [{"action": a, "next": n} for a, n in transitions],
    }
    data.update(extra)
    return data


def activate(procedure, province, document, agency=None, name="Quy trình") -> ProcessDefinition:
    # Workflow activation has its own tests (workflows app); here the definition is a given.
    return ProcessDefinition.objects.create(
        procedure=procedure,
        province=province,
        agency=agency,
        number=1,
        name=name,
        status="active",
        document=document,
        content_hash=spec_hash(document),
    )


@dataclass
class World:
    tree: object
    birth: object
    justice: object
    officials: dict
    birth_definition: ProcessDefinition
    justice_definition: ProcessDefinition

    def __getitem__(self, key):
        return self.officials[key]


@pytest.fixture
def world(tree, superuser, catalog_admin, birth_form, make_official, fields_and_procedures):
    t = tree
    # Birth registration: 3 working days here (a test value), commune competence.
    birth_doc = document(
        times=[{"channel": None, "amount": 3, "unit": "working_days"}],
        effective_from="2026-01-01",
        decision_date="2025-12-20",
    )
    v = version_save(actor=catalog_admin, content=birth_doc)
    competence_rule_set(
        actor=catalog_admin, procedure=v.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    version_approve(actor=catalog_admin, version=v)
    version_publish(actor=catalog_admin, version=v)
    birth = v.procedure

    justice_doc = document(
        code="2.000986",
        name="Thủ tục cấp phiếu lý lịch tư pháp (thử nghiệm liên thông)",
        level="province",
        field_code="G15-TP09",
        field_name="Lý lịch tư pháp",
        times=[{"channel": None, "amount": 10, "unit": "working_days"}],
        effective_from="2026-01-01",
        decision_date="2025-12-20",
        is_lien_thong=True,
        lien_thong_agencies="Sở Xây dựng",
    )
    jv = version_save(actor=catalog_admin, content=justice_doc)
    competence_rule_set(
        actor=catalog_admin,
        procedure=jv.procedure,
        mode=CompetentMode.AGENCY,
        agency=t["dept"],
        receiving=ReceivingMode.ALL_DESKS,
    )
    version_approve(actor=catalog_admin, version=jv)
    version_publish(actor=catalog_admin, version=jv)
    justice = jv.procedure

    o = {
        "desk_officer": make_official(
            "tn.trungtam", t["desk"], [("receiving_officer", t["center"], True)]
        ),
        "commune_officer": make_official("tn.xa", t["osu"], [("receiving_officer", t["osu"])]),
        "commune_specialist": make_official(
            "cv.tuphap", t["commune"], [("specialist", t["commune"])]
        ),
        "commune_chair": make_official("ct.xa", t["commune"], [("agency_leader", t["commune"])]),
        "dept_leader_unit": make_official(
            "tp.hctp", t["dept_unit"], [("unit_leader", t["dept_unit"])]
        ),
        "dept_specialist": make_official(
            "cv.hctp", t["dept_unit"], [("specialist", t["dept_unit"])]
        ),
        "dept_specialist2": make_official(
            "cv.hctp2", t["dept_unit"], [("specialist", t["dept_unit"])]
        ),
        "dept_director": make_official("gd.stp", t["dept"], [("agency_leader", t["dept"])]),
        "dept2_specialist": make_official("cv.sxd", t["dept2"], [("specialist", t["dept2"])]),
        "commune2_officer": make_official(
            "tn.xa2", t["commune2"], [("receiving_officer", t["commune2"])]
        ),
        "outsider": make_official("khach", t["dept2"], [("specialist", t["dept2"])]),
    }
    birth_definition = activate(
        birth,
        t.province,
        steps_doc(
            step(
                "tiep-nhan",
                "Tiếp nhận",
                "receive",
                "receiving_officer",
                0,
                unit={"ref": "receiving_desk"},
                transitions=[("forward", "tham-dinh")],
            ),
            step(
                "tham-dinh",
                "Thẩm định hồ sơ",
                "process",
                "specialist",
                8,
                transitions=[("forward", "ky"), ("refuse", "ky")],
            ),
            step(
                "ky",
                "Ký giấy khai sinh",
                "sign",
                "agency_leader",
                4,
                transitions=[("forward", "tra"), ("return", "tham-dinh")],
            ),
            step(
                "tra",
                "Trả kết quả",
                "return",
                "receiving_officer",
                0,
                unit={"ref": "receiving_desk"},
                transitions=[("forward", None)],
            ),
        ),
        name="Đăng ký khai sinh",
    )
    dept_unit = {"ref": "agency", "agency_id": t["dept_unit"].pk}
    dept2 = {"ref": "agency", "agency_id": t["dept2"].pk}
    justice_definition = activate(
        justice,
        t.province,
        steps_doc(
            step(
                "phan-cong",
                "Phân công xử lý",
                "assign",
                "unit_leader",
                4,
                unit=dept_unit,
                transitions=[("forward", "xu-ly")],
            ),
            step(
                "xu-ly",
                "Thẩm định",
                "process",
                "specialist",
                2,
                unit=dept_unit,
                limit_unit="working_days",
                transitions=[("forward", "lien-thong"), ("refuse", "duyet")],
            ),
            step(
                "lien-thong",
                "Chuyển Sở Xây dựng xác minh",
                "handoff",
                "specialist",
                3,
                unit=dept2,
                limit_unit="working_days",
                transitions=[("forward", "duyet")],
            ),
            step(
                "duyet",
                "Lãnh đạo phòng duyệt",
                "approve",
                "unit_leader",
                1,
                unit=dept_unit,
                limit_unit="working_days",
                transitions=[("approve", "ky"), ("return", "xu-ly")],
            ),
            step(
                "ky",
                "Giám đốc Sở ký",
                "sign",
                "agency_leader",
                1,
                limit_unit="working_days",
                transitions=[("forward", "tra")],
            ),
            step(
                "tra",
                "Trả kết quả",
                "return",
                "receiving_officer",
                0,
                unit={"ref": "receiving_desk"},
                transitions=[("forward", None)],
            ),
        ),
        agency=t["dept"],
        name="Cấp phiếu LLTP (liên thông)",
    )
    return World(t, birth, justice, o, birth_definition, justice_definition)


def citizen(commune_id, **changes) -> Applicant:
    data = {
        "kind": "citizen",
        "name": "Nguyễn Thị Lan",
        "id_number": "087190001234",
        "phone": "0912345678",
        "address": "Ấp 3",
        "commune_id": commune_id,
    }
    data.update(changes)
    return Applicant(**data)


THREE = [
    ComponentIn(name="Tờ khai đăng ký khai sinh", originals=1),
    ComponentIn(name="Giấy chứng sinh", originals=1),
    ComponentIn(name="Văn bản ủy quyền", copies=1),
]
