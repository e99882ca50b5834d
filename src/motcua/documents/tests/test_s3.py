"""The S3-compatible storage, over real HTTP: moto's S3 server in a thread stands in for the
province's object store. A paper is stored, read back through `document_open`, kept under its
SHA-256, and never written twice; and the settings refuse an incomplete S3 configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

import motcua
from motcua.documents.selectors import document_open
from motcua.documents.services import document_add
from motcua.documents.storage import blob_name

from . import files

pytestmark = pytest.mark.django_db
BUCKET = "motcua-giay-to"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


@pytest.fixture
def s3(settings):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": endpoint,
                "bucket_name": BUCKET,
                "region_name": "us-east-1",
                "location": "documents",
                "default_acl": "private",
                "file_overwrite": True,
                **KEYS,
            },
        },
    }
    yield client
    server.stop()


def test_a_paper_is_stored_in_s3_and_read_back(world, dossier, s3):
    content = files.pdf(2, "s3")
    document = document_add(
        actor=world["commune_officer"], dossier=dossier, content=content, name="s3.pdf"
    )
    key = f"documents/{blob_name(document.sha256)}"
    assert document.storage_name == blob_name(document.sha256)
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    opened = document_open(user=world["commune_officer"], document=document)
    with opened.file:
        assert opened.file.read() == content
    # The same bytes again: one object, two papers.
    again = document_add(
        actor=world["commune_officer"], dossier=dossier, content=content, name="again.pdf"
    )
    assert again.storage_name == document.storage_name
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='motcua.settings'; "
        "from django.conf import settings; print(settings.STORAGES['documents']['BACKEND'])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DOCUMENTS_"))}
    clean["PYTHONPATH"] = str(Path(motcua.__file__).resolve().parents[1])
    return subprocess.run(  # noqa: S603 — this interpreter, a fixed program
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_incomplete_s3_settings_are_refused_and_complete_ones_taken(tmp_path):
    missing = _settings_with({"DOCUMENTS_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "b"})
    assert missing.returncode != 0
    assert "ImproperlyConfigured" in missing.stderr
    assert "AWS_S3_ENDPOINT_URL" in missing.stderr and "AWS_SECRET_ACCESS_KEY" in missing.stderr
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    complete = _settings_with(
        {
            "DOCUMENTS_STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_STORAGE_BUCKET_NAME": "b",
            "AWS_ACCESS_KEY_ID": "k",
            "AWS_SECRET_ACCESS_KEY_FILE": str(secret),
        }
    )
    assert complete.returncode == 0, complete.stderr
    assert complete.stdout.strip() == "storages.backends.s3.S3Storage"
    local = _settings_with({})
    assert local.stdout.strip() == "django.core.files.storage.FileSystemStorage"
    wrong = _settings_with({"DOCUMENTS_STORAGE": "ftp"})
    assert wrong.returncode != 0 and "DOCUMENTS_STORAGE" in wrong.stderr
