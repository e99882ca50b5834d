"""Real processes for the delivery fault tests: Celery workers and beat (`celery -A motcua`) on
the test database, and a private Redis server that a test may kill and start again.

The test database must be PostgreSQL (another process cannot reach SQLite's in-memory test
database) and its rows committed (transaction=True or live_server), so the workers see them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from django.conf import settings as django_settings
from django.db import connection

ROOT = Path(django_settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def redis_flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class PrivateRedis:
    """`redis-server --port <free> --save ''`: a broker this test owns, so it may restart it
    (its queue is lost with it, as after a crash without persistence)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        server = shutil.which("redis-server") or "redis-server"
        args = ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(  # noqa: S603 — fixed arguments
            [server, *args, "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None


class CeleryProcesses:
    """Workers and a beat started with `celery -A motcua`, each in its own process group."""

    def __init__(self, broker_url: str, env: dict[str, str]) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="motcua-celery-"))
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
            **env,
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 — the child owns it
        proc = subprocess.Popen(  # noqa: S603 — fixed arguments
            [CELERY, "-A", "motcua", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs[name] = proc
        return proc

    def worker(self, name: str, *, concurrency: int = 1) -> subprocess.Popen:
        return self._start(
            name,
            [
                *("worker", "-n", f"{name}@%h", "--concurrency", str(concurrency)),
                *("--loglevel", "WARNING", "--without-gossip", "--without-mingle"),
                *("--prefetch-multiplier", "1"),
            ],
        )

    def beat(self) -> subprocess.Popen:
        return self._start(
            "beat",
            ["beat", "--loglevel", "WARNING", "--schedule", str(self.tmp / "beat-schedule")],
        )

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: the worker and its pool children, no goodbye."""
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop_all(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(name)
                    continue
            self.procs.pop(name)
        shutil.rmtree(self.tmp, ignore_errors=True)


def worker_env(portal_base: str, **overrides: str) -> dict[str, str]:
    """The settings a worker needs to deliver to the simulator behind `portal_base` fast."""
    env = {
        # Every simulator's address derives from it (the SMS and e-mail gateways too).
        "SITE_URL": portal_base.removesuffix("/sim/dvcqg"),
        "NATIONAL_PORTAL_URL": portal_base,
        "NATIONAL_PORTAL_SYNC_URL": portal_base + "/lgsp",
        "NATIONAL_PORTAL_SYNC_TIMEOUT": "5",
        "OUTBOX_DISPATCH_INTERVAL_SECONDS": "1",
        "OUTBOX_BACKOFF_BASE_SECONDS": "1",
        "OUTBOX_BACKOFF_CAP_SECONDS": "2",
        "OUTBOX_CIRCUIT_COOLDOWN_SECONDS": "1",
        "OUTBOX_DISPATCH_BUDGET_SECONDS": "5",
        "OUTBOX_KICK_ON_COMMIT": "false",
    }
    env.update(overrides)
    return env
