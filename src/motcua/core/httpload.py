"""A closed-loop HTTP load generator for the benchmarks: N clients, one process each.

Each client is its own process (started with "spawn", so it holds no copy of the parent's
database connections) with one keep-alive HTTP/1.1 connection: it sends a request, waits for
the answer, and sends the next. Separate processes keep the generator from measuring its own
GIL: with client threads in one process, 16 clients queue on one interpreter lock, and what is
timed is partly the load generator. Bodies are encoded before the clock starts, every client
makes a few untimed warm-up requests first (the server's per-process caches fill then), and the
CPU time each client used is reported, so a run shows whether the client was the bottleneck.

This module imports nothing from Django: the spawned clients start in a fraction of a second.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import time
from dataclasses import dataclass, field

# Clock shared by all processes on one machine (CLOCK_MONOTONIC on Linux).
_clock = time.monotonic


@dataclass
class Job:
    """What one client sends: POST `path` with each body in turn (cycling), these headers."""

    path: str
    bodies: list[bytes]
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


@dataclass
class ClientResult:
    latencies_ms: list[float]
    errors: int
    first_error: str
    cpu_seconds: float
    started: float
    finished: float


@dataclass
class LoadResult:
    """The run's totals: completed requests, their latencies, and the clients' CPU time."""

    requests: int
    elapsed: float
    latencies_ms: list[float]
    errors: int
    first_error: str
    client_cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _client(
    host: str,
    port: int,
    job: Job,
    warmup: int,
    ready,
    go,
    seconds: float,
    out,
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Connection": "keep-alive", **job.headers}
    bodies = job.bodies
    n = len(bodies)
    latencies: list[float] = []
    errors = 0
    first_error = ""
    i = 0

    def send(body: bytes) -> tuple[int, bytes]:
        nonlocal conn
        try:
            conn.request(job.method, job.path, body, headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            # The server closed the connection (e.g. a worker restarted): reconnect once.
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request(job.method, job.path, body, headers)
            response = conn.getresponse()
            return response.status, response.read()

    for _ in range(warmup):
        send(bodies[i % n])
        i += 1
    ready.put(os.getpid())
    go.wait()
    started = _clock()
    stop_at = started + seconds
    cpu0 = time.process_time()
    now = started
    while now < stop_at:
        body = bodies[i % n]
        i += 1
        t0 = _clock()
        status, content = send(body)
        now = _clock()
        latencies.append((now - t0) * 1000)
        if status >= 300:
            errors += 1
            if not first_error:
                first_error = f"HTTP {status}: {content[:300]!r}"
    cpu = time.process_time() - cpu0
    conn.close()
    out.put(ClientResult(latencies, errors, first_error, cpu, started, now))


def run(
    host: str,
    port: int,
    jobs: list[Job],
    *,
    seconds: float,
    warmup: int = 5,
    on_start=None,
) -> LoadResult:
    """Drive the server with one client process per job for `seconds`; `on_start()` is called
    once every client is connected and warmed up, just before the clock starts."""
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(
            target=_client,
            args=(host, port, job, warmup, ready, go, seconds, out),
            daemon=True,
        )
        for job in jobs
    ]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            ready.get(timeout=120)
        if on_start is not None:
            on_start()
        go.set()
        results: list[ClientResult] = [out.get(timeout=seconds + 120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    latencies = [ms for r in results for ms in r.latencies_ms]
    errors = sum(r.errors for r in results)
    return LoadResult(
        requests=len(latencies),
        elapsed=max(r.finished for r in results) - min(r.started for r in results),
        latencies_ms=latencies,
        errors=errors,
        first_error=next((r.first_error for r in results if r.first_error), ""),
        client_cpu_seconds=sum(r.cpu_seconds for r in results),
    )


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """The direct child processes of `pid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values) - idle) / tick, sum(values) / tick
