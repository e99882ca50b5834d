"""The officials import over the API answers its importer's refusals with the error body.

A file the importer cannot read is a rejected batch (200, errors on row 1); a file whose rows
no longer hold when it is applied is 422 with the messages per row; a file applied twice, 409.
"""

from __future__ import annotations

import io

import pytest

from motcua.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, superuser):
    client.force_login(superuser)
    return client


def upload(api, content: bytes, name: str = "can-bo.csv"):
    file = io.BytesIO(content)
    file.name = name
    return api.post("/api/v1/officials/import", {"file": file})


def officials_csv(tree, username: str = "cv.moi") -> bytes:
    return (
        "Tên đăng nhập,Họ và tên,Mã cơ quan công tác\n"
        f"{username},Nguyễn Văn Mới,{tree['dept'].code}\n"
    ).encode()


def test_rows_that_no_longer_hold_at_apply_are_422_per_row(api, tree, make_official):
    preview = upload(api, officials_csv(tree)).json()
    assert preview["status"] == "previewed"
    make_official("cv.moi", tree["dept"])  # someone took the username meanwhile

    response = api.post(f"/api/v1/officials/import/{preview['id']}/apply")

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["2"]
    assert User.objects.filter(username="cv.moi").count() == 1


def test_unreadable_file_is_a_rejected_batch_and_cannot_be_applied(api):
    preview = upload(api, "Tên đăng nhập\n".encode("utf-16"))

    assert preview.status_code == 200
    assert preview.json()["status"] == "rejected"
    assert preview.json()["errors"][0]["row"] == 1
    applied = api.post(f"/api/v1/officials/import/{preview.json()['id']}/apply")
    assert applied.status_code == 409
    assert applied.json()["code"] == "conflict"


def test_a_field_over_the_csv_limit_is_refused_not_a_500(api, tree):
    # csv's field limit (131,072 characters) escaped the importer as csv.Error (issue 11 §5.6).
    content = officials_csv(tree).replace(b"Nguy", b"N" + b"x" * 131_073)

    response = upload(api, content)

    if response.status_code == 200:
        assert response.json()["status"] == "rejected"
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "invalid"
