"""Portal fixtures: a published catalog built through the catalog services.

Birth registration (settled by each commune for its residents, fully online, free) and a
construction permit (Sở Xây dựng by authorisation, partly online, with a fee and an online
reduction, province-specific).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from motcua.catalog.constants import AuthorityKind, CompetentMode, ReceivingMode
from motcua.catalog.models import FormTemplate, Procedure, ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    form_template_save,
    life_event_save,
    version_approve,
    version_publish,
    version_save,
)
from motcua.catalog.tests.documents import document

BIRTH_FORM_NAME = "Tờ khai đăng ký khai sinh.html"
BIRTH_FORM_BYTES = "<h1>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1>".encode()


def dates(days_ago: int = 30) -> dict[str, str]:
    """Decision and effective dates relative to today, so the version is in force now."""
    today = timezone.localdate()
    return {
        "decision_date": (today - dt.timedelta(days=days_ago + 10)).isoformat(),
        "effective_from": (today - dt.timedelta(days=days_ago)).isoformat(),
    }


def birth_document(**changes: Any) -> dict[str, Any]:
    return document(**{**dates(), **changes})


def permit_document(**changes: Any) -> dict[str, Any]:
    return document(
        **{
            "code": "1.009994",
            "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            "field_code": "G17-XD11",
            "field_name": "Hoạt động xây dựng",
            "level": "province",
            "online_level": "partial",
            "is_province_specific": True,
            "channels": ["direct", "online"],
            "eform": None,
            "subjects": "Tổ chức, cá nhân",
            "steps": "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả.",
            "conditions": "Phù hợp với quy hoạch chi tiết xây dựng.",
            "result_name": "Giấy phép xây dựng",
            "result_validity": "12 tháng",
            "times": [
                {"channel": "direct", "amount": 15, "unit": "working_days"},
                {
                    "channel": "online",
                    "amount": 12,
                    "unit": "working_days",
                    "description": "Kể từ ngày nhận đủ hồ sơ hợp lệ.",
                    "note": "Ghi chú nội bộ: UNCONFIRMED, đối chiếu lại.",
                },
            ],
            "fees": [
                {
                    "kind": "charge",
                    "name": "Lệ phí cấp giấy phép xây dựng",
                    "amount_vnd": 75000,
                    "online_amount_vnd": 37500,
                    "basis": "Nghị quyết 20/2025/NQ-HĐND",
                }
            ],
            "components": [
                {
                    "name": "Đơn đề nghị cấp giấy phép xây dựng",
                    "originals": 1,
                    "form_required": True,
                    "form_template": "XD-01",
                },
                {"name": "Bản vẽ thiết kế xây dựng", "copies": 2},
            ],
            "legal_bases": [
                {
                    "number": "50/2014/QH13",
                    "title": "Luật Xây dựng",
                    "issued_on": "2014-06-18",
                    "issuer": "Quốc hội",
                }
            ],
            "is_lien_thong": True,
            "lien_thong_agencies": "Sở Tài chính",
            "decision_number": "88/QĐ-UBND",
            "decision_issuer": "Ủy ban nhân dân tỉnh Đồng Tháp",
            **dates(),
            **changes,
        }
    )


def publish(actor, content: dict[str, Any], **rule: Any) -> ProcedureVersion:
    """Save, configure competence (first time only), approve and publish `content`."""
    version = version_save(actor=actor, content=content)
    if not version.procedure.competence_rules.exists():
        competence_rule_set(actor=actor, procedure=version.procedure, **rule)
    version_approve(actor=actor, version=version)
    return version_publish(actor=actor, version=version)


@pytest.fixture
def catalog_admin(make_official, tree):
    return make_official("catalog", tree["root"], [("catalog_admin", tree["root"], True)])


def birth_form_save(actor) -> FormTemplate:
    return form_template_save(
        actor=actor,
        code="TP-HT-KS",
        name="Tờ khai đăng ký khai sinh",
        file_name=BIRTH_FORM_NAME,
        content=BIRTH_FORM_BYTES,
    )


@pytest.fixture
def birth_form(superuser) -> FormTemplate:
    return birth_form_save(superuser)


@dataclass
class Catalog:
    birth: Procedure
    permit: Procedure
    form: FormTemplate


def build_catalog(actor, tree) -> Catalog:
    """Both procedures published, their form templates, and the "Sinh con" life event."""
    form = birth_form_save(actor)
    form_template_save(
        actor=actor,
        code="XD-01",
        name="Đơn đề nghị cấp giấy phép xây dựng",
        file_name="Mẫu 01 - Đơn đề nghị cấp GPXD.docx",
        content=b"PK\x03\x04" + bytes(20_000),
    )
    birth = publish(actor, birth_document(), mode=CompetentMode.LOCAL_COMMUNE).procedure
    permit = publish(
        actor,
        permit_document(),
        mode=CompetentMode.AGENCY,
        agency=tree["dept2"],
        authority=AuthorityKind.AUTHORIZED,
        delegated_by=tree["root"],
        delegation_basis="Quyết định 12/2025/QĐ-UBND",
        receiving=ReceivingMode.ALL_DESKS,
    ).procedure
    life_event_save(actor=actor, code="sinh-con", name="Sinh con", procedures=[birth])
    return Catalog(birth=birth, permit=permit, form=form)


@pytest.fixture
def catalog(catalog_admin, tree) -> Catalog:
    return build_catalog(catalog_admin, tree)
