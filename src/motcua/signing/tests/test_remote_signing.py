"""SIGNING_MODE=remote: sign_pdf through the remote signing service's simulator over real HTTP
(/sim/ky-so/), each signature waiting for the signer's confirmation; the signed PDF verifies as
in the local modes; declined, expired, unreachable or refused: nothing recorded."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from motcua.core.models import AuditEntry
from motcua.signing import pki
from motcua.signing.constants import SignedKind
from motcua.signing.models import SignedDocument
from motcua.signing.selectors import verify_pdf
from motcua.signing.services import (
    SigningFailed,
    SigningNotConfigured,
    SigningRefused,
    SigningUnavailable,
    sign_pdf,
)
from motcua.simulators.remote_signing import views as sim

from .conftest import pdfsig

CODE = "000.00.02.H20-261207-0002"


@pytest.fixture
def remote(tsa, settings):
    """Remote mode against the simulator on live_server; the signer confirms on the page."""
    settings.SIGNING_MODE = pki.REMOTE
    settings.SIGNING_REMOTE_URL = tsa + "/sim/ky-so"
    settings.SIGNING_REMOTE_CLIENT_ID = settings.SIM_REMOTE_SIGNING_CLIENT_ID = "motcua"
    settings.SIGNING_REMOTE_SECRET = settings.SIM_REMOTE_SIGNING_SECRET = "test-ky-so"
    settings.SIGNING_REMOTE_TIMEOUT = 20
    settings.SIGNING_REMOTE_POLL_SECONDS = 0.05
    settings.SIM_REMOTE_SIGNING_AUTO_CONFIRM = False
    settings.SIM_REMOTE_SIGNING_EXPIRES_SECONDS = 300
    sim.reset()
    sim.switch.set({})
    yield tsa
    sim.switch.set({})
    sim.reset()


def _sign(leader, agency, pdf):
    return sign_pdf(
        actor=leader,
        pdf=pdf,
        agency=agency,
        signer=leader,
        reason="Ký duyệt kết quả giải quyết TTHC",
        dossier_code=CODE,
        kind=SignedKind.RESULT,
    )


class Signer(threading.Thread):
    """The signer with their phone: answers each sign request as it appears, on the
    simulator's confirmation page over HTTP, after checking it is still pending."""

    def __init__(self, base: str, answers: list[str], wait: float = 0.3):
        super().__init__(daemon=True)
        self.base, self.answers, self.wait = base, list(answers), wait
        self.seen_pending: list[bool] = []
        self.signing_returned_early = False
        self.done = threading.Event()

    def run(self) -> None:
        answered: set[str] = set()
        deadline = time.monotonic() + 30
        while self.answers and time.monotonic() < deadline:
            fresh = [t for t in sim.transactions() if t.id not in answered]
            if not fresh:
                time.sleep(0.02)
                continue
            transaction = fresh[0]
            time.sleep(self.wait)  # the signer takes a moment; the request must keep waiting
            self.signing_returned_early |= self.done.is_set()
            page = httpx.get(f"{self.base}/sim/ky-so/xac-nhan/{transaction.id}/")
            self.seen_pending.append("Chờ xác nhận" in page.text and "Xác nhận ký" in page.text)
            httpx.post(
                f"{self.base}/sim/ky-so/xac-nhan/{transaction.id}/",
                data={"quyet_dinh": self.answers.pop(0)},
            )
            answered.add(transaction.id)


def _nothing_recorded(before: int) -> None:
    assert not SignedDocument.objects.exists()
    assert AuditEntry.objects.count() == before


def test_remote_signature_waits_for_the_signer_and_verifies_like_a_local_one(
    remote, tree, leader, result_pdf, tmp_path
):
    signer = Signer(remote, ["xac_nhan", "xac_nhan"])
    signer.start()
    signed = _sign(leader, tree["dept"], result_pdf)
    signer.done.set()
    signer.join(5)

    # Both signatures (the official's, then the seal) waited, pending, for a confirmation.
    assert signer.seen_pending == [True, True]
    assert not signer.signing_returned_early
    assert [t.status for t in sim.transactions()] == ["SIGNED", "SIGNED"]

    report = pdfsig(signed, tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    assert "Signer Certificate Common Name: Nguyễn Văn Bình" in report
    assert "UID=000.00.02.H20" in report
    result = verify_pdf(signed)
    assert result.valid and result.intact and result.trusted
    official, seal = result.signatures
    assert official.timestamp_valid and seal.timestamp_valid  # B-T as in the local modes
    # The keys are the service's (the simulator's: the local test PKI's).
    assert official.serial == pki.local_official(leader).serial_hex
    assert seal.serial == pki.local_agency(tree["dept"]).serial_hex

    record = SignedDocument.objects.get()
    assert record.mode == "remote"
    assert (record.signer_serial, record.seal_serial) == (official.serial, seal.serial)
    assert AuditEntry.objects.filter(action="signing.sign", object_id=str(record.pk)).exists()


def test_auto_confirming_simulator_signs_without_a_signer(
    remote, settings, tree, leader, result_pdf
):
    settings.SIM_REMOTE_SIGNING_AUTO_CONFIRM = True
    signed = _sign(leader, tree["dept"], result_pdf)
    assert verify_pdf(signed).valid
    assert SignedDocument.objects.get().mode == "remote"


def test_declined_signature_refuses_signing_and_records_nothing(remote, tree, leader, result_pdf):
    before = AuditEntry.objects.count()
    signer = Signer(remote, ["tu_choi"], wait=0)
    signer.start()
    with pytest.raises(SigningRefused) as refused:
        _sign(leader, tree["dept"], result_pdf)
    signer.join(5)
    assert refused.value.code == "signature_declined"
    assert refused.value.message == "Người ký đã từ chối ký trên thiết bị của mình."
    assert [t.status for t in sim.transactions()] == ["DECLINED"]  # the seal was never asked
    _nothing_recorded(before)


def test_unconfirmed_signature_expires_at_our_timeout_and_records_nothing(
    remote, settings, tree, leader, result_pdf
):
    settings.SIGNING_REMOTE_TIMEOUT = 0.5
    before = AuditEntry.objects.count()
    started = time.monotonic()
    with pytest.raises(SigningRefused) as refused:
        _sign(leader, tree["dept"], result_pdf)
    assert refused.value.code == "signature_expired"
    assert 0.5 <= time.monotonic() - started < 10
    _nothing_recorded(before)


def test_signature_expired_at_the_service_refuses_signing(
    remote, settings, tree, leader, result_pdf
):
    settings.SIM_REMOTE_SIGNING_EXPIRES_SECONDS = 0
    before = AuditEntry.objects.count()
    with pytest.raises(SigningRefused) as refused:
        _sign(leader, tree["dept"], result_pdf)
    assert refused.value.code == "signature_expired"
    assert [t.status for t in sim.transactions()] == ["EXPIRED"]
    # Too late to confirm on the device.
    answer = httpx.post(
        f"{remote}/sim/ky-so/xac-nhan/{sim.transactions()[0].id}/", data={"quyet_dinh": "xac_nhan"}
    )
    assert "hết hạn" in answer.text
    _nothing_recorded(before)


def test_service_down_is_a_retryable_503_and_records_nothing(remote, tree, leader, result_pdf):
    sim.switch.set({"outage_seconds": 60})
    before = AuditEntry.objects.count()
    with pytest.raises(SigningUnavailable) as unavailable:
        _sign(leader, tree["dept"], result_pdf)
    assert unavailable.value.status == 503
    assert "dịch vụ ký số" in unavailable.value.message
    _nothing_recorded(before)


def test_service_going_down_while_waiting_is_retryable_and_records_nothing(
    remote, tree, leader, result_pdf
):
    pending = threading.Event()

    def outage_once_asked() -> None:
        deadline = time.monotonic() + 30
        while not sim.transactions() and time.monotonic() < deadline:
            time.sleep(0.02)
        sim.switch.set({"outage_seconds": 60})  # the service fails while we poll
        pending.set()

    thread = threading.Thread(target=outage_once_asked, daemon=True)
    thread.start()
    before = AuditEntry.objects.count()
    with pytest.raises(SigningUnavailable):
        _sign(leader, tree["dept"], result_pdf)
    thread.join(5)
    assert pending.is_set()
    assert [t.status for t in sim.transactions()] == ["PENDING"]
    _nothing_recorded(before)


def test_wrong_secret_is_a_permanent_failure_and_records_nothing(
    remote, settings, tree, leader, result_pdf
):
    settings.SIGNING_REMOTE_SECRET = "wrong"
    before = AuditEntry.objects.count()
    with pytest.raises(SigningFailed) as failed:
        _sign(leader, tree["dept"], result_pdf)
    assert failed.value.status == 502
    _nothing_recorded(before)


def test_a_seal_the_service_does_not_hold_is_refused_and_records_nothing(
    remote, tree, leader, result_pdf
):
    agency = tree["dept"]
    agency.code = "000.00.99.H20"  # not saved: the service knows the agency by its real code
    before = AuditEntry.objects.count()
    with pytest.raises(SigningNotConfigured) as refused:
        _sign(leader, agency, result_pdf)
    assert refused.value.status == 409
    assert "agency:000.00.99.H20" in refused.value.message
    assert not sim.transactions()  # nothing was sent for signing
    _nothing_recorded(before)


def test_simulator_refuses_calls_without_its_token(remote, tree):
    url = f"{remote}/sim/ky-so/csc/v2/credentials/list"
    refused = httpx.post(url, json={"userID": "agency:000.00.02.H20"})
    assert refused.status_code == 401
    accepted = httpx.post(
        url,
        json={"userID": "agency:000.00.02.H20"},
        headers={"Authorization": "Bearer test-ky-so", "X-Client-ID": "motcua"},
    )
    assert accepted.json() == {"credentialIDs": ["MC-agency:000.00.02.H20"]}
    unknown = httpx.post(
        url,
        json={"userID": "agency:999.99.99.X99"},
        headers={"Authorization": "Bearer test-ky-so", "X-Client-ID": "motcua"},
    )
    assert unknown.json() == {"credentialIDs": []}
