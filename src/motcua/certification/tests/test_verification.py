"""A certified copy verifies with two independent tools (poppler's pdfsig, pyHanko's validator)
with the certifier's signature, the commune's seal and their timestamps (the TSA simulator over
HTTP), and a changed byte fails both."""

from __future__ import annotations

import pytest

from motcua.certification.services import Original, Requester, copy_certify
from motcua.documents.storage import blob_open
from motcua.signing.constants import OFFICIAL_FIELD, SEAL_FIELD
from motcua.signing.selectors import verify_pdf

from .conftest import CCCD, pdfsig, scan_pdf


@pytest.fixture
def certified(tsa, tree, certifier):
    entry = copy_certify(
        actor=certifier,
        agency=tree["commune"],
        scan=scan_pdf(2),
        scan_name="khai-sinh.pdf",
        requester=Requester(name="Nguyễn Thị An", number=CCCD),
        original=Original(document_type="giay_khai_sinh", number="123/2001"),
    )
    return entry, blob_open(entry.document.storage_name).read()


def test_certified_copy_verifies_with_pdfsig_and_pyhanko(certified, tree, tmp_path):
    entry, data = certified

    report = pdfsig(data, tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    assert f"Signature Field Name: {OFFICIAL_FIELD}" in report
    assert f"Signature Field Name: {SEAL_FIELD}" in report
    assert "Signer Certificate Common Name: Lê Văn Dũng" in report
    assert f"UID={tree['commune'].code}" in report  # the seal names the commune
    assert "Total document signed" in report

    result = verify_pdf(data)
    assert result.valid and result.intact and result.trusted
    official, seal = result.signatures
    assert official.signer_name == "Lê Văn Dũng" and seal.identifier == tree["commune"].code
    assert official.timestamp_valid and seal.timestamp_valid  # PAdES B-T
    assert result.record == entry.signed and result.registry_match == "exact"


def test_a_changed_byte_fails_verification(certified, tmp_path):
    _entry, data = certified
    # A byte of the statement page's content, inside both signatures' byte ranges.
    at = data.index(b"/Producer (MotCua)") + len(b"/Producer (")
    tampered = data[:at] + b"X" + data[at + 1 :]

    report = pdfsig(tampered, tmp_path)
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report or "Signature is Invalid" in report, report
    result = verify_pdf(tampered)
    assert not result.valid and not result.intact
