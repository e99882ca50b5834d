"""A component the catalog marks as held in a national database is satisfied by looking the
applicant up over real HTTP in the population database's simulator: a generated PDF extract
becomes its paper (source national_database), the officer sees where it came from; a register
that does not answer stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.core.models import AuditEntry
from motcua.documents.constants import Source
from motcua.documents.models import Document
from motcua.documents.selectors import document_open
from motcua.people.models import RegisterLookup
from motcua.people.tests import conftest as _people
from motcua.portal.tests.dom import Page

from .conftest import receive

pytestmark = pytest.mark.django_db(transaction=True)
# The registers' simulators on live_server, and the territory reloaded (transactional tests).
registers = _people.registers
reloaded = _people.reloaded
faults = _people.faults
BIRTH_NOTICE = "Giấy chứng sinh"  # marked national_database in the test catalog


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_look_up_marks_the_component_from_the_population_database(reloaded, world, registers):
    d = receive(world)
    officer = client_for(world["commune_officer"])
    page = Page(officer.get(f"/ho-so/{d.pk}/"))
    (form,) = page.select("form.paper-national")

    response = officer.post(form.attrs["action"])

    assert response.status_code == 302
    paper = Document.objects.get(dossier=d)
    assert paper.component.name == BIRTH_NOTICE
    assert (paper.source, paper.national_reference) == (
        Source.NATIONAL_DATABASE,
        "population_db:087190001234",
    )
    assert paper.content_type == "application/pdf" and paper.page_count == 1
    assert paper.digitized and paper.issuer
    text = PdfReader(document_open(user=world["commune_officer"], document=paper).file)
    extract = text.pages[0].extract_text()
    assert "087190001234" in extract and "Lan" in extract and d.code in extract
    assert RegisterLookup.objects.get().outcome == "found"
    assert AuditEntry.objects.filter(
        action="document.national_database", object_id=str(paper.pk)
    ).exists()
    detail = officer.get(f"/ho-so/{d.pk}/").content.decode()
    assert "Từ CSDL quốc gia về dân cư" in detail


def test_nothing_is_stored_while_the_population_database_is_down(reloaded, world, registers):
    d = receive(world)
    faults(registers + "/dancu", outage_seconds=60)
    officer = client_for(world["commune_officer"])
    body = {"dossier_id": d.pk, "component_id": d.components.get(name=BIRTH_NOTICE).pk}

    response = officer.post(
        "/api/v1/documents/national-lookup", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "register_unavailable"
    assert not Document.objects.filter(dossier=d).exists()


def test_the_api_looks_up_and_refuses_an_official_who_does_not_receive(reloaded, world, registers):
    d = receive(world)
    body = {"dossier_id": d.pk, "component_id": d.components.get(name=BIRTH_NOTICE).pk}

    def post(user):
        return client_for(user).post(
            "/api/v1/documents/national-lookup", json.dumps(body), content_type="application/json"
        )

    assert post(world["commune_specialist"]).status_code in (403, 404)
    assert not Document.objects.filter(dossier=d).exists()
    done = post(world["commune_officer"])
    assert done.status_code == 201, done.content
    assert done.json()["source"] == "national_database"
