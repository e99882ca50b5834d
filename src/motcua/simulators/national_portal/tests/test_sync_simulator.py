"""The dossier-sync simulator: its fault switch is closed without the token, nothing answers when
simulators are off, and the adapter's look-up reads what the simulator stored."""

from __future__ import annotations

import pytest

from motcua.adapters.national_portal.catalog import NationalPortalError
from motcua.adapters.national_portal.sync import sync_client_from_settings
from motcua.outbox.tests import conftest as _outbox
from motcua.simulators.national_portal import sync as sim

pytestmark = pytest.mark.django_db(transaction=True)

portal = _outbox.portal
FAULTS = "/sim/dvcqg/_faults"


def test_the_fault_switch_needs_the_token(client, settings):
    settings.SIMULATOR_CONTROL_TOKEN = ""
    assert client.post(FAULTS, {}, content_type="application/json").status_code == 403
    settings.SIMULATOR_CONTROL_TOKEN = "right"
    wrong = client.post(
        FAULTS, {"outage_seconds": 60}, content_type="application/json", HTTP_X_SIM_TOKEN="x"
    )
    assert wrong.status_code == 403
    assert sim.outage_until() is None
    unknown = client.post(
        FAULTS, {"explode": True}, content_type="application/json", HTTP_X_SIM_TOKEN="right"
    )
    assert unknown.status_code == 400
    ok = client.post(
        FAULTS, {"outage_seconds": 60}, content_type="application/json", HTTP_X_SIM_TOKEN="right"
    )
    assert ok.status_code == 200 and ok.json()["faults"]["outage_seconds_left"] > 59
    sim.faults_set({})


def test_nothing_answers_when_simulators_are_off(client, settings):
    settings.SIMULATORS_ENABLED = False
    settings.SIMULATOR_CONTROL_TOKEN = "right"
    for path in ("lgsp/auth", "lgsp/service", "KetNoiMotCuaQuocGia/ThemMoiHoSo", "_faults"):
        response = client.post(
            f"/sim/dvcqg/{path}", {}, content_type="application/json", HTTP_X_SIM_TOKEN="right"
        )
        assert response.status_code == 404, path


def test_the_look_up_answers_from_what_was_synced(portal):
    code = "000.01.31.H20-260302-0001"
    dossier = _outbox.payload(code, "2")["dossier"]
    with sync_client_from_settings() as client:
        assert client.dossier_lookup(code) == []
        client.dossiers_sync([dossier], updating=False)
        client.dossiers_sync([dossier], updating=False)  # "đã tồn tại" → sent as an update
        (held,) = client.dossier_lookup(code)
        assert held["TrangThaiHoSo"] == "2"
        with pytest.raises(NationalPortalError) as refused:
            client.progress_sync([{"MaHoSo": code, "TrangThai": "42"}])
        assert refused.value.permanent
