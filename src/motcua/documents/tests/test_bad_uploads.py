"""Every kind of bad upload is refused with a clear message, and nothing is stored: no row,
no blob, no audit entry (issue 15 acceptance). Driven through `document_add`, the service
every page and endpoint calls; the good files of each type beside the bad ones."""

from __future__ import annotations

import pytest

from motcua.core.models import AuditEntry
from motcua.documents import inspection
from motcua.documents.inspection import FileRefused
from motcua.documents.models import Document
from motcua.documents.services import document_add

from . import files
from .conftest import stored_files

pytestmark = pytest.mark.django_db


def add(world, dossier, content: bytes, name: str):
    return document_add(
        actor=world["commune_officer"],
        dossier=dossier,
        component=dossier.components.first(),
        content=content,
        name=name,
    )


def refused(world, dossier, settings, content: bytes, name: str) -> FileRefused:
    audits = AuditEntry.objects.count()
    with pytest.raises(FileRefused) as caught:
        add(world, dossier, content, name)
    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    assert AuditEntry.objects.count() == audits
    assert name in caught.value.message  # the message names the file
    assert caught.value.errors == {"file": [caught.value.message]}
    return caught.value


@pytest.mark.parametrize(
    ("make", "name", "content_type", "pages"),
    [
        (lambda: files.pdf(3), "to-khai.pdf", inspection.PDF, 3),
        (lambda: files.image("JPEG"), "anh.jpg", inspection.JPEG, None),
        (lambda: files.image("PNG"), "anh.png", inspection.PNG, None),
        (lambda: files.office("docx"), "don.docx", inspection.DOCX, None),
        (lambda: files.office("xlsx"), "bang.xlsx", inspection.XLSX, None),
        (lambda: files.office("odt"), "don.odt", inspection.ODT, None),
        (lambda: files.office("ods"), "bang.ods", inspection.ODS, None),
    ],
)
def test_good_files_of_each_type_are_stored(
    world, dossier, settings, make, name, content_type, pages
):
    content = make()
    document = add(world, dossier, content, name)
    assert (document.content_type, document.page_count, document.size) == (
        content_type,
        pages,
        len(content),
    )
    assert stored_files(settings) == [
        f"sha256/{document.sha256[:2]}/{document.sha256[2:4]}/{document.sha256}"
    ]


def test_type_is_told_by_content_not_by_name(world, dossier, settings):
    error = refused(world, dossier, settings, b"MZ\x90\x00 a Windows program", "giay-khai-sinh.pdf")
    assert error.reason == "file_type"
    assert "PDF, JPEG, PNG" in error.message
    # …and a real PDF with an image's name is stored as what it is.
    assert add(world, dossier, files.pdf(), "anh.png").content_type == inspection.PDF


def test_a_plain_zip_or_an_old_word_file_is_not_an_office_file(world, dossier, settings):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "xin chào")
    assert refused(world, dossier, settings, out.getvalue(), "don.docx").reason == "file_type"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    assert refused(world, dossier, settings, ole, "don.doc").reason == "file_type"


def test_office_types_not_listed_in_settings_are_refused(world, dossier, settings):
    settings.DOCUMENTS_OFFICE_TYPES = ["docx"]
    error = refused(world, dossier, settings, files.office("xlsx"), "bang.xlsx")
    assert error.reason == "file_type" and "XLSX" in error.message


def test_macro_enabled_files_are_refused_unless_allowed(world, dossier, settings):
    error = refused(world, dossier, settings, files.office("docm"), "don.docx")
    assert error.reason == "macros"
    assert refused(world, dossier, settings, files.office("xlsm"), "b.xlsx").reason == "macros"
    settings.DOCUMENTS_ALLOW_MACROS = True
    assert add(world, dossier, files.office("docm"), "don.docm").content_type == inspection.DOCM


def test_oversized_files_are_refused_by_type_and_component_limit(world, dossier, settings):
    settings.DOCUMENTS_MAX_BYTES = {"pdf": 2000, "image": 300, "office": 10_000}
    error = refused(world, dossier, settings, files.image("PNG", (200, 200), "red"), "a.png")
    assert error.reason == "too_large"
    assert add(world, dossier, files.pdf(), "a.pdf")  # within the PDF limit
    settings.DOCUMENTS_COMPONENT_MAX_BYTES = 100
    Document.objects.all().delete()  # (test set-up only: the app offers no deletion)
    for path in stored_files(settings):
        (settings_root(settings) / path).unlink()
    assert refused(world, dossier, settings, files.pdf(), "a.pdf").reason == "too_large"


def settings_root(settings):
    from pathlib import Path

    return Path(settings.STORAGES["documents"]["OPTIONS"]["location"])


def test_too_many_pages_are_refused(world, dossier, settings):
    settings.DOCUMENTS_MAX_PAGES = 5
    error = refused(world, dossier, settings, files.pdf(6), "ho-so.pdf")
    assert error.reason == "too_many_pages"
    assert "6" in error.message and "5" in error.message


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n this is not a PDF at all", "to-khai.pdf"),
        (files.pdf()[:60], "cut.pdf"),
    ],
)
def test_malformed_pdfs_are_refused(world, dossier, settings, content, name):
    error = refused(world, dossier, settings, content, name)
    assert error.reason == "malformed" and "PDF" in error.message


def test_malformed_images_are_refused(world, dossier, settings):
    assert refused(world, dossier, settings, files.broken_png(), "a.png").reason == "malformed"
    jpeg = files.image("JPEG", (64, 64), "blue")
    assert refused(world, dossier, settings, jpeg[:200], "a.jpg").reason == "malformed"


def test_an_image_bomb_is_refused_before_it_is_decoded(world, dossier, settings):
    error = refused(world, dossier, settings, files.png_bomb(), "bom.png")
    assert error.reason == "bomb"
    # Below the installation's limit, but above Pillow's own: refused too.
    settings.DOCUMENTS_IMAGE_MAX_PIXELS = 10**12
    assert refused(world, dossier, settings, files.png_bomb(), "bom.png").reason == "bomb"


def test_a_zip_bomb_is_refused(world, dossier, settings):
    bomb = files.zip_bomb()
    assert len(bomb) < 200_000
    assert refused(world, dossier, settings, bomb, "bom.docx").reason == "bomb"
    # Within the ratio but over the total: refused too.
    settings.DOCUMENTS_ZIP_MAX_RATIO = 10**6
    settings.DOCUMENTS_ZIP_MAX_UNCOMPRESSED = 10 * 1024 * 1024
    assert refused(world, dossier, settings, bomb, "bom.docx").reason == "bomb"


def test_a_corrupt_zip_is_refused(world, dossier, settings):
    assert refused(world, dossier, settings, files.corrupt_zip(), "a.docx").reason == "malformed"


def test_pdfs_with_absurd_object_counts_are_refused(world, dossier, settings):
    settings.DOCUMENTS_PDF_MAX_OBJECTS = 3
    assert refused(world, dossier, settings, files.pdf(4), "a.pdf").reason == "bomb"


def test_an_encrypted_pdf_is_refused_with_a_clear_message(world, dossier, settings):
    error = refused(world, dossier, settings, files.encrypted_pdf(), "bao-mat.pdf")
    assert error.reason == "encrypted"
    assert "mật khẩu" in error.message  # Vietnamese: "protected by a password"


def test_an_empty_file_is_refused(world, dossier, settings):
    assert refused(world, dossier, settings, b"", "rong.pdf").reason == "empty"


def test_eicar_is_refused_through_the_clamd_simulator(world, dossier, settings, clamd):
    # The EICAR string at the end of a well-formed PDF (a comment after %%EOF).
    infected = files.pdf() + b"%" + files.EICAR + b"\n"
    error = refused(world, dossier, settings, infected, "nhiem.pdf")
    assert error.reason == "infected" and "Eicar-Test-Signature" in error.message
    assert clamd.scanned == 1
    # A clean file is scanned and stored.
    add(world, dossier, files.pdf(), "sach.pdf")
    assert clamd.scanned == 2


def test_an_unreachable_antivirus_refuses_rather_than_lets_through(world, dossier, settings, clamd):
    clamd.down = True
    error = refused(world, dossier, settings, files.pdf(), "a.pdf")
    assert error.reason == "antivirus_unavailable" and error.retryable
