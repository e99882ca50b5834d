"""An id that cannot exist answers 404 on the pages, never a 500 (a 30-digit id reached the
database: SQLite cannot bind it, PostgreSQL overflows bigint)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


def test_pages_with_impossible_ids_answer_404(world, superuser):
    official = Client(raise_request_exception=False)
    official.force_login(world["commune_officer"])
    admin = Client(raise_request_exception=False)
    admin.force_login(superuser)
    public = Client(raise_request_exception=False)
    for client, url in (
        (official, f"/ho-so/{HUGE}/"),
        (official, f"/ho-so/{HUGE}/tiep-nhan/"),
        (public, f"/thu-tuc/mau/{HUGE}/"),
        (public, f"/thu-tuc/toan-trinh/{HUGE}.xlsx"),
    ):
        assert client.get(url).status_code == 404, url
    # In the admin an id that matches no page falls to the admin's own "no such object"
    # (a redirect to the list with a message), as Django's admin does for any bad id.
    for url in (
        f"/admin/workflows/processdefinition/{HUGE}/steps/",
        f"/admin/catalog/import/{HUGE}/",
        f"/admin/accounts/user/import/{HUGE}/",
    ):
        assert admin.get(url).status_code in (302, 404), url
    # Ids that may exist still route.
    assert official.get("/ho-so/999999/").status_code == 404
