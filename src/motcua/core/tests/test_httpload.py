"""The benchmarks' load generator: client processes, keep-alive, warm-up, errors, CPU figures."""

from __future__ import annotations

import itertools
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from motcua.core import httpload


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the server says otherwise

    def setup(self):
        # One handler per accepted connection: numbered, since a fast client's closed
        # connections free their ports for the next ones (counting addresses undercounted).
        super().setup()
        self.connection_number = next(self.server.numbers)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        self.server.connections.add(self.connection_number)
        status = 500 if body == b"fail" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        if self.server.close_each:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    def start(close_each=False):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.bodies, httpd.connections, httpd.close_each = [], set(), close_each
        httpd.numbers = itertools.count()
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return httpd

    started: list[ThreadingHTTPServer] = []
    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def test_clients_send_their_own_bodies_in_turn_over_one_connection_each(server):
    httpd = server()
    jobs = [httpload.Job("/x", [b"a1", b"a2"]), httpload.Job("/x", [b"b1"])]
    calls = []
    result = httpload.run(
        "127.0.0.1",
        httpd.server_address[1],
        jobs,
        seconds=0.5,
        warmup=3,
        on_start=lambda: calls.append(len(httpd.bodies)),
    )
    assert calls == [6]  # warm-up done (3 per client) before the clock started
    assert result.errors == 0 and result.requests > 10
    assert result.requests == len(httpd.bodies) - 6 == len(result.latencies_ms)
    assert set(httpd.bodies) == {b"a1", b"a2", b"b1"}
    assert len(httpd.connections) == 2  # keep-alive: one connection per client
    assert 0 < result.elapsed < 5 and result.rate > 0
    assert result.client_cpu_seconds > 0
    assert result.percentile(50) <= result.percentile(99)


def test_a_server_closing_each_connection_is_followed(server):
    httpd = server(close_each=True)
    result = httpload.run(
        "127.0.0.1", httpd.server_address[1], [httpload.Job("/x", [b"a"])], seconds=0.3
    )
    assert result.errors == 0 and result.requests > 3
    assert len(httpd.connections) == result.requests + 5  # a new connection every time


def test_failed_requests_are_counted_with_the_first_answer(server):
    httpd = server()
    result = httpload.run(
        "127.0.0.1",
        httpd.server_address[1],
        [httpload.Job("/x", [b"ok", b"fail"])],
        seconds=0.3,
        warmup=0,
    )
    assert result.errors == result.requests // 2
    assert result.first_error.startswith("HTTP 500")


def test_cpu_and_process_figures_come_from_proc():
    assert httpload.process_cpu_seconds(os.getpid()) > 0
    assert httpload.process_cpu_seconds(2**22 + 1) == 0.0  # no such process
    assert os.getpid() in httpload.children_of(os.getppid())
    busy, total = httpload.machine_busy()
    assert 0 < busy <= total
