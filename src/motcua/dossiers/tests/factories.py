"""Dossier factories: the procedures, workflows and dossiers the dossier tests work with.

Đồng Tháp tree (src/conftest.py): birth registration is settled by each commune for its own
residents and received at its one-stop unit; a justice-department procedure is received at any
desk, processed in the department's unit and handed to Sở Xây dựng for an opinion step and back
(liên thông). Procedures are published through `catalog.services` (the catalog factories);
workflows are a given (`ProcessDefinitionFactory`); dossiers are submitted through
`dossier_submit`, accepted at once with the trait `accepted`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from motcua.catalog.constants import CompetentMode, ReceivingMode, VersionStatus
from motcua.catalog.tests.documents import document
from motcua.catalog.tests.factories import ProcedureVersionFactory
from motcua.core.workcalendar import TZ
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, ComponentIn, dossier_submit
from motcua.workflows.constants import DefinitionStatus
from motcua.workflows.tests.factories import ProcessDefinitionFactory


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


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


# Procedures ------------------------------------------------------------------------------------


class BirthVersionFactory(ProcedureVersionFactory):
    """Birth registration, published: 3 working days here (a test value), commune competence."""

    content = factory.LazyFunction(
        lambda: document(
            times=[{"channel": None, "amount": 3, "unit": "working_days"}],
            effective_from="2026-01-01",
            decision_date="2025-12-20",
        )
    )
    state = VersionStatus.PUBLISHED


class JusticeVersionFactory(ProcedureVersionFactory):
    """The judicial record certificate, published: 10 working days, settled by `agency` (the
    justice department), received at every desk of the province, liên thông with Sở Xây dựng."""

    class Params:
        agency = None

    content = factory.LazyFunction(
        lambda: document(
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
    )
    competence = factory.LazyAttribute(
        lambda o: {
            "mode": CompetentMode.AGENCY,
            "agency": o.agency,
            "receiving": ReceivingMode.ALL_DESKS,
        }
    )
    state = VersionStatus.PUBLISHED


# Workflows -------------------------------------------------------------------------------------


def birth_steps() -> dict:
    """Receive at the desk → check (or propose refusal) → the chair signs (or sends back) →
    return at the desk."""
    return steps_doc(
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
    )


def justice_steps(unit, consulted) -> dict:
    """Assign in the department's `unit` → check → hand off to the `consulted` agency →
    the unit's head approves (or sends back) → the director signs → return at the desk."""
    in_unit = {"ref": "agency", "agency_id": unit.pk}
    return steps_doc(
        step(
            "phan-cong",
            "Phân công xử lý",
            "assign",
            "unit_leader",
            4,
            unit=in_unit,
            transitions=[("forward", "xu-ly")],
        ),
        step(
            "xu-ly",
            "Thẩm định",
            "process",
            "specialist",
            2,
            unit=in_unit,
            limit_unit="working_days",
            transitions=[("forward", "lien-thong"), ("refuse", "duyet")],
        ),
        step(
            "lien-thong",
            "Chuyển Sở Xây dựng xác minh",
            "handoff",
            "specialist",
            3,
            unit={"ref": "agency", "agency_id": consulted.pk},
            limit_unit="working_days",
            transitions=[("forward", "duyet")],
        ),
        step(
            "duyet",
            "Lãnh đạo phòng duyệt",
            "approve",
            "unit_leader",
            1,
            unit=in_unit,
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
    )


class BirthWorkflowFactory(ProcessDefinitionFactory):
    """The province-wide birth registration workflow, active."""

    name = "Đăng ký khai sinh"
    status = DefinitionStatus.ACTIVE
    document = factory.LazyFunction(birth_steps)


class JusticeWorkflowFactory(ProcessDefinitionFactory):
    """The justice department's own workflow (`agency`), active: its steps in `unit`, the
    hand-off to `consulted`."""

    class Params:
        unit = None
        consulted = None

    name = "Cấp phiếu LLTP (liên thông)"
    status = DefinitionStatus.ACTIVE
    document = factory.LazyAttribute(lambda o: justice_steps(o.unit, o.consulted))


# Dossiers --------------------------------------------------------------------------------------


class DossierFactory(DjangoModelFactory):
    """A dossier submitted through `dossier_submit`: registered at `desk` by `actor`, its
    receiving officer (online when no desk is given, by an `actor` that may deliver online
    dossiers); trait `accepted` accepts it in the same transaction. The applicant lives in the
    desk's commune unless one is given."""

    class Meta:
        model = Dossier

    class Params:
        accepted = factory.Trait(accept=True)

    actor = None
    procedure = None
    desk = None
    channel = factory.LazyAttribute(lambda o: "online" if o.desk is None else "direct")
    applicant = factory.LazyAttribute(lambda o: citizen(o.desk.commune_id if o.desk else None))
    components = factory.LazyFunction(lambda: list(THREE))
    accept = False

    @classmethod
    def _create(cls, model_class, **kwargs: Any) -> Dossier:
        return dossier_submit(**kwargs)


# Draft results ---------------------------------------------------------------------------------


def draft_pdf(pages: int = 1) -> bytes:
    """A small PDF standing for a draft result (dự thảo kết quả)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def draft_result(actor, dossier, *, content: bytes | None = None, now=None):
    """The specialist uploads the dossier's draft result, as the dossier page does: a workflow's
    signing step signs it (dossiers/services/results.py)."""
    from motcua.documents.constants import DocumentKind
    from motcua.documents.services import document_add

    return document_add(
        actor=actor,
        dossier=dossier,
        content=content if content is not None else draft_pdf(),
        name="du-thao-ket-qua.pdf",
        kind=DocumentKind.DRAFT_RESULT,
        now=now,
    )
