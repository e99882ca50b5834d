"""Papers are immutable: a replaced paper is a new version pointing to the one it replaces,
which stays with its bytes; digitizing records metadata and never touches content; only the
current version is replaced; a closed dossier's papers no longer change."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from motcua.core.models import AuditEntry
from motcua.documents.constants import DocumentKind, DocumentType, OwnerKind, Source
from motcua.documents.models import CONTENT_FIELDS, Document
from motcua.documents.selectors import document_open
from motcua.documents.services import (
    Digitization,
    document_add,
    document_digitize,
    document_replace,
)
from motcua.dossiers.constants import Status

from . import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(world, dossier) -> Document:
    return document_add(
        actor=world["commune_officer"],
        dossier=dossier,
        component=dossier.components.first(),
        content=files.pdf(note="v1"),
        name="to-khai.pdf",
    )


def content_of(document: Document) -> tuple:
    return tuple(getattr(document, f) for f in CONTENT_FIELDS)


def read(world, document: Document) -> bytes:
    opened = document_open(user=world["commune_officer"], document=document)
    with opened.file:
        return opened.file.read()


def test_a_paper_is_stored_with_its_hash_owner_and_an_audit_entry(world, dossier, paper):
    assert paper.sha256 == __import__("hashlib").sha256(files.pdf(note="v1")).hexdigest()
    assert (paper.kind, paper.source, paper.version, paper.is_current) == (
        DocumentKind.COMPONENT,
        Source.DESK,
        1,
        True,
    )
    assert (paper.owner_kind, paper.owner_number) == (OwnerKind.PERSON, dossier.applicant_id_number)
    assert paper.uploaded_by == world["commune_officer"]
    assert AuditEntry.objects.filter(action="document.add", object_id=str(paper.pk)).exists()
    assert read(world, paper) == files.pdf(note="v1")


def test_replacing_makes_a_new_version_and_keeps_the_old(world, paper):
    before = content_of(paper)
    new = document_replace(
        actor=world["commune_officer"], document=paper, content=files.pdf(2, "v2"), name="v2.pdf"
    )
    old = Document.objects.get(pk=paper.pk)
    assert (new.version, new.replaces_id, new.is_current, new.page_count) == (2, old.pk, True, 2)
    assert new.component_id == old.component_id and new.kind == old.kind
    assert old.is_current is False and content_of(old) == before
    assert read(world, old) == files.pdf(note="v1")
    assert read(world, new) == files.pdf(2, "v2")
    assert AuditEntry.objects.filter(action="document.replace", object_id=str(new.pk)).exists()


def test_an_old_version_cannot_be_replaced_again(world, paper):
    document_replace(
        actor=world["commune_officer"], document=paper, content=files.pdf(note="b"), name="b.pdf"
    )
    with pytest.raises(Conflict):
        document_replace(
            actor=world["commune_officer"],
            document=paper,
            content=files.pdf(note="c"),
            name="c.pdf",
        )
    assert Document.objects.count() == 2


def test_the_same_bytes_twice_are_one_blob_and_two_papers(world, dossier, paper, settings):
    from .conftest import stored_files

    again = document_add(
        actor=world["commune_officer"], dossier=dossier, content=files.pdf(note="v1"), name="x.pdf"
    )
    assert again.storage_name == paper.storage_name and again.pk != paper.pk
    assert len(stored_files(settings)) == 1


def test_digitizing_records_metadata_and_never_content(world, paper):
    before = content_of(paper)
    official = world["commune_officer"]
    done = document_digitize(
        actor=official,
        document=paper,
        data=Digitization(
            document_type=DocumentType.BIRTH_CERTIFICATE,
            number="123/2026",
            issued_on=dt.date(2026, 1, 5),
            issuer="UBND xã",
            valid_until=None,
        ),
    )
    done.refresh_from_db()
    assert done.digitized and done.digitized_by == official and done.digitized_at is not None
    assert (done.document_type, done.number, done.issuer) == (
        "giay_khai_sinh",
        "123/2026",
        "UBND xã",
    )
    assert content_of(done) == before
    entry = AuditEntry.objects.get(action="document.digitize", object_id=str(paper.pk))
    assert entry.before["digitized"] is False and entry.after["digitized"] is True


def test_digitizing_refuses_a_type_outside_the_list_and_wrong_dates(world, paper):
    with pytest.raises(InvalidInput) as caught:
        document_digitize(
            actor=world["commune_officer"],
            document=paper,
            data=Digitization(
                document_type="so_ho_khau_giay",
                issued_on=dt.date(2026, 1, 5),
                valid_until=dt.date(2025, 1, 5),
                owner_number="123",
            ),
        )
    assert set(caught.value.errors) == {"document_type", "valid_until", "owner_number"}
    paper.refresh_from_db()
    assert not paper.digitized


def test_officials_without_a_role_there_may_not_add_and_outsiders_do_not_find_it(world, dossier):
    with pytest.raises(NotAllowed):
        document_add(
            actor=world["commune_chair"], dossier=dossier, content=files.pdf(), name="a.pdf"
        )
    with pytest.raises(NotFound):
        document_add(
            actor=world["commune2_officer"], dossier=dossier, content=files.pdf(), name="a.pdf"
        )
    with pytest.raises(NotAllowed):
        document_add(actor=None, dossier=dossier, content=files.pdf(), name="a.pdf")
    assert Document.objects.count() == 0


def test_a_closed_dossiers_papers_no_longer_change(world, dossier, paper):
    type(dossier).objects.filter(pk=dossier.pk).update(status=Status.RETURNED)
    dossier.refresh_from_db()
    with pytest.raises(Conflict):
        document_add(
            actor=world["commune_officer"], dossier=dossier, content=files.pdf(), name="a.pdf"
        )
    paper.refresh_from_db()
    with pytest.raises(Conflict):
        document_replace(
            actor=world["commune_officer"], document=paper, content=files.pdf(), name="a.pdf"
        )


def test_a_component_of_another_dossier_is_refused(world, dossier):
    from .conftest import receive

    other = receive(world)
    with pytest.raises(InvalidInput):
        document_add(
            actor=world["commune_officer"],
            dossier=dossier,
            component=other.components.first(),
            content=files.pdf(),
            name="a.pdf",
        )
