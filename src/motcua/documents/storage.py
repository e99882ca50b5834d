"""Where the papers' bytes live: the "documents" storage of settings.STORAGES (the local file
system or an S3-compatible store, by DOCUMENTS_STORAGE), behind Django's storage API.

A blob is named by its SHA-256 (`sha256/ab/cd/<hash>`), so the same bytes are kept once however
many dossiers hold them, and a name never comes to hold other bytes: nothing is overwritten.
A blob written inside a transaction that then rolls back stays unreferenced (harmless, and
found again by the next upload of the same bytes); a row never points at a missing blob."""

from __future__ import annotations

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages

ALIAS = "documents"


def documents_storage() -> Storage:
    return storages[ALIAS]


def blob_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def blob_put(*, sha256: str, content: bytes) -> str:
    """Store `content` (whose SHA-256 the caller computed) unless the same bytes are there;
    return the name it is under."""
    storage = documents_storage()
    name = blob_name(sha256)
    if storage.exists(name) and storage.size(name) == len(content):
        return name
    # A blob of the wrong size under the name (a write cut short): the local storage saves the
    # new one beside it under another name; S3 replaces the object whole.
    return storage.save(name, ContentFile(content))


def blob_open(name: str) -> File:
    return documents_storage().open(name, "rb")
