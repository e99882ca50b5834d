"""The demo shows the hand-over to a central system and the dossiers such systems hand to the
province: after demo_setup the external systems' accounts exist (with the delivery role) and
the marital-status workflow, whose step hands over to the coordination system, is active and
valid."""

import pytest
from django.conf import settings

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.demo.services import demo_setup
from motcua.demo.workflows import EXTERNAL_DEMO_SYSTEM, MARITAL_STATUS
from motcua.organizations.models import Agency
from motcua.workflows.selectors import definition_active_for
from motcua.workflows.spec import spec_parse
from motcua.workflows.validation import structure_problems

pytestmark = pytest.mark.django_db


def test_demo_setup_creates_the_external_step_its_system_account_and_is_idempotent():
    demo_setup()

    commune = Agency.objects.get(code="000.00.31.H20")  # UBND Phường Mỹ Tho
    definition = definition_active_for(Procedure.objects.get(code=MARITAL_STATUS), commune)
    assert definition is not None and definition.status == "active"
    spec = spec_parse(definition.document)
    (external,) = [s for s in spec.steps if s.kind == "external"]
    assert external.system == EXTERNAL_DEMO_SYSTEM
    assert structure_problems(spec) == []
    for name, config in settings.EXTERNAL_SYSTEMS.items():
        account = User.objects.get(username=config["account"])
        assert account.kind == User.Kind.SYSTEM and not account.has_usable_password(), name
        roles = set(account.grants.filter(revoked_at__isnull=True).values_list("role__code"))
        assert roles == ({("external_system",)} if config.get("inbound", []) else set()), name
    assert User.objects.get(
        username=settings.EXTERNAL_SYSTEMS[external.system]["account"]
    ).is_active

    counts = (User.objects.count(), definition.__class__.objects.count())
    demo_setup()
    assert (User.objects.count(), definition.__class__.objects.count()) == counts
