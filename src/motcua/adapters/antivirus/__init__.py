"""The antivirus daemon (ClamAV's clamd): every paper is scanned before it is kept
(documents/inspection.py). Speaks clamd's INSTREAM command over TCP: `zINSTREAM\\0`, then the
content in chunks each prefixed by its length (4 bytes, network order), then a zero length;
clamd answers `stream: OK`, `stream: <signature> FOUND` or `… ERROR` (clamd(8), "INSTREAM").

No HTTP here: a plain socket, so the module imports no HTTP client. Errors say whether a retry
may help (STYLE.md rule 8): a daemon that does not answer is retryable, one that refuses the
stream (size limit) is permanent.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

from motcua.adapters.errors import GatewayError

CHUNK = 64 * 1024


class AntivirusError(GatewayError):
    """The scan did not happen: the file is neither clean nor infected."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def scan(content: bytes, *, address: str | None = None, timeout: float | None = None) -> ScanResult:
    """Scan `content` with the clamd at `address` ("host:port", default
    settings.ANTIVIRUS_CLAMD)."""
    address = address or settings.ANTIVIRUS_CLAMD
    timeout = settings.ANTIVIRUS_TIMEOUT if timeout is None else timeout
    host, port = _address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"zINSTREAM\0")
            view = memoryview(content)
            for start in range(0, len(content), CHUNK):
                chunk = view[start : start + CHUNK]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            answer = _read_reply(conn)
    except TimeoutError as exc:
        raise AntivirusError(f"clamd at {address} timed out after {timeout} s") from exc
    except OSError as exc:
        raise AntivirusError(f"Cannot reach clamd at {address}: {exc.__class__.__name__}") from exc
    return _parse(answer, address)


def _read_reply(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > 4096:
            break
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def _parse(answer: str, address: str) -> ScanResult:
    # "stream: OK" / "stream: Eicar-Test-Signature FOUND" / "INSTREAM size limit exceeded. ERROR"
    if answer.endswith("OK") and answer.startswith("stream"):
        return ScanResult(clean=True)
    if answer.endswith("FOUND"):
        signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
        return ScanResult(clean=False, signature=signature[:200])
    if "size limit" in answer:
        raise AntivirusError(f"clamd at {address}: {answer}", permanent=True)
    raise AntivirusError(f"clamd at {address} answered {answer[:100]!r}")


def ping(*, address: str | None = None, timeout: float = 5) -> bool:
    """Does the daemon answer PING (readiness)?"""
    address = address or settings.ANTIVIRUS_CLAMD
    host, port = _address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"zPING\0")
            return _read_reply(conn) == "PONG"
    except OSError:
        return False
