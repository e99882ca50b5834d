"""A certification done within the procedure "Chứng thực bản sao từ bản chính" (2.000815) links
its dossier; a dossier of another procedure, or one the certifier may not see, is refused and
nothing is stored."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure
from motcua.certification.constants import PROCEDURE_CODE
from motcua.certification.models import CertificationEntry
from motcua.certification.services import Original, Requester, copy_certify
from motcua.core.errors import InvalidInput, NotFound
from motcua.documents.tests.conftest import birth_form, catalog_admin, receive, world  # noqa: F401

from .conftest import CCCD, scan_pdf

pytestmark = pytest.mark.django_db


def _certify(world, dossier, actor=None):  # noqa: F811
    return copy_certify(
        actor=actor or world["commune_chair"],
        agency=world.tree["commune"],
        scan=scan_pdf(1),
        scan_name="ban-chinh.pdf",
        requester=Requester(name=dossier.applicant_name, number=CCCD),
        original=Original(document_type="cccd"),
        dossier=dossier,
    )


def test_a_dossier_of_the_procedure_is_linked_and_its_code_is_on_the_signature(world):  # noqa: F811
    dossier = receive(world)
    # The demo world's commune procedure, coded as the catalog's certification procedure.
    Procedure.objects.filter(pk=world.birth.pk).update(code=PROCEDURE_CODE)
    dossier.procedure.refresh_from_db()

    entry = _certify(world, dossier)
    assert entry.dossier == dossier
    assert entry.signed.dossier_code == dossier.code


def test_a_dossier_of_another_procedure_is_refused(world):  # noqa: F811
    dossier = receive(world)
    with pytest.raises(InvalidInput) as refused:
        _certify(world, dossier)
    assert "dossier" in refused.value.errors
    assert not CertificationEntry.objects.exists()


def test_a_dossier_the_certifier_may_not_see_is_not_found(world, make_official):  # noqa: F811
    dossier = receive(world)
    Procedure.objects.filter(pk=world.birth.pk).update(code=PROCEDURE_CODE)
    dossier.procedure.refresh_from_db()
    other = make_official(
        "chu-tich-xa-2",
        world.tree["commune2"],
        [("agency_leader", world.tree["commune2"], False, None, None)],
    )
    with pytest.raises(NotFound):
        copy_certify(
            actor=other,
            agency=world.tree["commune2"],
            scan=scan_pdf(1),
            scan_name="ban-chinh.pdf",
            requester=Requester(name="A", number=CCCD),
            original=Original(document_type="cccd"),
            dossier=dossier,
        )
    assert not CertificationEntry.objects.exists()
