"""Downloads only through the one rule (permissions.py): refused for another agency's
official, another citizen and an anonymous visitor; allowed for the officials who see the
dossier and for its applicant logged in with VNeID — and every read audited. At the service,
the page and the API alike."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.errors import NotFound
from motcua.core.models import AuditEntry
from motcua.documents.models import Document
from motcua.documents.selectors import document_get, document_open
from motcua.documents.services import document_add

from . import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(world, dossier) -> Document:
    return document_add(
        actor=world["commune_officer"],
        dossier=dossier,
        component=dossier.components.first(),
        content=files.pdf(note="rieng-tu"),
        name="giay-chung-sinh.pdf",
    )


def reads(paper) -> list[str]:
    return list(
        AuditEntry.objects.filter(action="document.read", object_id=str(paper.pk))
        .order_by("pk")
        .values_list("actor_label", flat=True)
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Service ------------------------------------------------------------------------------------


def test_service_refuses_outsiders_and_audits_each_allowed_read(world, paper, lan, stranger):
    for user in (world["commune2_officer"], stranger, None):
        with pytest.raises(NotFound):
            document_get(user=user, pk=paper.pk)
        with pytest.raises(NotFound):
            document_open(user=user, document=paper)
    assert reads(paper) == []
    for user in (world["commune_officer"], world["commune_chair"], lan):
        opened = document_open(user=user, document=paper)
        with opened.file:
            assert opened.file.read() == files.pdf(note="rieng-tu")
    assert reads(paper) == ["tn.xa", "ct.xa", lan.username]
    entry = AuditEntry.objects.filter(action="document.read").first()
    assert entry.agency_id == paper.dossier.competent_agency_id
    assert paper.owner_number in entry.note


# Page ---------------------------------------------------------------------------------------


def url(paper) -> str:
    return f"/giay-to/{paper.pk}/tai-ve/"


def test_page_download_refused_to_another_agency_and_sends_anonymous_to_login(
    world, paper, stranger
):
    assert client_for(world["commune2_officer"]).get(url(paper)).status_code == 404
    assert client_for(stranger).get(url(paper)).status_code == 404
    response = client_for(None).get(url(paper))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert reads(paper) == []


def test_page_download_gives_the_file_to_the_right_official_and_the_applicant(world, paper, lan):
    for user in (world["commune_officer"], lan):
        response = client_for(user).get(url(paper))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.pdf(note="rieng-tu")
        assert response["Content-Type"] == "application/pdf"
        assert "giay-chung-sinh.pdf" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    assert reads(paper) == ["tn.xa", lan.username]


# API ----------------------------------------------------------------------------------------


def api_url(paper) -> str:
    return f"/api/v1/documents/{paper.pk}/content"


def test_api_download_refused_to_another_agency_and_anonymous(world, paper, stranger):
    for user, status in ((world["commune2_officer"], 404), (stranger, 404), (None, 401)):
        response = client_for(user).get(api_url(paper))
        assert response.status_code == status, user
        assert response.json()["code"] in {"not_found", "not_authenticated"}
    assert (
        client_for(world["commune2_officer"]).get(f"/api/v1/documents/{paper.pk}").status_code
        == 404
    )
    listing = client_for(world["commune2_officer"]).get(
        "/api/v1/documents", {"dossier_id": paper.dossier_id}
    )
    assert listing.status_code == 404
    assert reads(paper) == []


def test_api_download_allowed_and_audited(world, paper, lan):
    for user in (world["commune_officer"], lan):
        response = client_for(user).get(api_url(paper))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.pdf(note="rieng-tu")
    assert reads(paper) == ["tn.xa", lan.username]
