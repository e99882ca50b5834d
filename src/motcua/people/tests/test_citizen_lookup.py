"""citizen_lookup and business_lookup against their simulators over real HTTP: found, not
found, the register down (the desk carries on), who may ask, and the record of every look-up."""

from __future__ import annotations

import time

import pytest

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.people.models import Outcome, RegisterLookup
from motcua.people.services import business_lookup, citizen_lookup
from motcua.simulators.population.models import SimLookup

from .conftest import faults

pytestmark = pytest.mark.django_db(transaction=True)


def test_finds_a_citizen_and_records_who_asked(reloaded, world, registers):
    officer = world["commune_officer"]

    result = citizen_lookup(actor=officer, id_number="087190001234", procedure_code="1.001193")

    assert result.outcome == Outcome.FOUND
    assert result.name == "Nguyễn Thị Lan"
    assert result.commune_code == 28261
    assert result.address == "Số 12 đường Ấp Bắc, khu phố 3"
    assert result.email == "lan.nguyen@example.vn"
    assert result.detail == {"gender": "2", "birth_date": "19900314"}
    row = RegisterLookup.objects.get()
    assert (row.actor, row.agency_id, row.number, row.outcome, row.procedure_code) == (
        officer,
        officer.agency_id,
        "087190001234",
        "found",
        "1.001193",
    )
    entry = AuditEntry.objects.get(action="people.population_db.lookup")
    assert entry.actor == officer and entry.agency_id == officer.agency_id
    assert entry.after == {
        "number": "087190001234",
        "purpose": "reception",
        "procedure": "1.001193",
        "outcome": "found",
    }
    logged = SimLookup.objects.get()  # the register logs it too (§6)
    assert (logged.officer, logged.procedure_code, logged.id_number, logged.found) == (
        officer.username,
        "1.001193",
        "087190001234",
        True,
    )


def test_an_old_nine_digit_card_finds_the_citizen(reloaded, world, registers):
    result = citizen_lookup(actor=world["commune_officer"], id_number="341234567")
    assert result.found and result.number == "087190001234"


def test_a_number_nobody_holds_is_not_found(reloaded, world, registers):
    result = citizen_lookup(actor=world["commune_officer"], id_number="087199999999")

    assert result.outcome == Outcome.NOT_FOUND and result.name == ""
    assert "087199999999" in result.message
    assert RegisterLookup.objects.get().outcome == "not_found"
    assert AuditEntry.objects.filter(action="people.population_db.lookup").count() == 1


@pytest.mark.parametrize("fault", [{"outage_seconds": 30}, {"error": "500"}])
def test_a_register_down_answers_unavailable_and_is_recorded(reloaded, world, registers, fault):
    faults(registers + "/dancu", **fault)

    result = citizen_lookup(actor=world["commune_officer"], id_number="087190001234")

    assert result.outcome == Outcome.UNAVAILABLE
    assert "does not answer" in result.message or "không phản hồi" in result.message
    assert RegisterLookup.objects.get().outcome == "unavailable"
    assert not SimLookup.objects.exists()


def test_a_register_that_times_out_answers_unavailable(reloaded, world, registers, settings):
    settings.POPULATION_DB_TIMEOUT = 0.3
    faults(registers + "/dancu", timeout=1)

    result = citizen_lookup(actor=world["commune_officer"], id_number="087190001234")

    assert result.outcome == Outcome.UNAVAILABLE
    # The simulator still answers the abandoned call a moment later: let it finish inside
    # this test, so its log row does not outlive it.
    time.sleep(1.2)


def test_a_wrong_credential_is_unavailable_not_a_crash(reloaded, world, registers, settings):
    settings.POPULATION_DB_TOKEN = "wrong"
    result = citizen_lookup(actor=world["commune_officer"], id_number="087190001234")
    assert result.outcome == Outcome.UNAVAILABLE
    assert "wrong" not in result.message


def test_only_officials_who_receive_dossiers_may_look_up(reloaded, world, registers):
    with pytest.raises(NotAllowed):
        citizen_lookup(actor=world["commune_specialist"], id_number="087190001234")
    assert not RegisterLookup.objects.exists() and not SimLookup.objects.exists()


@pytest.mark.parametrize("number", ["", "12345", "08719000123A", "0871900012345"])
def test_a_malformed_number_is_refused_before_asking(reloaded, world, registers, number):
    with pytest.raises(InvalidInput) as caught:
        citizen_lookup(actor=world["commune_officer"], id_number=number)
    assert "id_number" in caught.value.errors
    assert not RegisterLookup.objects.exists() and not SimLookup.objects.exists()


def test_business_lookup_finds_an_enterprise_by_tax_code(reloaded, world, registers):
    result = business_lookup(actor=world["commune_officer"], tax_code="1402345678")

    assert result.found and result.name == "Công ty TNHH Thương mại Sen Hồng"
    assert result.commune_code == 29869
    assert result.detail["status"] == "Đang hoạt động"
    row = RegisterLookup.objects.get()
    assert (row.register, row.outcome) == ("business_registry", "found")
    assert AuditEntry.objects.filter(action="people.business_registry.lookup").count() == 1


def test_business_lookup_not_found_and_down(reloaded, world, registers):
    officer = world["commune_officer"]
    assert business_lookup(actor=officer, tax_code="0000000000").outcome == "not_found"
    faults(registers + "/dkkd", outage_seconds=30)
    assert business_lookup(actor=officer, tax_code="1402345678").outcome == "unavailable"
    with pytest.raises(InvalidInput):
        business_lookup(actor=officer, tax_code="14023")
    assert RegisterLookup.objects.count() == 2
