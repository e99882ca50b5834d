"""copy_certify: the certified copy is a PDF of the scan plus the statement with the book's
number, numbered in the book, stored as the requester's paper; refusals store nothing; a
failed signing voids the number, visibly, and the next certification takes the next one."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from motcua.certification.constants import EntryStatus
from motcua.certification.models import CertificationCounter, CertificationEntry
from motcua.certification.services import Original, Requester, copy_certify
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.models import AuditEntry
from motcua.documents.models import Document
from motcua.documents.storage import blob_open
from motcua.printing.pdf import text_of_pdf
from motcua.signing.models import SignedDocument

from .conftest import CCCD, scan_jpeg, scan_pdf

pytestmark = pytest.mark.django_db

REQUESTER = Requester(name="Nguyễn Thị An", number=CCCD)
BIRTH = Original(document_type="giay_khai_sinh", number="123/2001", issuer="UBND xã Mỹ An")


def _certify(actor, agency, scan=None, **extra):
    extra.setdefault("requester", REQUESTER)
    extra.setdefault("original", BIRTH)
    return copy_certify(
        actor=actor, agency=agency, scan=scan or scan_pdf(3), scan_name="khai-sinh.pdf", **extra
    )


def _nothing_stored():
    assert not CertificationEntry.objects.exists()
    assert not CertificationCounter.objects.exists()
    assert not Document.objects.exists()
    assert not SignedDocument.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="certification.").exists()


def test_certified_copy_has_the_scan_and_the_statement_with_the_books_number(tree, certifier):
    entry = _certify(certifier, tree["commune"], copies=2)

    assert (entry.status, entry.number, entry.pages, entry.copies) == ("certified", 1, 3, 2)
    assert entry.book.endswith("-SCT/BS") and entry.book.startswith("01/")
    assert entry.fee_vnd == 10_000  # (2 × 2,000 + 1,000) × 2 copies
    assert (entry.certifier, entry.certifier_name) == (certifier, "Lê Văn Dũng")
    data = blob_open(entry.document.storage_name).read()
    assert len(PdfReader(io.BytesIO(data)).pages) == 4  # three scanned pages + the statement
    text = text_of_pdf(data)
    statement = " ".join(text.split("\f")[-1].split())
    assert "Chứng thực bản sao đúng với bản chính." in statement
    assert f"Số chứng thực: 1, quyển số: {entry.book}" in statement
    assert "Lê Văn Dũng" in statement and "PHÓ CHỦ TỊCH UBND XÃ" in statement
    assert "Giấy khai sinh số 123/2001 do UBND xã Mỹ An cấp" in statement
    assert "GIẤY KHAI SINH" in text.split("\f")[0]
    assert entry.signed.kind == "certified_copy" and entry.signed.sha256 == entry.document.sha256
    actions = list(
        AuditEntry.objects.filter(action__startswith="certification.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["certification.certify", "certification.reserve"]


def test_the_copy_is_the_requesters_paper_in_their_warehouse(tree, certifier):
    entry = _certify(certifier, tree["commune"])

    document = Document.objects.get()
    assert entry.document == document
    assert (document.kind, document.source, document.dossier_id) == (
        "certified_copy",
        "generated",
        None,
    )
    assert (document.owner_kind, document.owner_number, document.owner_name) == (
        "person",
        CCCD,
        "Nguyễn Thị An",
    )
    assert (document.document_type, document.number, document.issuer) == (
        "giay_khai_sinh",
        "123/2001",
        "UBND xã Mỹ An",
    )
    assert document.digitized and document.digitized_by == certifier
    assert document.content_type == "application/pdf" and document.page_count == 4


def test_a_photo_becomes_one_page_of_the_copy(tree, certifier):
    entry = _certify(certifier, tree["commune"], scan=scan_jpeg())
    assert (entry.pages, entry.fee_vnd, entry.document.page_count) == (1, 2_000, 2)


def test_numbers_follow_each_other_per_agency(tree, certifier, make_official):
    other = make_official(
        "chu-tich-xa-2",
        tree["commune2"],
        [("agency_leader", tree["commune2"], False, None, None)],
    )
    first = _certify(certifier, tree["commune"])
    second = _certify(certifier, tree["commune"])
    elsewhere = _certify(other, tree["commune2"])
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)


@pytest.mark.parametrize(
    "scan",
    [b"", b"not a scan at all", b"%PDF-1.7\nbroken", b"PK\x03\x04" + b"\0" * 40],
    ids=["empty", "text", "broken-pdf", "zip"],
)
def test_a_bad_scan_is_refused_and_nothing_is_stored(tree, certifier, scan):
    with pytest.raises(InvalidInput) as refused:
        copy_certify(
            actor=certifier,
            agency=tree["commune"],
            scan=scan,
            scan_name="ban-chinh.pdf",
            requester=REQUESTER,
            original=BIRTH,
        )
    assert "scan" in refused.value.errors
    _nothing_stored()


def test_an_office_file_is_not_a_scan(tree, certifier):
    from motcua.documents.tests.files import encrypted_pdf, office

    with pytest.raises(InvalidInput) as refused:
        _certify(certifier, tree["commune"], scan=office("docx"))
    assert refused.value.code == "file_file_type"
    with pytest.raises(InvalidInput) as refused:
        _certify(certifier, tree["commune"], scan=encrypted_pdf())
    assert refused.value.code == "file_encrypted"
    _nothing_stored()


def test_wrong_details_are_refused_before_a_number_is_taken(tree, certifier):
    with pytest.raises(InvalidInput) as refused:
        _certify(
            certifier,
            tree["commune"],
            requester=Requester(name="", number="12345"),
            original=Original(document_type="unknown"),
            copies=0,
        )
    assert set(refused.value.errors) == {
        "requester_name",
        "requester_number",
        "document_type",
        "copies",
    }
    _nothing_stored()


def test_who_may_not_certify_is_refused_and_nothing_is_stored(
    tree, certifier, desk_officer, make_official
):
    with pytest.raises(NotAllowed):
        _certify(desk_officer, tree["commune"])
    with pytest.raises(NotAllowed):
        _certify(None, tree["commune"])
    with pytest.raises(NotAllowed):  # the commune's leader does not certify for another commune
        _certify(certifier, tree["commune2"])
    dept_leader = make_official(
        "lanh-dao-so", tree["dept"], [("agency_leader", tree["dept"], False, None, None)]
    )
    with pytest.raises(InvalidInput) as refused:  # a department keeps no book of copies
        _certify(dept_leader, tree["dept"])
    assert "agency" in refused.value.errors
    _nothing_stored()


def test_a_failed_signing_voids_the_number_and_the_next_takes_the_next(tree, certifier, settings):
    # A TSA that is not there: signing fails after the number was taken.
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    settings.SIGNING_TSA_TIMEOUT = 2
    from motcua.signing.services import SigningUnavailable

    with pytest.raises(SigningUnavailable):
        _certify(certifier, tree["commune"])
    voided = CertificationEntry.objects.get()
    assert (voided.number, voided.status) == (1, EntryStatus.VOIDED)
    assert voided.void_reason.startswith("signing_unavailable")
    assert voided.document_id is None and not Document.objects.exists()
    assert AuditEntry.objects.filter(action="certification.void").count() == 1

    settings.SIGNING_TSA_URL = ""
    entry = _certify(certifier, tree["commune"])
    assert (entry.number, entry.status) == (2, EntryStatus.CERTIFIED)
    numbers = list(CertificationEntry.objects.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2]  # no gap: number 1 is in the book, voided
