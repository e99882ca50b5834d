"""Oversized requests are refused before their body is read (core.uploads), and workbooks that
unpack into too much are never opened (core.spreadsheets.xlsx_open)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import ImportBatch
from motcua.core.errors import InvalidInput
from motcua.core.spreadsheets import xlsx_open
from motcua.core.uploads import megabytes, upload_read

from .spreadsheet_files import zip_bomb_xlsx

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.REQUEST_MAX_BYTES = 1 * MB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # anything accepted would be spooled to disk
    return tmp_path


def upload(size: int, name: str = "can-bo.csv") -> io.BytesIO:
    file = io.BytesIO(b"x" * size)
    file.name = name
    return file


@pytest.mark.parametrize("path", ["/admin/accounts/user/import/", "/api/v1/officials/import"])
def test_oversized_request_is_refused_unread(client, superuser, small_limit, path):
    client.force_login(superuser)
    response = client.post(path, {"file": upload(2 * MB)})
    assert response.status_code == 413
    assert response["Connection"] == "close"
    text = response.content.decode()
    assert "Tệp quá lớn" in text and "1 MB" in text
    if path.startswith("/api/"):
        assert response.json()["code"] == "too_large"
    assert not ImportBatch.objects.exists()
    assert list(small_limit.iterdir()) == []  # nothing was spooled to disk


def test_default_limit_refuses_a_60_mb_upload(client, superuser, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    assert settings.REQUEST_MAX_BYTES == 21 * MB
    client.force_login(superuser)
    response = client.post("/api/v1/officials/import", {"file": upload(60 * MB)})
    assert response.status_code == 413
    assert not ImportBatch.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_request_with_an_unreadable_length_is_refused(client):
    response = client.generic("POST", "/api/v1/officials/import", b"", CONTENT_LENGTH="abc")
    assert response.status_code == 413


def test_requests_within_the_limit_pass(client, small_limit):
    assert client.post("/api/v1/officials/import", {"file": upload(1000)}).status_code == 401


def test_upload_read_checks_the_size_before_reading():
    with pytest.raises(InvalidInput) as refused:
        upload_read(SimpleUploadedFile("a.csv", b"x" * 2049), max_bytes=2048)
    assert "Tệp quá lớn" in refused.value.message
    assert list(refused.value.errors) == ["file"]
    assert upload_read(SimpleUploadedFile("a.csv", b"x" * 2048), max_bytes=2048) == b"x" * 2048


def test_megabytes_reads_well():
    assert megabytes(10 * MB) == "10 MB"
    assert megabytes(int(1.5 * MB)) == "1,5 MB"
    assert megabytes(20 * MB) == "20 MB"


def test_a_zip_bomb_is_not_opened():
    bomb = zip_bomb_xlsx(50 * MB)
    assert len(bomb) < 200 * 1024
    with pytest.raises(InvalidInput, match="giải nén"):
        xlsx_open(bomb, max_unpacked=20 * MB)
    assert xlsx_open(bomb, max_unpacked=60 * MB).worksheets  # within the bound: a workbook


def test_not_a_workbook():
    with pytest.raises(InvalidInput):
        xlsx_open(b"PK not really", max_unpacked=MB)
