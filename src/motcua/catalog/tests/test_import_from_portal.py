"""Import from the national procedure database over real HTTP (the portal simulator)."""

from __future__ import annotations

import pytest

from motcua.accounts.models import User
from motcua.adapters.national_portal.catalog import NationalCatalogClient
from motcua.catalog.importing import catalog_import_apply, catalog_import_from_portal
from motcua.catalog.models import CatalogImport, ProcedureVersion
from motcua.core.errors import InvalidInput

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_user(db):
    return User.objects.create(username="root", full_name="Root", is_superuser=True)


def test_procedures_fetched_from_the_portal_become_drafts(live_server, admin_user):
    client = NationalCatalogClient(live_server.url + "/sim/dvcqg")
    batch = catalog_import_from_portal(
        actor=admin_user, codes=["1.001193", "1.000894"], client=client
    )
    assert [(r["code"], r["status"]) for r in batch.diff] == [
        ("1.001193", "new"),
        ("1.000894", "new"),
    ]
    versions = catalog_import_apply(actor=admin_user, batch=batch)
    assert {v.procedure.name for v in versions} == {
        "Thủ tục đăng ký khai sinh",
        "Thủ tục đăng ký kết hôn",
    }
    # Fetching again: same content, nothing to apply.
    again = catalog_import_from_portal(actor=admin_user, codes=["1.001193"], client=client)
    assert again.diff[0]["status"] == "unchanged"


def test_unknown_code_at_the_portal_imports_nothing(live_server, admin_user):
    client = NationalCatalogClient(live_server.url + "/sim/dvcqg")
    with pytest.raises(InvalidInput) as caught:
        catalog_import_from_portal(actor=admin_user, codes=["1.001193", "9.999999"], client=client)
    assert "9.999999" in caught.value.errors
    assert not CatalogImport.objects.exists()
    assert not ProcedureVersion.objects.exists()
