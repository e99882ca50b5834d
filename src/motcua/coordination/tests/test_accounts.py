"""The external systems' accounts: created once, audited, system accounts without a login."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from motcua.accounts.models import User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_accounts_created_once(settings, superuser, tree):
    settings.EXTERNAL_SYSTEMS = {
        "btxh": {"label": "Hệ thống của Bộ", "account": "he-thong-btxh"},
        "dieuphoi": {"label": "Hệ thống điều phối", "account": "he-thong-dieuphoi"},
    }
    agency = tree["commune"]
    args = ["--actor", superuser.username, "--agency", agency.code]
    call_command("coordination_accounts", *args, stdout=io.StringIO())
    out = io.StringIO()
    call_command("coordination_accounts", *args, stdout=out)

    assert "0 account(s) created." in out.getvalue()
    users = User.objects.filter(username__startswith="he-thong-").order_by("username")
    assert [(u.username, u.kind, u.has_usable_password()) for u in users] == [
        ("he-thong-btxh", User.Kind.SYSTEM, False),
        ("he-thong-dieuphoi", User.Kind.SYSTEM, False),
    ]
    assert AuditEntry.objects.filter(action="system_account.create").count() == 2


def test_unknown_actor_refused(tree):
    with pytest.raises(CommandError):
        call_command("coordination_accounts", "--actor", "nobody", "--agency", "x")


def test_a_system_handing_dossiers_over_gets_the_delivery_role_once(settings, superuser, tree):
    from motcua.coordination.services import external_accounts_ensure

    settings.EXTERNAL_SYSTEMS = {
        "btxh": {"label": "Hệ thống của Bộ", "account": "he-thong-btxh", "inbound": ["push"]},
        "dieuphoi": {"label": "Hệ thống điều phối", "account": "he-thong-dieuphoi"},
    }
    external_accounts_ensure(actor=superuser, agency=tree["root"])
    external_accounts_ensure(actor=superuser, agency=tree["root"])

    btxh = User.objects.get(username="he-thong-btxh")
    (grant,) = btxh.grants.all()
    assert (grant.role.code, grant.agency, grant.include_subtree) == (
        "external_system",
        tree["root"],
        True,
    )
    assert not User.objects.get(username="he-thong-dieuphoi").grants.exists()
