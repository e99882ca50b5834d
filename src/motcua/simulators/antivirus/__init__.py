"""A clamd stand-in speaking its protocol over TCP (adapters/antivirus/): PING, and INSTREAM,
which flags the EICAR test string (the standard harmless "virus" every scanner detects) and
passes anything else. Not an HTTP service: tests and the demo start it in a thread
(`clamd_start`) and point ANTIVIRUS_CLAMD at it.

Switches for tests: `server.down = True` closes connections without answering (a daemon that is
unreachable), `server.max_bytes` answers the size-limit error past that many bytes.
"""

from __future__ import annotations

import socketserver
import struct
import threading

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


def _read_exact(rfile, n: int) -> bytes:
    data = rfile.read(n)
    if data is None or len(data) != n:
        raise ConnectionError("short read")
    return data


class _Handler(socketserver.StreamRequestHandler):
    server: ClamdSimulator

    def handle(self) -> None:
        if self.server.down:
            return  # closes without a word
        command = b""
        while not command.endswith((b"\0", b"\n")) and len(command) < 64:
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        name = command.strip(b"\0\n").lstrip(b"zn")
        if name == b"PING":
            self._reply(b"PONG")
        elif name == b"INSTREAM":
            self._instream()
        else:
            self._reply(b"UNKNOWN COMMAND")

    def _instream(self) -> None:
        received = bytearray()
        while True:
            (size,) = struct.unpack("!L", _read_exact(self.rfile, 4))
            if size == 0:
                break
            received += _read_exact(self.rfile, size)
            if self.server.max_bytes and len(received) > self.server.max_bytes:
                self._reply(b"INSTREAM size limit exceeded. ERROR")
                return
        self.server.scanned += 1
        if EICAR in received:
            self._reply(f"stream: {SIGNATURE} FOUND".encode())
        else:
            self._reply(b"stream: OK")

    def _reply(self, text: bytes) -> None:
        self.wfile.write(text + b"\0")


class ClamdSimulator(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.down = False
        self.max_bytes = 0
        self.scanned = 0

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


def clamd_start(host: str = "127.0.0.1", port: int = 0) -> ClamdSimulator:
    """Start the simulator in a daemon thread; `server.address` is its "host:port"; stop it
    with `server.shutdown(); server.server_close()`."""
    server = ClamdSimulator((host, port))
    threading.Thread(target=server.serve_forever, name="clamd-sim", daemon=True).start()
    return server
