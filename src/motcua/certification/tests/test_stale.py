"""A certification whose process died between taking the number and storing the signed copy
leaves its line reserved: the beat task (and the command) voids it once it is older than
CERTIFICATION_STALE_MINUTES, visibly and audited; a recent one is left to finish; a process
that was only slow and finishes afterwards stores nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.certification import services
from motcua.certification.constants import EntryStatus
from motcua.certification.models import CertificationEntry
from motcua.certification.tasks import void_stale
from motcua.core.errors import Conflict
from motcua.core.models import AuditEntry
from motcua.documents.models import Document
from motcua.dossiers.tests.factories import draft_pdf

from .conftest import CCCD

pytestmark = pytest.mark.django_db

REQUESTER = services.Requester(name="Nguyễn Thị An", number=CCCD)
BIRTH = services.Original(document_type="giay_khai_sinh", number="123/2001", issuer="UBND xã")


def reserved(certifier, agency, at: dt.datetime) -> CertificationEntry:
    """What copy_certify has written when its process is killed before signing."""
    return services._reserve(
        actor=certifier,
        agency=agency,
        requester=REQUESTER,
        original=BIRTH,
        pages=2,
        copies=1,
        dossier=None,
        now=at,
    )


def test_a_line_left_reserved_is_voided_once_stale_and_a_late_finish_stores_nothing(
    tree, certifier, settings
):
    settings.CERTIFICATION_STALE_MINUTES = 30
    now = timezone.now()
    old = reserved(certifier, tree["commune"], now - dt.timedelta(minutes=31))
    recent = reserved(certifier, tree["commune"], now - dt.timedelta(minutes=5))

    assert void_stale() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == EntryStatus.VOIDED and old.void_reason.startswith("abandoned")
    assert recent.status == EntryStatus.RESERVED
    audit = AuditEntry.objects.get(action="certification.void")
    assert audit.actor_id is None and audit.after["status"] == EntryStatus.VOIDED
    assert (old.number, recent.number) == (1, 2)  # the number stays in the book, voided

    with pytest.raises(Conflict) as late:
        services._complete(actor=certifier, entry=old, signed_pdf=draft_pdf(), signed=None, now=now)
    assert late.value.code == "wrong_status"
    assert not Document.objects.exists()
    assert void_stale() == 0  # nothing more to do


def test_the_command_voids_by_its_own_age_and_refuses_a_nonsense_one(tree, certifier):
    reserved(certifier, tree["commune"], timezone.now() - dt.timedelta(minutes=11))
    out = StringIO()
    call_command("certifications_void_stale", "--minutes", "10", stdout=out)
    assert "1 reserved line(s) voided" in out.getvalue()
    assert CertificationEntry.objects.get().status == EntryStatus.VOIDED
    from django.core.management import CommandError

    for nonsense in ("0", "99999999999"):  # the second would run before year 1
        with pytest.raises(CommandError):
            call_command("certifications_void_stale", "--minutes", nonsense)
