"""Signed electronic results (R28, services/results.py): the signing step refuses without a
draft result and changes nothing (service, API, page); with one, the leader's "Ký duyệt" signs
it (PAdES, verified by poppler's pdfsig and pyHanko's validator, naming the dossier) and stores
it as the applicant's result; return hands it over and the applicant, only them, downloads it."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from motcua.core.errors import Conflict, NotAllowed
from motcua.documents.constants import DocumentKind, OwnerKind, Source
from motcua.documents.models import Document
from motcua.documents.services import document_replace
from motcua.documents.tests import conftest as _documents
from motcua.dossiers.constants import EventKind, Status
from motcua.dossiers.lifecycle import Context, Op
from motcua.dossiers.process import current_step
from motcua.dossiers.services import dossier_act, dossier_return
from motcua.dossiers.services.events import opened
from motcua.dossiers.services.results import result_sign, result_store
from motcua.signing.models import SignedDocument
from motcua.signing.selectors import verify_pdf
from motcua.signing.tests import conftest as _signing
from motcua.signing.tests.conftest import pdfsig
from motcua.workflows.constants import DefinitionStatus

from .factories import (
    BirthWorkflowFactory,
    DossierFactory,
    citizen,
    draft_pdf,
    draft_result,
    step,
    steps_doc,
)

pytestmark = pytest.mark.django_db

# Fixtures shared with the documents and signing tests.
lan = _documents.lan
stranger = _documents.stranger
reloaded = _signing.reloaded
tsa = _signing.tsa
LAN = _documents.LAN


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def receive(w):
    return DossierFactory(
        actor=w["commune_officer"],
        procedure=w.birth,
        applicant=citizen(w.tree["osu"].commune_id),
        desk=w.tree["osu"],
        accept=True,
    )


def at_signing(w):
    """A dossier of the birth workflow, checked by the specialist: at the chair's "ky" step."""
    d = receive(w)
    d = dossier_act(
        actor=w["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    assert d.step_key == "ky"
    return d


def unchanged(d, version):
    d.refresh_from_db()
    assert (d.version, d.step_key, d.status) == (version, "ky", Status.PROCESSING)
    assert not Document.objects.filter(dossier=d, kind=DocumentKind.RESULT).exists()
    assert not SignedDocument.objects.filter(dossier_code=d.code).exists()


# Refusals without a draft -----------------------------------------------------------------------


def test_service_refuses_to_sign_without_a_draft_and_changes_nothing(world):
    d = at_signing(world)
    version, events = d.version, d.events.count()
    with pytest.raises(Conflict) as refused:
        dossier_act(
            actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
        )
    assert refused.value.code == "result_missing"
    assert "dự thảo kết quả" in refused.value.message
    unchanged(d, version)
    assert d.events.count() == events


def test_send_back_at_the_signing_step_needs_no_draft(world):
    d = at_signing(world)
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="return"
    )
    assert d.step_key == "tham-dinh"
    assert not SignedDocument.objects.exists()


def test_api_refuses_to_sign_without_a_draft_with_409(world):
    d = at_signing(world)
    response = client_for(world["commune_chair"]).post(
        f"/api/v1/dossiers/{d.pk}/act",
        json.dumps({"version": d.version, "action": "forward"}),
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "result_missing"
    unchanged(d, d.version)


def test_page_refuses_to_sign_without_a_draft_and_says_why(world):
    d = at_signing(world)
    client = client_for(world["commune_chair"])
    response = client.post(
        reverse("dossiers:action", args=[d.pk, "xu-ly"]),
        {"version": d.version, "action": "forward", "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "chưa có dự thảo kết quả" in response.content.decode()
    unchanged(d, d.version)


def test_page_shows_the_draft_upload_to_the_specialist_and_the_button_ky_duyet(world):
    d = at_signing(world)
    page = client_for(world["commune_specialist"]).get(reverse("dossiers:detail", args=[d.pk]))
    html = page.content.decode()
    assert 'name="kind" value="draft_result"' in html and "Chưa có dự thảo" in html
    draft_result(world["commune_specialist"], d)
    chair = client_for(world["commune_chair"]).get(reverse("dossiers:detail", args=[d.pk]))
    html = chair.content.decode()
    assert "du-thao-ket-qua.pdf" in html and "Ký duyệt" in html


# Signing ----------------------------------------------------------------------------------------


def test_signing_step_signs_the_draft_verifiably_and_stores_the_applicants_result(
    tsa, world, tmp_path
):
    d = at_signing(world)
    draft = draft_result(world["commune_specialist"], d)
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    assert d.status == Status.DONE and d.step_key == "tra"

    result = Document.objects.get(dossier=d, kind=DocumentKind.RESULT)
    assert (result.source, result.is_current, result.version) == (Source.GENERATED, True, 1)
    assert (result.owner_kind, result.owner_number) == (OwnerKind.PERSON, LAN)
    assert result.original_name == f"ket-qua-{d.code}.pdf"
    assert result.content_type == "application/pdf"
    with result_file(result) as f:
        signed = f.read()
    assert signed != draft_pdf() and len(signed) == result.size

    report = pdfsig(signed, tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    checked = verify_pdf(signed)
    assert checked.valid and checked.intact and checked.trusted
    assert checked.dossier_code == d.code and checked.registry_match == "exact"
    official, seal = checked.signatures
    assert official.timestamp_valid and seal.timestamp_valid  # B-T through the TSA
    record = SignedDocument.objects.get(dossier_code=d.code)
    assert (record.signer, record.agency, record.kind) == (
        world["commune_chair"],
        world.tree["commune"],
        "result",
    )
    assert draft.pk != result.pk

    # A byte changed: both verifiers fail.
    tampered = bytearray(signed)
    index = signed.index(b"/MediaBox")
    tampered[index + 2] ^= 0x01
    tampered = bytes(tampered)
    assert "Signature is Valid." not in pdfsig(tampered, tmp_path)
    assert not verify_pdf(tampered).valid


def result_file(document):
    from motcua.documents.storage import blob_open

    return blob_open(document.storage_name)


def test_a_draft_replaced_while_signing_leaves_nothing_half_done(world):
    d = at_signing(world)
    draft = draft_result(world["commune_specialist"], d)
    # The signature (outside the dossier's transaction), then the draft replaced meanwhile.
    signed = result_sign(
        actor=world["commune_chair"],
        dossier=d,
        expected_version=d.version,
        action="forward",
        now=d.received_at,
    )
    document_replace(
        actor=world["commune_specialist"], document=draft, content=draft_pdf(2), name="v2.pdf"
    )
    with pytest.raises(Conflict) as refused, transaction.atomic():
        locked, _rule = opened(Op.STEP, world["commune_chair"], d, d.version, Context())
        result_store(
            actor=world["commune_chair"],
            d=locked,
            step=current_step(locked),
            action="forward",
            signed=signed,
            now=d.received_at,
        )
    assert refused.value.code == "draft_changed"
    unchanged_but_signed = d
    unchanged_but_signed.refresh_from_db()
    assert unchanged_but_signed.step_key == "ky"
    assert not Document.objects.filter(dossier=d, kind=DocumentKind.RESULT).exists()
    # What was chosen: the registry row sign_pdf committed stays (the bytes are discarded).
    assert SignedDocument.objects.filter(dossier_code=d.code).count() == 1


def test_signing_again_after_a_send_back_makes_a_new_version_of_the_result(world):
    spec = steps_doc(
        step("xu-ly", "Thẩm định", "process", "specialist", 8, transitions=[("forward", "ky")]),
        step("ky", "Ký", "sign", "agency_leader", 4, transitions=[("forward", "duyet")]),
        step(
            "duyet",
            "Kiểm tra lại",
            "approve",
            "agency_leader",
            4,
            transitions=[("approve", "tra"), ("return", "xu-ly")],
        ),
        step(
            "tra",
            "Trả",
            "return",
            "receiving_officer",
            0,
            unit={"ref": "receiving_desk"},
            transitions=[("forward", None)],
        ),
    )
    world.birth_definition.status = DefinitionStatus.RETIRED
    world.birth_definition.save(update_fields=["status"])
    BirthWorkflowFactory(procedure=world.birth, document=spec, number=2)
    d = receive(world)
    chair, specialist = world["commune_chair"], world["commune_specialist"]
    draft_result(specialist, d)
    for _round in range(2):
        d = dossier_act(actor=specialist, dossier=d, expected_version=d.version, action="forward")
        d = dossier_act(actor=chair, dossier=d, expected_version=d.version, action="forward")
        if _round == 0:
            d = dossier_act(actor=chair, dossier=d, expected_version=d.version, action="return")
    results = Document.objects.filter(dossier=d, kind=DocumentKind.RESULT).order_by("version")
    assert [(r.version, r.is_current) for r in results] == [(1, False), (2, True)]
    assert results[1].replaces_id == results[0].pk


# Return and the applicant -----------------------------------------------------------------------


def signed_and_done(w):
    d = at_signing(w)
    draft_result(w["commune_specialist"], d)
    return dossier_act(
        actor=w["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )


def test_return_hands_over_the_signed_result_to_the_applicant_only(world, lan, stranger):
    d = signed_and_done(world)
    result = Document.objects.get(dossier=d, kind=DocumentKind.RESULT)
    url = f"/api/v1/me/dossiers/{d.code}/result"
    assert client_for(lan).get(url).status_code == 404  # not returned yet
    d = dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    event = d.events.get(kind=EventKind.RETURN_RESULT)
    assert event.data["result"] == {"document": result.pk, "sha256": result.sha256}

    response = client_for(lan).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == result_file(result).read()
    detail = client_for(lan).get(f"/api/v1/me/dossiers/{d.code}").json()
    assert detail["result"]["document_id"] == result.pk
    page = client_for(lan).get(reverse("citizens:my_dossier", args=[d.code]))
    assert reverse("documents:download", args=[result.pk]) in page.content.decode()
    assert client_for(lan).get(reverse("documents:download", args=[result.pk])).status_code == 200

    assert client_for(stranger).get(url).status_code == 404
    assert client_for(stranger).get(f"/api/v1/me/dossiers/{d.code}").status_code == 404
    stolen = client_for(stranger).get(reverse("documents:download", args=[result.pk]))
    assert stolen.status_code == 404


def test_return_refused_without_a_signed_result_when_the_workflow_signs(world):
    # The signing step on the refusal branch only: a granted dossier reaches return unsigned.
    spec = steps_doc(
        step(
            "xu-ly",
            "Thẩm định",
            "process",
            "specialist",
            8,
            transitions=[("forward", "tra"), ("refuse", "ky")],
        ),
        step("ky", "Ký", "sign", "agency_leader", 4, transitions=[("forward", "tra")]),
        step(
            "tra",
            "Trả",
            "return",
            "receiving_officer",
            0,
            unit={"ref": "receiving_desk"},
            transitions=[("forward", None)],
        ),
    )
    world.birth_definition.status = DefinitionStatus.RETIRED
    world.birth_definition.save(update_fields=["status"])
    BirthWorkflowFactory(procedure=world.birth, document=spec, number=2)
    d = receive(world)
    d = dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    assert d.status == Status.DONE
    version = d.version
    with pytest.raises(Conflict) as refused:
        dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    assert refused.value.code == "result_missing"
    d.refresh_from_db()
    assert (d.status, d.version) == (Status.DONE, version)


def test_default_process_signs_and_returns_without_a_file_as_before(world, settings):
    settings.DOSSIER_DEFAULT_PROCESS = True
    world.birth_definition.status = DefinitionStatus.RETIRED
    world.birth_definition.save(update_fields=["status"])
    d = receive(world)
    assert d.definition_id is None
    chair = world["commune_chair"]
    d = dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    d = dossier_act(actor=chair, dossier=d, expected_version=d.version, action="forward")
    d = dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    assert d.status == Status.RETURNED
    assert not Document.objects.filter(dossier=d).exists()
    assert not SignedDocument.objects.exists()


def test_the_signing_completion_records_the_result_it_issued(world):
    d = at_signing(world)
    draft_result(world["commune_specialist"], d)
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    result = Document.objects.get(dossier=d, kind=DocumentKind.RESULT)
    completion = d.events.get(from_step="ky", action="forward")
    assert completion.data["result"] == {"document": result.pk, "sha256": result.sha256}


def test_default_process_signs_the_draft_when_one_was_uploaded(world, settings, lan, tmp_path):
    settings.DOSSIER_DEFAULT_PROCESS = True
    world.birth_definition.status = DefinitionStatus.RETIRED
    world.birth_definition.save(update_fields=["status"])
    d = receive(world)
    assert d.definition_id is None
    d = dossier_act(
        actor=world["commune_specialist"], dossier=d, expected_version=d.version, action="forward"
    )
    assert current_step(d).kind == "sign"
    page = client_for(world["commune_specialist"]).get(reverse("dossiers:detail", args=[d.pk]))
    assert 'id="du-thao-ket-qua"' in page.content.decode()  # the optional draft is offered
    draft_result(world["commune_specialist"], d)
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    result = Document.objects.get(dossier=d, kind=DocumentKind.RESULT)
    assert (result.owner_kind, result.owner_number) == (OwnerKind.PERSON, LAN)
    with result_file(result) as f:
        assert pdfsig(f.read(), tmp_path).count("Signature is Valid.") == 2
    d = dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    assert d.events.get(kind=EventKind.RETURN_RESULT).data["result"]["document"] == result.pk
    assert client_for(lan).get(f"/api/v1/me/dossiers/{d.code}/result").status_code == 200


def test_a_dossier_signed_before_signed_results_existed_still_returns(world):
    """A dossier whose signing step was completed by the code before R28 (no draft, no file,
    nothing recorded of a result) waits at the return desk: it returns, with its paper result,
    instead of being refused for ever."""
    from django.utils import timezone

    from motcua.dossiers.services.events import Transition
    from motcua.dossiers.services.steps import advance

    d = at_signing(world)
    chair = world["commune_chair"]
    now = timezone.now()
    with transaction.atomic():  # what dossier_act did before signed results
        locked, rule = opened(Op.STEP, chair, d, d.version, Context(now=now))
        t = Transition(rule, locked, chair, now)
        advance(t, current_step(locked), "forward", note="")
        d = t.commit(d.version)
    assert d.status == Status.DONE
    assert not Document.objects.filter(dossier=d, kind=DocumentKind.RESULT).exists()
    d = dossier_return(actor=world["commune_officer"], dossier=d, expected_version=d.version)
    assert d.status == Status.RETURNED
    assert "result" not in d.events.get(kind=EventKind.RETURN_RESULT).data


# A draft made from the template ------------------------------------------------------------------


TEXT = (
    "Đăng ký khai sinh cho cháu Nguyễn Minh An, sinh ngày 01/03/2026.\n"
    "Cấp 01 bản chính Giấy khai sinh."
)


def test_a_draft_made_from_the_template_is_laid_out_signed_and_returned(world, tmp_path):
    from motcua.dossiers.services.results import result_draft_generate
    from motcua.printing.pdf import text_of_pdf

    d = at_signing(world)
    specialist = client_for(world["commune_specialist"])
    page = specialist.get(reverse("dossiers:detail", args=[d.pk])).content.decode()
    assert reverse("dossiers:result_draft", args=[d.pk]) in page
    response = specialist.post(
        reverse("dossiers:result_draft", args=[d.pk]), {"title": "", "text": TEXT}
    )
    assert response.status_code == 302
    draft = Document.objects.get(dossier=d, kind=DocumentKind.DRAFT_RESULT, is_current=True)
    with result_file(draft) as f:
        text = text_of_pdf(f.read())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and d.code in text
    assert "Nguyễn Minh An" in text and "Cấp 01 bản chính Giấy khai sinh." in text

    # Made again through the API: a new version of the draft, which the chair signs.
    api = specialist.post(
        "/api/v1/documents/result-draft",
        json.dumps({"dossier_id": d.pk, "title": "Giấy khai sinh", "text": TEXT}),
        "application/json",
    )
    assert api.status_code == 201, api.content
    again = Document.objects.get(pk=api.json()["id"])
    assert (again.version, again.is_current) == (2, True)
    with result_file(again) as f:
        assert "GIẤY KHAI SINH" in text_of_pdf(f.read())
    d = dossier_act(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, action="forward"
    )
    result = Document.objects.get(dossier=d, kind=DocumentKind.RESULT)
    with result_file(result) as f:
        assert pdfsig(f.read(), tmp_path).count("Signature is Valid.") == 2

    # Nobody else, and not without an actor.
    with pytest.raises(NotAllowed):
        result_draft_generate(actor=None, dossier=d, text=TEXT)


def test_a_template_draft_without_text_or_from_a_stranger_stores_nothing(world, stranger):
    d = at_signing(world)
    specialist = client_for(world["commune_specialist"])
    empty = specialist.post(
        "/api/v1/documents/result-draft",
        json.dumps({"dossier_id": d.pk, "text": "   "}),
        "application/json",
    )
    assert empty.status_code == 422 and empty.json()["errors"].keys() == {"text"}
    page = specialist.post(reverse("dossiers:result_draft", args=[d.pk]), {"text": ""})
    assert page.status_code == 302
    outsider = client_for(stranger).post(
        "/api/v1/documents/result-draft",
        json.dumps({"dossier_id": d.pk, "text": TEXT}),
        "application/json",
    )
    assert outsider.status_code in (403, 404)
    assert not Document.objects.filter(dossier=d, kind=DocumentKind.DRAFT_RESULT).exists()
