"""The workflow configuration pages through the Django test client: who may see them, the step
editor saving through the service, its errors next to the fields, and the lifecycle buttons."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.workflows.constants import DefinitionStatus
from motcua.workflows.forms import StepForm
from motcua.workflows.models import ProcessDefinition, TestRun
from motcua.workflows.selectors import definition_export

pytestmark = pytest.mark.django_db


def detail_url(definition) -> str:
    return reverse("admin:workflows_processdefinition_change", args=[definition.pk])


def steps_url(definition) -> str:
    return reverse("admin:workflows_definition_steps", args=[definition.pk])


def action_url(definition, name: str) -> str:
    return reverse("admin:workflows_definition_action", args=[definition.pk, name])


def editor_post(definition, **overrides) -> dict[str, str]:
    """The editor's form data for the definition as saved, with `overrides` applied."""
    data = {
        "steps-TOTAL_FORMS": str(len(definition.document["steps"])),
        "steps-INITIAL_FORMS": str(len(definition.document["steps"])),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "name": definition.name,
        "note": definition.note,
        "save": "1",
    }
    for i, step in enumerate(definition.document["steps"]):
        for field, value in StepForm.initial_for(step).items():
            if isinstance(value, list):
                if value:
                    data[f"steps-{i}-{field}"] = value
                continue
            data[f"steps-{i}-{field}"] = "" if value is None else str(value)
        data[f"steps-{i}-ORDER"] = str(i + 1)
    data.update(overrides)
    return data


# Who may see the pages -------------------------------------------------------------------------


def test_catalog_admin_sees_the_list_and_the_definition_page(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    listing = client.get(reverse("admin:workflows_processdefinition_changelist"))
    assert listing.status_code == 200
    assert "Quy trình đăng ký khai sinh" in listing.content.decode()

    page = client.get(detail_url(draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="wf-diagram wf-min-' in html
    assert 'id="wf-steps"' in html and "Thẩm định hồ sơ" in html
    assert action_url(draft, "test_run") in html
    assert steps_url(draft) in html


def test_specialist_cannot_open_the_workflow_pages(client, draft, staff):
    client.force_login(staff["specialist"])
    for url in (
        reverse("admin:workflows_processdefinition_changelist"),
        detail_url(draft),
        steps_url(draft),
        reverse("admin:workflows_definition_export", args=[draft.pk]),
    ):
        response = client.get(url)
        # Not an administrator at all: the admin site sends them to its login page.
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "/admin/login/" in response["Location"]
    response = client.post(action_url(draft, "retire"))
    assert response.status_code in (302, 403)
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.DRAFT


def test_administrator_without_workflow_rights_gets_403(client, make_official, tree, draft):
    province_admin = make_official(
        "qt.tinh", tree["root"], [("province_admin", tree["root"], True)]
    )
    client.force_login(province_admin)
    assert client.get(detail_url(draft)).status_code == 403
    assert client.get(steps_url(draft)).status_code == 403
    assert client.get(reverse("admin:workflows_definition_import")).status_code == 403
    assert client.post(action_url(draft, "test_run")).status_code == 403
    assert not TestRun.objects.exists()


# Step editor -----------------------------------------------------------------------------------


def test_editor_saves_a_draft_through_the_service(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    page = client.get(steps_url(draft))
    assert page.status_code == 200
    assert page.content.decode().count('class="wf-step-set"') == 1 + 4  # name + 4 steps

    data = editor_post(
        draft,
        **{"steps-1-name": "Thẩm định và dự thảo giấy khai sinh", "steps-1-limit_amount": "2"},
    )
    response = client.post(steps_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.document["steps"][1]["name"] == "Thẩm định và dự thảo giấy khai sinh"
    assert draft.document["steps"][1]["limit_amount"] == 2
    assert draft.status == DefinitionStatus.DRAFT
    assert AuditEntry.objects.filter(action="workflows.definition.update").count() == 1


def test_editor_adds_a_step_without_saving_then_saves_it(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    data = editor_post(draft, add_step="1")
    del data["save"]
    page = client.post(steps_url(draft), data)
    assert page.status_code == 200
    assert page.content.decode().count('class="wf-step-set"') == 1 + 5
    draft.refresh_from_db()
    assert len(draft.document["steps"]) == 4  # nothing saved yet

    data = editor_post(
        draft,
        **{
            "steps-TOTAL_FORMS": "5",
            "steps-4-key": "luu-tru",
            "steps-4-name": "Lưu trữ hồ sơ",
            "steps-4-kind": "process",
            "steps-4-unit": "competent_agency",
            "steps-4-role": "specialist",
            "steps-4-limit_amount": "1",
            "steps-4-limit_unit": "working_hours",
            "steps-4-t1_action": "forward",
            "steps-4-t1_next": "",
            "steps-4-ORDER": "5",
            # The return desk now hands over to the archive step instead of ending.
            "steps-3-t1_next": "luu-tru",
        },
    )
    response = client.post(steps_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    keys = [s["key"] for s in draft.document["steps"]]
    assert keys == ["receive", "process", "sign", "deliver", "luu-tru"]
    assert draft.document["steps"][3]["transitions"] == [{"action": "forward", "next": "luu-tru"}]


def test_bad_limit_shows_the_vietnamese_error_next_to_the_step_and_saves_nothing(
    client, catalog_admin, draft
):
    client.force_login(catalog_admin)
    before = draft.document
    response = client.post(steps_url(draft), editor_post(draft, **{"steps-2-limit_amount": "9999"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không được lớn hơn 3650." in html
    # The message sits in the third step's fieldset, by its field.
    third = html.split('id="step-2"')[1].split("</fieldset>")[0]
    assert "Không được lớn hơn 3650." in third
    assert 'aria-invalid="true"' in third
    draft.refresh_from_db()
    assert draft.document == before
    assert not AuditEntry.objects.filter(action="workflows.definition.update").exists()


def test_a_named_unit_of_another_province_is_refused(client, catalog_admin, draft, other_tree):
    client.force_login(catalog_admin)
    foreign = other_tree["dept"]
    response = client.post(
        steps_url(draft), editor_post(draft, **{"steps-1-unit": f"agency:{foreign.pk}"})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="wf-errors"' in html
    assert 'aria-invalid="true"' in html.split('id="step-1"')[1].split("</fieldset>")[0]
    draft.refresh_from_db()
    assert draft.document["steps"][1]["unit"]["ref"] == "competent_agency"


def test_raw_json_fallback_saves_through_the_same_service(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    document = json.loads(json.dumps(draft.document))
    document["steps"][0]["limit_amount"] = 2
    response = client.post(steps_url(draft), {"document": json.dumps(document), "save_json": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.document["steps"][0]["limit_amount"] == 2

    broken = client.post(steps_url(draft), {"document": "{not json", "save_json": "1"})
    assert broken.status_code == 200
    assert "wf-json" in broken.content.decode()


def test_an_active_definition_is_not_edited_in_place(client, catalog_admin, tested):
    client.force_login(catalog_admin)
    client.post(action_url(tested, "activate"))
    tested.refresh_from_db()
    assert tested.status == DefinitionStatus.ACTIVE
    response = client.get(steps_url(tested))
    assert response.status_code == 302
    assert response["Location"] == detail_url(tested)


# Lifecycle buttons -----------------------------------------------------------------------------


def test_test_run_then_activate_change_the_status(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    response = client.post(action_url(draft, "test_run"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.TESTED

    page = client.get(detail_url(draft)).content.decode()
    assert 'id="wf-report-steps"' in page
    assert "Hotich" in page  # the civil-status officer who would receive the test dossier
    # The engine's own history of the test dossier, with who did each step in the test.
    assert 'id="wf-report-events"' in page
    events = page.split('id="wf-report-events"')[1].split("</details>")[0]
    assert events.count("<tr>") == 1 + 6  # the header and six entries
    assert "Chutich" in events

    client.post(action_url(draft, "activate"))
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.ACTIVE


def test_activating_an_untested_draft_is_refused_with_a_message(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    response = client.post(action_url(draft, "activate"), follow=True)
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.DRAFT
    assert len(list(response.context["messages"])) >= 1


def test_retire_asks_for_confirmation_first(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    confirm = client.get(action_url(draft, "retire"))
    assert confirm.status_code == 200
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.DRAFT
    client.post(action_url(draft, "retire"))
    draft.refresh_from_db()
    assert draft.status == DefinitionStatus.RETIRED


def test_new_version_opens_the_copy_in_the_editor(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    response = client.post(action_url(draft, "new_version"))
    copy = ProcessDefinition.objects.get(number=2)
    assert response["Location"] == steps_url(copy)
    assert copy.document == draft.document


# Create, export, import ------------------------------------------------------------------------


def test_create_from_the_five_step_template(client, catalog_admin, tree, birth, staff):
    client.force_login(catalog_admin)
    page = client.get(reverse("admin:workflows_processdefinition_add"))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:workflows_processdefinition_add"),
        {
            "procedure": birth.pk,
            "province": tree.province.pk,
            "agency": "",
            "name": "",
            "start": "template",
            "note": "",
        },
    )
    definition = ProcessDefinition.objects.get()
    assert response["Location"] == steps_url(definition)
    assert [s["kind"] for s in definition.document["steps"]] == [
        "receive",
        "process",
        "approve",
        "sign",
        "return",
    ]
    assert definition.agency is None and definition.name == birth.name


def test_create_as_a_copy_for_one_agency(client, catalog_admin, tree, draft):
    client.force_login(catalog_admin)
    response = client.post(
        reverse("admin:workflows_processdefinition_add"),
        {
            "procedure": draft.procedure.pk,
            "province": tree.province.pk,
            "agency": str(tree["commune"].pk),
            "start": str(draft.pk),
        },
    )
    assert response.status_code == 302
    copy = ProcessDefinition.objects.get(agency=tree["commune"])
    assert copy.document == draft.document and copy.number == 1


def test_export_downloads_json_that_imports_again(client, catalog_admin, tree, draft):
    client.force_login(catalog_admin)
    response = client.get(reverse("admin:workflows_definition_export", args=[draft.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["steps"][0]["key"] == "receive"

    upload = SimpleUploadedFile(
        "quy-trinh.json", json.dumps(definition_export(draft)).encode(), "application/json"
    )
    imported = client.post(
        reverse("admin:workflows_definition_import"),
        {
            "procedure": draft.procedure.pk,
            "province": tree.province.pk,
            "agency": str(tree["commune2"].pk),
            "file": upload,
        },
    )
    assert imported.status_code == 302
    copy = ProcessDefinition.objects.get(agency=tree["commune2"])
    assert imported["Location"] == detail_url(copy)
    assert [s["key"] for s in copy.document["steps"]] == [s["key"] for s in draft.document["steps"]]


def test_import_of_a_file_that_is_not_an_export_saves_nothing(client, catalog_admin, tree, draft):
    client.force_login(catalog_admin)
    upload = SimpleUploadedFile("x.json", b'{"hello": 1}', "application/json")
    response = client.post(
        reverse("admin:workflows_definition_import"),
        {"procedure": draft.procedure.pk, "province": tree.province.pk, "file": upload},
    )
    assert response.status_code == 200
    assert ProcessDefinition.objects.count() == 1


def test_the_list_does_not_query_per_row(
    client, catalog_admin, tree, draft, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.workflows.services import definition_create

    client.force_login(catalog_admin)
    url = reverse("admin:workflows_processdefinition_changelist")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for key in ("commune", "commune2", "dept"):
        definition_create(
            actor=catalog_admin,
            procedure=draft.procedure,
            province=tree.province,
            agency=tree[key],
            name=f"Quy trình {key}",
            document=draft.document,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Quy trình commune2" in client.get(url).content.decode()
