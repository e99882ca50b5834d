"""The reception form's "look up" button (no JavaScript: a submit that re-renders the form
prefilled), the dossier it then registers marked verified, and the API endpoint."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_pages import reception_post
from motcua.people.models import RegisterLookup
from motcua.portal.tests.dom import Page

from .conftest import faults

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def value(page: Page, name: str) -> str:
    (field,) = page.select(f"[name={name}]")
    return field.attrs.get("value", "")


def test_look_up_prefills_the_applicant_and_the_dossier_is_verified(reloaded, world, registers):
    officer = client_for(world["commune_officer"])
    typed = reception_post(
        world, applicant_name="", applicant_address="", applicant_id_number="087190001234"
    )

    response = officer.post("/ho-so/tiep-nhan/", {**typed, "lookup": "1"})

    assert response.status_code == 200
    page = Page(response)
    assert value(page, "applicant_name") == "Nguyễn Thị Lan"
    assert value(page, "applicant_address") == "Số 12 đường Ấp Bắc, khu phố 3"
    assert value(page, "applicant_email") == "lan.nguyen@example.vn"
    (selected,) = page.select("[name=applicant_commune] option[selected]")
    assert selected.attrs["value"] == "28261"
    assert page.select("#lookup-result.found")
    # What the official typed elsewhere stays; nothing is registered yet.
    assert value(page, "applicant_phone") == "0905123456"
    assert not Dossier.objects.exists()

    saved = officer.post(
        "/ho-so/tiep-nhan/",
        {**typed, "applicant_name": "Nguyễn Thị Lan", "applicant_commune": "28261"},
    )

    assert saved.status_code == 302
    d = Dossier.objects.get()
    assert d.applicant_verified_by == "population_db"
    detail = officer.get(f"/ho-so/{d.pk}/").content.decode()
    assert "dân cư" in detail or "population database" in detail


def test_a_name_other_than_the_registers_is_not_verified(reloaded, world, registers):
    officer = client_for(world["commune_officer"])
    data = reception_post(world, applicant_id_number="087190001234")
    officer.post("/ho-so/tiep-nhan/", {**data, "lookup": "1"})

    saved = officer.post("/ho-so/tiep-nhan/", {**data, "applicant_name": "Nguyễn Văn Khác"})

    assert saved.status_code == 302
    assert Dossier.objects.get().applicant_verified_by == ""


def test_typed_by_hand_without_a_look_up_is_not_verified(reloaded, world, registers):
    saved = client_for(world["commune_officer"]).post("/ho-so/tiep-nhan/", reception_post(world))
    assert saved.status_code == 302
    assert Dossier.objects.get().applicant_verified_by == ""


def test_the_desk_works_while_the_population_database_is_down(reloaded, world, registers):
    faults(registers + "/dancu", outage_seconds=60)
    officer = client_for(world["commune_officer"])
    data = reception_post(world, applicant_id_number="087190001234")

    response = officer.post("/ho-so/tiep-nhan/", {**data, "lookup": "1"})

    assert response.status_code == 200
    page = Page(response)
    assert page.select("#lookup-result.unavailable")
    assert value(page, "applicant_name") == "Võ Thị Sáu"  # as typed
    saved = officer.post("/ho-so/tiep-nhan/", data)
    assert saved.status_code == 302
    assert Dossier.objects.get().applicant_verified_by == ""
    assert RegisterLookup.objects.get().outcome == "unavailable"


def test_an_enterprise_is_looked_up_in_the_business_register(reloaded, world, registers):
    officer = client_for(world["commune_officer"])
    data = reception_post(
        world, applicant_kind="organization", applicant_name="", applicant_id_number="1402345678"
    )

    page = Page(officer.post("/ho-so/tiep-nhan/", {**data, "lookup": "1"}))

    assert value(page, "applicant_name") == "Công ty TNHH Thương mại Sen Hồng"
    saved = officer.post(
        "/ho-so/tiep-nhan/", {**data, "applicant_name": "Công ty TNHH Thương mại Sen Hồng"}
    )
    assert saved.status_code == 302
    assert Dossier.objects.get().applicant_verified_by == "business_registry"


def test_api_looks_up_a_citizen(reloaded, world, registers):
    officer = client_for(world["commune_officer"])

    response = officer.post(
        "/api/v1/registers/citizens/lookup",
        json.dumps({"id_number": "087085004321"}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["source"], body["outcome"], body["name"], body["commune_code"]) == (
        "population_db",
        "found",
        "Trần Văn Hùng",
        29869,
    )
    assert RegisterLookup.objects.get().purpose == "api"
    refused = client_for(world["commune_specialist"]).post(
        "/api/v1/registers/citizens/lookup",
        json.dumps({"id_number": "087085004321"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    bad = officer.post(
        "/api/v1/registers/citizens/lookup",
        json.dumps({"id_number": "abc"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "id_number" in bad.json()["errors"]
    assert RegisterLookup.objects.count() == 1
