"""The share of dossiers with every paper digitized, and of results digitized (R9), for the
reports: dossiers without papers are not counted; one undigitized current paper keeps a
dossier out; a replaced (older) version does not count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.documents.constants import DocumentKind, DocumentType
from motcua.documents.selectors import digitization_share
from motcua.documents.services import (
    Digitization,
    document_add,
    document_digitize,
    document_replace,
)

from . import files
from .conftest import receive

pytestmark = pytest.mark.django_db


def test_shares_of_digitized_dossiers_and_results(world):
    officer = world["commune_officer"]
    full, partial, _none = receive(world), receive(world), receive(world)

    def add(d, note, kind=DocumentKind.COMPONENT):
        return document_add(
            actor=officer, dossier=d, content=files.pdf(note=note), name=f"{note}.pdf", kind=kind
        )

    def digitize(doc):
        return document_digitize(
            actor=officer, document=doc, data=Digitization(document_type=DocumentType.OTHER)
        )

    old = add(full, "a")
    digitize(old)
    digitize(
        document_replace(actor=officer, document=old, content=files.pdf(note="a2"), name="a2.pdf")
    )
    digitize(add(full, "r", DocumentKind.RESULT))
    digitize(add(partial, "b"))
    add(partial, "c", DocumentKind.RESULT)
    now = timezone.now()
    figures = digitization_share(start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1))
    assert (figures.dossiers.total, figures.dossiers.digitized) == (2, 1)
    assert figures.dossiers.percent == 50.0
    assert (figures.results.total, figures.results.digitized) == (2, 1)
    # Another agency's dossiers only: none.
    other = digitization_share(
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=1),
        agency_ids=[world.tree["commune2"].pk],
    )
    assert other.dossiers.total == 0 and other.dossiers.percent == 0.0
