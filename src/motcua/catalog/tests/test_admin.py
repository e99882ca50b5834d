"""The catalog admin asks can(), writes through the services and shows their refusals."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Grant
from motcua.catalog.constants import CompetentMode, VersionStatus
from motcua.catalog.models import (
    CompetenceRule,
    FormTemplate,
    FullOnlineList,
    LifeEvent,
    ProcedureVersion,
    PublicService,
)
from motcua.catalog.services import (
    competence_rule_set,
    full_online_list_create,
    version_approve,
    version_gaps,
    version_publish,
    version_save,
)
from motcua.core.models import AuditEntry

from .documents import document

pytestmark = pytest.mark.django_db

MODELS = [
    "procedure",
    "procedureversion",
    "competencerule",
    "formtemplate",
    "lifeevent",
    "publicservice",
    "fullonlinelist",
]


@pytest.fixture
def admin_client(client, catalog_admin):
    client.force_login(catalog_admin)
    return client


@pytest.fixture
def published(catalog_admin, birth_ready):
    version_approve(actor=catalog_admin, version=birth_ready)
    return version_publish(actor=catalog_admin, version=birth_ready)


def changelist(model: str) -> str:
    return reverse(f"admin:catalog_{model}_changelist")


def act(client, model: str, action: str, objects, **extra):
    return client.post(
        changelist(model),
        {"action": action, "_selected_action": [o.pk for o in objects], "index": 0, **extra},
    )


def texts(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


# Who gets in


def test_every_catalog_page_loads_for_a_catalog_admin(admin_client, published, birth_form):
    for model in MODELS:
        assert admin_client.get(changelist(model)).status_code == 200, model
    for model in ["competencerule", "formtemplate", "lifeevent", "publicservice", "fullonlinelist"]:
        assert admin_client.get(reverse(f"admin:catalog_{model}_add")).status_code == 200, model
    procedure_page = admin_client.get(
        reverse("admin:catalog_procedure_change", args=[published.procedure.pk])
    )
    assert procedure_page.status_code == 200
    assert reverse("admin:catalog_procedureversion_change", args=[published.pk]) in (
        procedure_page.content.decode()
    )
    version_page = admin_client.get(
        reverse("admin:catalog_procedureversion_change", args=[published.pk])
    ).content.decode()
    assert "Lệ phí đăng ký khai sinh" in version_page  # the document, rendered
    assert "Giấy chứng sinh" in version_page
    assert "60/2014/QH13" in version_page
    assert (
        admin_client.get(
            reverse("admin:catalog_formtemplate_change", args=[birth_form.pk])
        ).status_code
        == 200
    )
    # Procedures and versions are created by import or the API, never added here.
    assert admin_client.get("/admin/catalog/procedure/add/").status_code == 403
    assert admin_client.get("/admin/catalog/procedureversion/add/").status_code == 403


def test_receiving_officer_and_other_admins_are_kept_out(client, make_official, tree, published):
    clerk = make_official("clerk", tree["osu"], [("receiving_officer", tree["osu"], True)])
    client.force_login(clerk)
    assert client.get(changelist("procedure")).status_code == 302  # to the admin login
    assert client.get(reverse("admin:catalog_health")).status_code == 403
    assert client.get(reverse("admin:catalog_health_export")).status_code == 403

    padmin = make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])
    client.force_login(padmin)
    assert client.get("/admin/").status_code == 200
    assert "/admin/catalog/" not in client.get("/admin/").content.decode()
    for model in MODELS:
        assert client.get(changelist(model)).status_code == 403, model
    assert client.get(reverse("admin:catalog_health")).status_code == 403
    assert client.get(reverse("admin:catalog_full_online_export")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, published):
    response = client.get(reverse("admin:catalog_health"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# Version transitions


def test_approve_and_publish_actions_move_the_version(admin_client, birth_ready):
    response = act(admin_client, "procedureversion", "approve_selected", [birth_ready])
    assert response.status_code == 302
    birth_ready.refresh_from_db()
    assert birth_ready.status == VersionStatus.APPROVED
    act(admin_client, "procedureversion", "publish_selected", [birth_ready])
    birth_ready.refresh_from_db()
    assert birth_ready.status == VersionStatus.PUBLISHED
    assert birth_ready.procedure.is_published
    assert list(
        AuditEntry.objects.filter(object_type="catalog.procedureversion")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["catalog.version.save", "catalog.version.approve", "catalog.version.publish"]


def test_gaps_show_as_messages_and_change_nothing(admin_client, birth_draft):
    expected = [g.message for g in version_gaps(birth_draft)]
    response = act(admin_client, "procedureversion", "approve_selected", [birth_draft])
    shown = texts(response)
    for message in expected:
        assert any(message in text for text in shown), message
    birth_draft.refresh_from_db()
    assert birth_draft.status == VersionStatus.DRAFT
    assert not AuditEntry.objects.filter(action="catalog.version.approve").exists()


def test_one_refused_version_leaves_the_others_unchanged(admin_client, catalog_admin, birth_ready):
    incomplete = version_save(
        actor=catalog_admin, content=document(code="1.000894", name="Kết hôn", legal_bases=[])
    )
    competence_rule_set(
        actor=catalog_admin, procedure=incomplete.procedure, mode=CompetentMode.LOCAL_COMMUNE
    )
    act(admin_client, "procedureversion", "approve_selected", [birth_ready, incomplete])
    statuses = set(ProcedureVersion.objects.values_list("status", flat=True))
    assert statuses == {VersionStatus.DRAFT}
    assert not AuditEntry.objects.filter(action="catalog.version.approve").exists()


def test_suspend_asks_for_a_reason_first(admin_client, published):
    page = act(admin_client, "procedureversion", "suspend_selected", [published])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED

    empty = act(admin_client, "procedureversion", "suspend_selected", [published], apply=1)
    assert empty.status_code == 200  # the form again, with its error
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED

    done = act(
        admin_client,
        "procedureversion",
        "suspend_selected",
        [published],
        apply=1,
        reason="Chờ hướng dẫn mới",
    )
    assert done.status_code == 302
    published.refresh_from_db()
    assert published.status == VersionStatus.SUSPENDED
    assert published.status_reason == "Chờ hướng dẫn mới"


def test_version_page_offers_the_next_step(admin_client, birth_ready):
    page_url = reverse("admin:catalog_procedureversion_change", args=[birth_ready.pk])
    approve = reverse("admin:catalog_procedureversion_transition", args=[birth_ready.pk, "approve"])
    assert approve in admin_client.get(page_url).content.decode()
    assert admin_client.get(approve).status_code == 200  # a confirmation page
    response = admin_client.post(approve, {"apply": 1})
    assert response.status_code == 302
    assert response["Location"] == page_url
    birth_ready.refresh_from_db()
    assert birth_ready.status == VersionStatus.APPROVED

    abolish = reverse("admin:catalog_procedureversion_transition", args=[birth_ready.pk, "abolish"])
    refused = admin_client.post(abolish, {"apply": 1, "reason": "Bãi bỏ"})
    assert refused.status_code == 302
    assert any("approved" in t.lower() or "phê duyệt" in t.lower() for t in texts(refused))
    birth_ready.refresh_from_db()
    assert birth_ready.status == VersionStatus.APPROVED


# Forms that call the services


def test_competence_rule_form_calls_the_service(admin_client, birth_draft, tree):
    add = reverse("admin:catalog_competencerule_add")
    base = {
        "procedure": birth_draft.procedure.pk,
        "authority": "competent",
        "receiving": "competent_agency",
        "delegation_basis": "",
    }
    refused = admin_client.post(add, {**base, "mode": "agency"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["agency"]
    assert not CompetenceRule.objects.exists()

    response = admin_client.post(add, {**base, "mode": "agency", "agency": tree["dept"].pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = CompetenceRule.objects.get()
    assert rule.agency == tree["dept"]
    # The same locality again replaces its rule (the service's set semantics).
    response = admin_client.post(add, {**base, "mode": "local_commune"})
    assert response.status_code == 302
    rule = CompetenceRule.objects.get()
    assert rule.mode == "local_commune"
    assert AuditEntry.objects.filter(action="catalog.competence.set").count() == 2

    act(admin_client, "competencerule", "delete_rules", [rule])
    assert not CompetenceRule.objects.exists()


def test_form_template_is_uploaded_through_the_service(admin_client):
    add = reverse("admin:catalog_formtemplate_add")
    upload = SimpleUploadedFile("mau.docx", b"PK docx")
    response = admin_client.post(
        add, {"code": "TK-02", "name": "Tờ khai", "legal_basis": "", "file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    template = FormTemplate.objects.get()
    assert bytes(template.content) == b"PK docx"
    assert AuditEntry.objects.filter(action="catalog.form_template.create").count() == 1

    refused = admin_client.post(
        add, {"code": "TK-03", "name": "X", "file": SimpleUploadedFile("x.exe", b"MZ")}
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["file"]
    assert FormTemplate.objects.count() == 1

    # Renaming keeps the file when none is uploaded.
    change = reverse("admin:catalog_formtemplate_change", args=[template.pk])
    assert admin_client.post(change, {"name": "Tờ khai mới", "legal_basis": ""}).status_code == 302
    template.refresh_from_db()
    assert (template.name, bytes(template.content)) == ("Tờ khai mới", b"PK docx")


def test_life_event_groups_procedures(admin_client, published):
    response = admin_client.post(
        reverse("admin:catalog_lifeevent_add"),
        {
            "code": "sinh-con",
            "name": "Sinh con",
            "description": "",
            "order": 1,
            "procedures": [published.procedure.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = LifeEvent.objects.get()
    assert list(event.procedures.all()) == [published.procedure]


def test_public_service_is_declared_and_withdrawn(
    admin_client, names_officers, published, tree, make_official
):
    officer = make_official("tiepnhan", tree["osu"])
    add = reverse("admin:catalog_publicservice_add")
    data = {
        "procedure": published.procedure.pk,
        "agency": tree["commune"].pk,
        "channel": "direct",
    }
    unknown = admin_client.post(add, {**data, "officials": "nobody"})
    assert unknown.status_code == 200
    assert not PublicService.objects.exists()
    response = admin_client.post(add, {**data, "officials": "tiepnhan"})
    assert response.status_code == 302, response.content.decode()[:3000]
    service = PublicService.objects.get()
    grant = Grant.objects.get(user=officer, revoked_at__isnull=True)
    assert grant.procedure == published.procedure

    act(admin_client, "publicservice", "withdraw_selected", [service])
    service.refresh_from_db()
    assert not service.is_active
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    # Declared again: the same row is active again.
    assert admin_client.post(add, {**data, "officials": "tiepnhan"}).status_code == 302
    assert PublicService.objects.get().is_active


def test_full_online_list_is_recorded_and_exported(admin_client, published):
    response = admin_client.post(
        reverse("admin:catalog_fullonlinelist_add"),
        {
            "decision_number": "12/QĐ-UBND",
            "decision_date": "01/03/2026",
            "issuer": "UBND tỉnh Đồng Tháp",
            "note": "",
            "procedures": [published.procedure.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = FullOnlineList.objects.get()
    export = admin_client.get(reverse("admin:catalog_full_online_export"), {"id": decision.pk})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("12/QĐ-UBND" in str(v) for v in values)
    assert "1.001193" in values
    assert "Mã TTHC" in values
    assert admin_client.get(reverse("admin:catalog_full_online_export")).status_code == 200
    assert (
        admin_client.get(reverse("admin:catalog_full_online_export"), {"id": 999}).status_code
        == 404
    )


# Health


def test_health_page_lists_gaps(admin_client, catalog_admin, published):
    incomplete = version_save(
        actor=catalog_admin, content=document(code="1.000894", name="Kết hôn", fees=[])
    )
    expected = [g.message for g in version_gaps(incomplete)]
    page = admin_client.get(reverse("admin:catalog_health"))
    assert page.status_code == 200
    html = page.content.decode()
    for message in expected:
        assert message in html
    assert page.context["health"].total == 2
    assert page.context["health"].complete == 1
    assert [r.procedure.code for r in page.context["rows"]] == ["1.000894", "1.001193"]
    assert reverse("admin:catalog_health_export") in html

    only_gaps = admin_client.get(reverse("admin:catalog_health"), {"gaps": "1"})
    assert [r.procedure.code for r in only_gaps.context["rows"]] == ["1.000894"]


def test_health_export_holds_every_gap(admin_client, catalog_admin, published):
    incomplete = version_save(
        actor=catalog_admin,
        content=document(code="1.000894", name="Kết hôn", fees=[], legal_bases=[]),
    )
    full_online_list_create(
        actor=catalog_admin,
        decision_number="12/QĐ-UBND",
        decision_date="2026-03-01",
        issuer="UBND tỉnh",
        procedures=[published.procedure],
    )
    export = admin_client.get(reverse("admin:catalog_health_export"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(export.content))
    review = workbook["Rà soát"]
    header, *rows = list(review.iter_rows(values_only=True))
    assert header == (
        "STT",
        "Mã TTHC",
        "Tên thủ tục",
        "Lĩnh vực",
        "Phiên bản",
        "Trạng thái",
        "Vấn đề",
        "Vị trí",
    )
    assert review.freeze_panes == "A2"
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert {r[1] for r in rows} == {"1.000894"}
    assert {r[6] for r in rows} == {g.message for g in version_gaps(incomplete)}
    summary = dict(workbook["Tổng hợp"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert summary == {"Tổng số thủ tục": 2, "Số thủ tục đầy đủ": 1, "Số thủ tục còn thiếu": 1}
