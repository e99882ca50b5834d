"""The national portal's sync simulator over real HTTP (live_server), and outbox events shaped
as the dossier engine writes them (dossiers/services/events.py)."""

from __future__ import annotations

import httpx
import pytest
from django.db import transaction

from motcua.adapters.national_portal import sync as adapter
from motcua.outbox.models import OutboxEvent
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.simulators.national_portal import sync as sim
from motcua.simulators.national_portal.models import SimProgress

TOKEN = "test-sim-token"


@pytest.fixture
def portal(live_server, settings):
    """The dispatcher pointed at the simulator; fast retries; the fault switch off."""
    base = live_server.url + "/sim/dvcqg"
    settings.NATIONAL_PORTAL_SYNC_URL = base + "/lgsp"
    settings.NATIONAL_PORTAL_B_CREATE_URL = base + "/KetNoiMotCuaQuocGia/ThemMoiHoSo"
    settings.NATIONAL_PORTAL_B_UPDATE_URL = base + "/KetNoiMotCuaQuocGia/CapNhatHoSo"
    settings.NATIONAL_PORTAL_B_PROGRESS_URL = base + "/KetNoiMotCuaQuocGia/DongBoTienTrinh"
    settings.NATIONAL_PORTAL_B_STATUS_URL = base + "/KetNoiMotCuaQuocGia/DongBoTrangThaiHoSoKM"
    settings.NATIONAL_PORTAL_SYNC_TIMEOUT = 5.0
    settings.SIMULATOR_CONTROL_TOKEN = TOKEN
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 0.05
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 0.2
    settings.OUTBOX_MAX_ATTEMPTS = 100
    settings.OUTBOX_KICK_ON_COMMIT = False
    sim.faults_set({})
    sim.sessions_expire_all()
    adapter.sessions_forget()
    yield base
    sim.faults_set({})


def faults(base: str, **config) -> dict:
    """Flip the simulator's fault switch over HTTP, as an operator or a test harness does."""
    response = httpx.post(f"{base}/_faults", json=config, headers={"X-Sim-Token": TOKEN})
    assert response.status_code == 200, response.text
    return response.json()["faults"]


STATUS_TEXT = {"1": "Mới đăng ký", "2": "Được tiếp nhận", "4": "Đang xử lý", "9": "Xong"}


def payload(code: str, status: str, *, procedure: str = "1.001193", external: str = "") -> dict:
    """An event's payload as write_events builds it (a trimmed §1.2 object, a §1.3 row)."""
    return {
        "event": "step",
        "status_changed": True,
        "dossier": {
            "MaHoSo": code,
            "MaHoSoKhac": external,
            "MaTTHC": procedure,
            "TenTTHC": "Thủ tục đăng ký khai sinh",
            "KenhThucHien": "1",
            "ChuHoSo": "Nguyễn Văn An",
            "LoaiDoiTuong": "1",
            "NgayTiepNhan": "20260302090000",
            "NgayHenTra": "20260305090000",
            "TrangThaiHoSo": status,
            "DonViXuLy": "UBND xã",
        },
        "progress": {
            "MaHoSo": code,
            "NguoiXuLy": "Chuyên viên",
            "ThoiDiemXuLy": "20260302090000",
            "NoiDungXuLy": STATUS_TEXT.get(status, "Xử lý"),
            "TrangThai": status,
        },
    }


def add_events(code: str, statuses: list[str], *, start: int = 1, **kw) -> list[OutboxEvent]:
    """The events of one dossier, `statuses` in order, committed (as one transition would)."""
    with transaction.atomic():
        return outbox_add_many(
            [
                OutboxItem(
                    destination="dvcqg",
                    kind="dossier.progress",
                    aggregate_type="dossier",
                    aggregate_id=code,
                    aggregate_seq=seq,
                    payload=payload(code, status, **kw),
                )
                for seq, status in enumerate(statuses, start=start)
            ]
        )


def received(code: str) -> list[tuple[int, str]]:
    """(seq, status) of the rows the portal applied for a dossier, in the order it applied them."""
    return [
        (int(row.key.rsplit(":", 1)[1]), row.status)
        for row in SimProgress.objects.filter(code=code).order_by("id")
    ]
