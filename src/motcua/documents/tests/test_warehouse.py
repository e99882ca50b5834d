"""Kho dữ liệu điện tử (R10): a person's digitized papers are listed for them (and for the
receiving desk), never another's; expired ones are marked; a warehouse paper is reused in a
second dossier without re-upload (same stored bytes, new row pointing to the original); another
person's paper is refused; the officer sees where a reused paper came from; the reuse share."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from motcua.adapters.vneid import VneidIdentity
from motcua.catalog.models import ProcedureVersion
from motcua.citizens.services import citizen_login
from motcua.core.errors import Conflict, NotAllowed, NotFound
from motcua.core.models import AuditEntry
from motcua.documents.constants import DocumentKind, DocumentType, Source
from motcua.documents.models import Document
from motcua.documents.services import Digitization, document_add, document_digitize, document_reuse
from motcua.documents.warehouse import my_warehouse, reuse_share, warehouse_list
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_pages import reception_post
from motcua.portal.tests.dom import Page

from . import files
from .conftest import LAN, receive, stored_files

pytestmark = pytest.mark.django_db

HUNG = "087190009999"  # the `stranger` of conftest
PROXY = "Văn bản ủy quyền"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def component(d: Dossier, name: str = PROXY):
    return d.components.get(name=name)


def digitized_paper(world, d: Dossier, *, note: str = "uq", **data) -> Document:
    """A power of attorney handed in with `d`, scanned and digitized at the desk."""
    officer = world["commune_officer"]
    paper = document_add(
        actor=officer,
        dossier=d,
        component=component(d),
        content=files.pdf(note=note),
        name="uy-quyen.pdf",
    )
    values = {
        "document_type": DocumentType.POWER_OF_ATTORNEY,
        "number": "12/UQ",
        "issued_on": dt.date(2026, 3, 1),
        "issuer": "UBND xã",
        **data,
    }
    return document_digitize(actor=officer, document=paper, data=Digitization(**values))


@pytest.fixture
def warehouse_catalog(world):
    """The birth procedure's power of attorney marked reusable from the data warehouse."""
    version = ProcedureVersion.objects.get(procedure=world.birth)
    content = dict(version.document)
    content["components"] = [
        {**c, "reuse": "data_warehouse", "reuse_source_name": "Kho dữ liệu"}
        if c["name"] == PROXY
        else c
        for c in content["components"]
    ]
    ProcedureVersion.objects.filter(pk=version.pk).update(document=content)


@pytest.fixture
def paper(world, dossier) -> Document:
    return digitized_paper(world, dossier)


@pytest.fixture
def hung_paper(world) -> Document:
    d = receive(world, id_number=HUNG, name="Trần Văn Hùng")
    return digitized_paper(world, d, note="hung")


# The warehouse ------------------------------------------------------------------------------


def test_the_warehouse_lists_a_persons_digitized_paper_and_not_anothers(
    world, dossier, paper, hung_paper, lan
):
    # A scan nobody digitized is not (yet) in the warehouse.
    document_add(
        actor=world["commune_officer"],
        dossier=dossier,
        component=dossier.components.first(),
        content=files.pdf(note="raw"),
        name="to-khai.pdf",
    )

    items = my_warehouse(user=lan)

    assert [i.document.pk for i in items] == [paper.pk]
    assert items[0].dossier_code == dossier.code and not items[0].expired
    at_desk = warehouse_list(user=world["commune_officer"], owner_kind="person", owner_number=HUNG)
    assert [i.document.pk for i in at_desk] == [hung_paper.pk]


def test_results_and_certified_copies_are_in_the_warehouse_without_digitizing(
    world, dossier, lan, django_assert_max_num_queries
):
    for kind, note in ((DocumentKind.RESULT, "kq"), (DocumentKind.CERTIFIED_COPY, "bs")):
        document_add(
            actor=world["commune_officer"],
            dossier=dossier,
            content=files.pdf(note=note),
            name=f"{note}.pdf",
            kind=kind,
        )
    digitized_paper(world, dossier)

    with django_assert_max_num_queries(3):
        items = my_warehouse(user=lan)

    assert [i.document.kind for i in items] == ["component", "certified_copy", "result"]


def test_an_organization_sees_its_own_warehouse_by_its_code(world):
    code = "1402345678"
    d = receive(world, kind="organization", id_number=code, name="Công ty TNHH Sen Hồng")
    paper = digitized_paper(world, d, document_type=DocumentType.BUSINESS_REGISTRATION)
    company = citizen_login(
        identity=VneidIdentity(
            subject="sub-org",
            kind="organization",
            number=code,
            name="Công ty TNHH Sen Hồng",
            ial="2",
            id_token="x.y.z",
        )
    )
    person = citizen_login(
        identity=VneidIdentity(
            subject="sub-same-number",
            kind="citizen",
            number="087190001111",
            name="Lê Văn Tư",
            ial="2",
            id_token="x.y.z",
        )
    )

    assert [i.document.pk for i in my_warehouse(user=company)] == [paper.pk]
    assert paper.owner_kind == "organization"
    assert my_warehouse(user=person) == []


def test_only_the_owner_and_receiving_officials_read_a_warehouse(world, paper, stranger):
    with pytest.raises(NotAllowed):
        warehouse_list(user=stranger, owner_kind="person", owner_number=LAN)
    with pytest.raises(NotAllowed):
        warehouse_list(user=world["commune_specialist"], owner_kind="person", owner_number=LAN)
    with pytest.raises(NotAllowed):
        my_warehouse(user=world["commune_officer"])
    assert my_warehouse(user=stranger) == []


def test_an_expired_paper_is_marked_expired(world, dossier, lan):
    old = digitized_paper(
        world,
        dossier,
        issued_on=dt.date(2020, 1, 1),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )

    (item,) = my_warehouse(user=lan)

    assert item.document.pk == old.pk and item.expired
    page = client_for(lan).get("/kho-du-lieu/")
    assert Page(page).select(".warehouse-expired")
    second = receive(world)
    with pytest.raises(Conflict) as refused:
        document_reuse(
            actor=world["commune_officer"],
            dossier=second,
            component=component(second),
            document=old,
        )
    assert refused.value.code == "expired"


def test_the_owners_page_lists_and_downloads_the_papers(world, paper, hung_paper, lan, stranger):
    response = client_for(lan).get("/kho-du-lieu/")

    assert response.status_code == 200
    page = Page(response)
    (link,) = page.select("a.warehouse-download")
    assert link.attrs["href"] == f"/giay-to/{paper.pk}/tai-ve/"
    download = client_for(lan).get(link.attrs["href"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == files.pdf(note="uq")
    assert AuditEntry.objects.filter(action="document.read", object_id=str(paper.pk)).exists()
    # Another citizen (Hùng): his own paper only, and Lan's is not his to read.
    other = client_for(stranger)
    links = Page(other.get("/kho-du-lieu/")).select("a.warehouse-download")
    assert [a.attrs["href"] for a in links] == [f"/giay-to/{hung_paper.pk}/tai-ve/"]
    assert other.get(f"/giay-to/{paper.pk}/tai-ve/").status_code == 404
    assert client_for(world["commune_officer"]).get("/kho-du-lieu/").status_code == 403
    # Linked from "Hồ sơ của tôi".
    assert Page(client_for(lan).get("/ho-so-cua-toi/")).select('a[href="/kho-du-lieu/"]')


def test_the_api_lists_my_warehouse_for_the_owner_only(world, paper, lan):
    response = client_for(lan).get("/api/v1/me/warehouse")

    assert response.status_code == 200, response.content
    (item,) = response.json()
    assert (item["document"]["id"], item["expired"], item["document"]["sha256"]) == (
        paper.pk,
        False,
        paper.sha256,
    )
    assert client_for(world["commune_officer"]).get("/api/v1/me/warehouse").status_code == 403
    desk = client_for(world["commune_officer"]).get(
        "/api/v1/documents/warehouse", {"owner_kind": "person", "owner_number": LAN}
    )
    assert [i["document"]["id"] for i in desk.json()] == [paper.pk]
    assert (
        client_for(world["commune_specialist"])
        .get("/api/v1/documents/warehouse", {"owner_kind": "person", "owner_number": LAN})
        .status_code
        == 403
    )


# Reuse ----------------------------------------------------------------------------------------


def test_a_warehouse_paper_is_reused_in_a_second_dossier_without_re_upload(
    world, dossier, paper, settings
):
    second = receive(world)
    blobs = stored_files(settings)
    rows = Document.objects.count()

    reused = document_reuse(
        actor=world["commune_officer"],
        dossier=second,
        component=component(second),
        document=paper,
    )

    assert stored_files(settings) == blobs  # nothing stored again
    assert Document.objects.count() == rows + 1
    assert reused.pk != paper.pk
    assert (reused.dossier, reused.source, reused.reused_from) == (second, Source.REUSED, paper)
    assert (reused.sha256, reused.storage_name) == (paper.sha256, paper.storage_name)
    assert (reused.document_type, reused.number) == (DocumentType.POWER_OF_ATTORNEY, "12/UQ")
    assert AuditEntry.objects.filter(action="document.reuse", object_id=str(reused.pk)).exists()
    # The warehouse still lists the paper once.
    assert (
        len(warehouse_list(user=world["commune_officer"], owner_kind="person", owner_number=LAN))
        == 1
    )


def test_another_persons_paper_is_not_reused(world, dossier, hung_paper):
    rows = Document.objects.count()

    with pytest.raises(NotFound):
        document_reuse(
            actor=world["commune_officer"],
            dossier=dossier,
            component=component(dossier),
            document=hung_paper,
        )

    assert Document.objects.count() == rows


def test_the_api_reuses_the_applicants_paper_and_refuses_anothers(
    world, dossier, paper, hung_paper
):
    officer = client_for(world["commune_officer"])
    second = receive(world)

    def post(document):
        body = {
            "dossier_id": second.pk,
            "component_id": component(second).pk,
            "document_id": document.pk,
        }
        return officer.post(
            "/api/v1/documents/reuse", json.dumps(body), content_type="application/json"
        )

    refused = post(hung_paper)
    assert refused.status_code == 404
    assert not second.documents.exists()
    done = post(paper)
    assert done.status_code == 201, done.content
    body = done.json()
    assert (body["source"], body["reused_from_id"], body["sha256"]) == (
        "reused",
        paper.pk,
        paper.sha256,
    )


def test_the_desk_form_offers_and_reuses_a_warehouse_paper(
    world, paper, warehouse_catalog, settings
):
    officer = client_for(world["commune_officer"])
    data = reception_post(world, applicant_id_number=LAN, applicant_name="Nguyễn Thị Lan")
    data.update({"tp-2-name": PROXY, "tp-2-listed": "True", "tp-2-originals": "0"})

    # Re-rendered with the applicant's number (as after "Look up"): the paper is offered.
    offered = Page(officer.post("/ho-so/tiep-nhan/", {**data, "add_row": "1"}))
    options = [o.attrs.get("value") for o in offered.select("select[name=tp-2-reuse] option")]
    assert str(paper.pk) in options
    assert not offered.select("select[name=tp-0-reuse]")  # not marked reusable
    blobs = stored_files(settings)

    saved = officer.post(
        "/ho-so/tiep-nhan/", {**data, "tp-2-received": "on", "tp-2-reuse": paper.pk}
    )

    assert saved.status_code == 302, saved.content.decode()[:2000]
    d = Dossier.objects.exclude(pk=paper.dossier_id).get()
    reused = d.documents.get()
    assert (reused.reused_from, reused.sha256, reused.component.name) == (
        paper,
        paper.sha256,
        PROXY,
    )
    assert stored_files(settings) == blobs
    detail = officer.get(f"/ho-so/{d.pk}/").content.decode()
    assert f"Tái sử dụng từ kho dữ liệu (hồ sơ {paper.dossier.code})" in detail


def test_the_desk_form_refuses_another_persons_paper(world, hung_paper, warehouse_catalog):
    officer = client_for(world["commune_officer"])
    data = reception_post(world, applicant_id_number=LAN, applicant_name="Nguyễn Thị Lan")
    data.update(
        {
            "tp-2-name": PROXY,
            "tp-2-listed": "True",
            "tp-2-received": "on",
            "tp-2-reuse": hung_paper.pk,
        }
    )

    refused = officer.post("/ho-so/tiep-nhan/", data)

    assert refused.status_code == 422  # not among the choices offered
    assert Dossier.objects.count() == 1  # Hùng's only


def test_the_dossier_page_offers_the_warehouse_for_a_marked_component(
    world, dossier, paper, warehouse_catalog
):
    second = receive(world)
    officer = client_for(world["commune_officer"])

    page = Page(officer.get(f"/ho-so/{second.pk}/"))
    (form,) = page.select("form.paper-reuse")
    response = officer.post(form.attrs["action"], {"document": paper.pk})

    assert response.status_code == 302
    assert second.documents.get().reused_from == paper


# Figure ---------------------------------------------------------------------------------------


def test_the_reuse_share_counts_dossiers_with_a_reused_component(world, dossier, paper):
    second = receive(world)
    document_reuse(
        actor=world["commune_officer"],
        dossier=second,
        component=component(second),
        document=paper,
    )
    now = timezone.now()

    share = reuse_share(start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1))

    assert (share.received, share.reused, share.percent) == (2, 1, 50.0)
    empty = reuse_share(start=now - dt.timedelta(days=3), end=now - dt.timedelta(days=2))
    assert (empty.received, empty.percent) == (0, 0.0)
