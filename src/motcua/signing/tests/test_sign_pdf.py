"""sign_pdf: two PAdES signatures with timestamps from the TSA over HTTP, verified by poppler's
pdfsig and pyHanko's validator; tampering fails both; refusals change nothing."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter

from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.signing.constants import OFFICIAL_FIELD, SEAL_FIELD, SignedKind
from motcua.signing.models import SignedDocument
from motcua.signing.selectors import verify_pdf
from motcua.signing.services import sign_pdf

from .conftest import blank_pdf, pdfsig

CODE = "000.00.02.H20-261207-0001"


def _sign(leader, agency, pdf, **extra):
    return sign_pdf(
        actor=leader,
        pdf=pdf,
        agency=agency,
        signer=leader,
        reason="Ký duyệt kết quả giải quyết TTHC",
        dossier_code=CODE,
        kind=SignedKind.RESULT,
        **extra,
    )


def test_signed_result_verifies_with_pdfsig_and_pyhanko(tsa, tree, leader, result_pdf, tmp_path):
    signed = _sign(leader, tree["dept"], result_pdf)

    report = pdfsig(signed, tmp_path)
    assert report.count("Signature is Valid.") == 2, report
    assert f"Signature Field Name: {OFFICIAL_FIELD}" in report
    assert f"Signature Field Name: {SEAL_FIELD}" in report
    assert "Signer Certificate Common Name: Nguyễn Văn Bình" in report
    assert "UID=000.00.02.H20" in report  # the seal names the agency's electronic identifier
    assert "Total document signed" in report  # the seal covers everything
    assert "ETSI.CAdES.detached" in report

    result = verify_pdf(signed)
    assert result.valid and result.intact and result.trusted
    assert not result.modified_after_signing
    official, seal = result.signatures
    assert (official.signer_name, seal.organization) == ("Nguyễn Văn Bình", "Sở Tư pháp")
    assert seal.identifier == "000.00.02.H20"
    assert official.timestamp_time is not None and official.timestamp_valid  # PAdES B-T
    assert seal.timestamp_time is not None and seal.timestamp_valid
    assert result.dossier_code == CODE and result.registry_match == "exact"

    record = SignedDocument.objects.get()
    assert (record.signer, record.agency, record.kind) == (leader, tree["dept"], "result")
    assert (record.signer_serial, record.seal_serial) == (official.serial, seal.serial)
    entry = AuditEntry.objects.get(action="signing.sign")
    assert entry.object_id == str(record.pk) and entry.actor == leader
    assert entry.after["sha256"] == record.sha256


def test_first_page_carries_the_qr_link_to_the_verification_page(tsa, tree, leader, result_pdf):
    signed = _sign(leader, tree["dept"], result_pdf)

    record = SignedDocument.objects.get()
    page = PdfReader(io.BytesIO(signed)).pages[0]
    uris = [a.get_object()["/A"]["/URI"] for a in page["/Annots"] if "/A" in a.get_object()]
    url = f"https://dichvucong.example.gov.vn/xac-thuc/{record.lookup_key}/"
    assert url in uris
    assert url in page.extract_text().replace("\n", "")
    assert CODE in page.extract_text()


def test_a_changed_byte_in_the_signed_range_fails_both_tools(
    tsa, tree, leader, result_pdf, tmp_path
):
    signed = _sign(leader, tree["dept"], result_pdf)
    # WeasyPrint names itself as the producer: inside both signatures' byte ranges.
    match = re.search(rb"/Producer \(WeasyPrint", signed)
    assert match
    at = match.start() + len(b"/Producer (")
    tampered = signed[:at] + b"X" + signed[at + 1 :]

    report = pdfsig(tampered, tmp_path)
    assert "Signature is Valid." not in report
    assert "Digest Mismatch" in report or "Signature is Invalid" in report, report

    result = verify_pdf(tampered)
    assert not result.valid and not result.intact
    assert all(not s.intact for s in result.signatures)
    assert result.registry_match == "key"  # found by its QR key, but not this file


def test_bytes_added_after_signing_are_reported(tsa, tree, leader, result_pdf):
    signed = _sign(leader, tree["dept"], result_pdf)
    # An incremental update after the seal (a changed title), as an editor would append it.
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    info = writer.trailer["/Info"]
    info[NameObject("/Title")] = TextStringObject("Đã sửa")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)

    result = verify_pdf(out.getvalue())
    assert result.intact  # each signature still matches what it signed…
    assert result.modified_after_signing and not result.valid  # …but the file goes on


def test_unsigned_pdf_is_not_valid(db):
    result = verify_pdf(blank_pdf())
    assert not result.signed and not result.valid
    assert result.record is None
    assert result.problems == ["Văn bản không có chữ ký số."]


def test_refused_signer_changes_nothing(tsa, tree, clerk, result_pdf):
    before = AuditEntry.objects.count()
    with pytest.raises(NotAllowed):
        _sign(clerk, tree["dept"], result_pdf)
    assert not SignedDocument.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["superuser", None])
def test_nobody_signs_in_another_officials_name(tsa, tree, leader, superuser, result_pdf, who):
    """Not even a superuser; nor a command, a task or any code calling with no actor."""
    with pytest.raises(NotAllowed):
        sign_pdf(
            actor=superuser if who else None,
            pdf=result_pdf,
            agency=tree["dept"],
            signer=leader,
            reason="x",
            kind=SignedKind.RESULT,
        )
    assert not SignedDocument.objects.exists()


def test_a_leader_signs_only_for_their_own_agency(tsa, tree, leader, result_pdf):
    with pytest.raises(NotAllowed):
        _sign(leader, tree["dept2"], result_pdf)
    assert not SignedDocument.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not a pdf", "không phải là văn bản PDF"),
        (b"%PDF-1.7\n garbage without objects", "bị hỏng"),
    ],
)
def test_refuses_what_is_not_a_readable_pdf(db, tree, leader, content, message):
    with pytest.raises(InvalidInput) as refused:
        _sign(leader, tree["dept"], content)
    assert message in refused.value.message
    assert refused.value.errors["file"]
    assert not SignedDocument.objects.exists()


def test_refuses_an_encrypted_pdf(db, tree, leader):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InvalidInput) as refused:
        _sign(leader, tree["dept"], out.getvalue())
    assert "mã hóa" in refused.value.message
    assert not SignedDocument.objects.exists()


def test_signing_and_verifying_work_when_the_calling_thread_runs_an_event_loop(
    tsa, tree, leader, result_pdf, monkeypatch
):
    """pyHanko's synchronous wrappers call asyncio.run, which refuses inside a running loop (an
    async caller; Playwright's sync API in the browser tests left one running and broke every
    signing test after them in the full suite). Signing and verifying work there too."""
    import asyncio

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM from inside a loop

    def sign_and_verify():
        return verify_pdf(_sign(leader, tree["dept"], result_pdf))

    async def inside_a_loop():
        return sign_and_verify()

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop runs here yet: make one run around the calls
        result = asyncio.run(inside_a_loop())
    else:  # a browser test earlier in the session left Playwright's loop running here
        result = sign_and_verify()
    assert result.valid and result.trusted and len(result.signatures) == 2
