"""The time-stamping authority's simulator over real HTTP, and signing when it fails."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from asn1crypto import algos, core, tsp

from motcua.core.models import AuditEntry
from motcua.signing.constants import SignedKind
from motcua.signing.models import SignedDocument
from motcua.signing.services import SigningUnavailable, sign_pdf
from motcua.simulators.tsa import views


def _query(data: bytes) -> bytes:
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": tsp.MessageImprint(
                {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                    "hashed_message": hashlib.sha256(data).digest(),
                }
            ),
            "nonce": 12345,
            "cert_req": True,
        }
    ).dump()


def test_tsa_grants_a_token_over_the_imprint(tsa):
    response = httpx.post(
        tsa + "/sim/tsa/",
        content=_query(b"hello"),
        headers={"Content-Type": "application/timestamp-query"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"hello").digest()
    assert info["nonce"].native == 12345


def test_tsa_refuses_another_media_type_and_garbage(tsa):
    wrong = httpx.post(tsa + "/sim/tsa/", content=b"x", headers={"Content-Type": "text/plain"})
    assert wrong.status_code == 415
    garbage = httpx.post(
        tsa + "/sim/tsa/",
        content=b"\x30\x03xyz",
        headers={"Content-Type": "application/timestamp-query"},
    )
    assert garbage.status_code == 400
    status = core.Sequence.load(garbage.content)[0].dump()  # a reply without a token
    assert tsp.PKIStatusInfo.load(status)["status"].native == "rejection"


def test_signing_is_refused_and_nothing_recorded_while_the_tsa_is_down(
    tsa, tree, leader, result_pdf
):
    views.switch.set({"outage_seconds": 60})
    before = AuditEntry.objects.count()
    with pytest.raises(SigningUnavailable):
        sign_pdf(
            actor=leader,
            pdf=result_pdf,
            agency=tree["dept"],
            signer=leader,
            reason="Ký kết quả",
            kind=SignedKind.RESULT,
        )
    assert not SignedDocument.objects.exists()
    assert AuditEntry.objects.count() == before
