"""An address under /api/v1/ that names no operation answers 404 with the error body.

`/api/v1/dossiers/{int:dossier_id}` does not match a path that is no number, so Django's HTML
404 page answered: not the JSON the operation documents (schemathesis, content-type check).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/api/v1/dossiers/null,null", "/api/v1/dossiers/abc/history", "/api/v1/no-such-thing"]
)
def test_unknown_api_address_is_404_with_the_error_body(client, superuser, url):
    client.force_login(superuser)

    response = client.get(url)

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}


def test_unknown_page_keeps_the_html_404(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
