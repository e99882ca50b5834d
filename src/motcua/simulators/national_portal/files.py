"""Files the national portal holds for dossiers submitted there, handed over by address
(DOMAIN-integration.md §9.2, "Files by URL"): the portal's file store and the file proxy.

- `GET files/<id>/<name>`: a file's bytes, as the portal's storage serves them (OCPS downloads
  the address directly).
- `POST KetNoiMotCuaQuocGia/getfile {"DuongDan": "<address>"}`: the proxy TDDVC downloads
  through → `{"error_code": 0, "message": "", "data": "<base64>"}`, or `error_code` -1 when the
  address names no file. The reply's shape beyond "returns base64" is UNCONFIRMED. The proxy
  answers through the national portal's fault switch (`_faults`: outage, errors, latency).

`file_put(content, name)` stores a file and returns its address (the pusher uses it to send a
dossier's files by address). State lives in this process's memory, like the pull queue.
"""

from __future__ import annotations

import base64
import mimetypes
import secrets
import threading
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from .sync import Refused, _answer, _enabled, sync_endpoint

_lock = threading.Lock()
_files: dict[str, tuple[str, bytes]] = {}
MAX_FILES = 10_000


def file_put(content: bytes, name: str, *, base_url: str | None = None) -> str:
    """Store `content`; its address on this simulator (under `base_url`, SITE_URL by default)."""
    file_id = secrets.token_urlsafe(12)
    with _lock:
        if len(_files) >= MAX_FILES:
            _files.pop(next(iter(_files)))
        _files[file_id] = (name, content)
    path = reverse("sim_national_portal:file", args=[file_id, quote(name)])
    return (base_url or settings.SITE_URL).rstrip("/") + path


def files_reset() -> None:
    with _lock:
        _files.clear()


def _lookup(address: str) -> tuple[str, bytes] | None:
    parts = urlsplit(address).path.rstrip("/").split("/")
    if len(parts) < 3 or parts[-3] != "files":
        return None
    with _lock:
        return _files.get(parts[-2])


def file_get(request: HttpRequest, file_id: str, name: str) -> HttpResponse:
    _enabled()
    with _lock:
        found = _files.get(file_id)
    if found is None:
        raise Http404("No such file.")
    stored_name, content = found
    kind = mimetypes.guess_type(stored_name)[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["Content-Length"] = str(len(content))
    return response


@sync_endpoint
def getfile(request: HttpRequest, body: Any) -> HttpResponse:
    address = body.get("DuongDan") if isinstance(body, dict) else None
    if not isinstance(address, str) or not address:
        raise Refused("-1", "Thiếu DuongDan")
    found = _lookup(address)
    if found is None:
        raise Refused("-1", "Không tìm thấy tệp")
    return _answer("0", "", data=base64.b64encode(found[1]).decode())
