"""Benchmark the dossier engine against the real server: submissions, tracking, transitions.

    DATABASE_URL=postgres://… python manage.py bench_dossiers [--seconds 10]

On an empty benchmark database it builds the demo province (agencies, officials, catalog,
workflows), starts gunicorn on a free port with that database, and drives it over HTTP from
client threads on the same machine:

- online submissions (POST /api/v1/dossiers: three components, routing to the competent commune,
  the appointment from the working-time calendar, history and outbox rows) at 1, 4 and 16
  concurrent clients;
- public tracking look-ups (POST /api/v1/tracking with code and phone) at 16 clients;
- transitions along the 5-step birth-registration workflow (accept → process → sign → return
  step → returned), through the services in this process.

It prints requests per second with p50/p99 latency; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organizations.models import Agency, AgencyKind

CSRF = "motcuabenchmarkcsrftoken00000000"  # 32 characters, sent as cookie and header


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time dossier submissions, tracking and transitions on the configured database."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--clients", default="1,4,16")
        parser.add_argument("--transitions", type=int, default=200)

    def handle(self, *args, seconds, workers, threads, clients, transitions, **options):
        from motcua.demo.services import demo_setup

        if Dossier.objects.exists():
            raise CommandError("The database already has dossiers; use an empty benchmark DB.")
        started = time.perf_counter()
        demo_setup()
        self.stdout.write(f"demo province built in {time.perf_counter() - started:.1f} s")
        procedure = Procedure.objects.get(code="1.001193")
        communes = list(
            Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True).values_list(
                "commune_id", flat=True
            )
        )
        officer = User.objects.filter(grants__role__code="receiving_officer").first()
        cookie = self._session_cookie(officer)
        port = _free_port()
        server = self._start_server(port, workers, threads)
        try:
            self._wait(port)
            counts = [int(c) for c in clients.split(",")]
            rows = []
            for n in counts:
                rows.append(
                    (
                        f"submit online, {n} client(s)",
                        *self._drive(port, cookie, n, seconds, self._submit_body(communes)),
                    )
                )
            codes = list(
                Dossier.objects.order_by("?").values_list("code", "applicant_phone")[:2000]
            )
            rows.append(
                (
                    f"tracking, {counts[-1]} clients",
                    *self._drive(port, "", counts[-1], seconds, self._track_body(codes)),
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
        rows.append(("transitions (in process)", *self._transitions(procedure, transitions)))
        self.stdout.write("")
        self.stdout.write(f"{'operation':34} {'per second':>11} {'p50 ms':>8} {'p99 ms':>8}")
        for name, rate, p50, p99, _n in rows:
            self.stdout.write(f"{name:34} {rate:11.1f} {p50:8.1f} {p99:8.1f}")
        self.stdout.write(
            f"\nserver: gunicorn {workers} workers × {threads} threads; "
            f"{os.cpu_count()} CPUs; database {settings.DATABASES['default']['ENGINE']}"
        )

    # -- setup ---------------------------------------------------------------------------------

    def _session_cookie(self, user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"sessionid={store.session_key}; csrftoken={CSRF}"

    def _start_server(self, port: int, workers: int, threads: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "TRACKING_RATE_PER_MINUTE": "100000000",
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "600",
            "PYTHONPATH": str(Path(__file__).resolve().parents[4]),
        }
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        return subprocess.Popen(  # noqa: S603 — our own server, fixed arguments
            [
                gunicorn,
                "motcua.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def _wait(self, port: int) -> None:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("The benchmark server did not start.")

    # -- load ----------------------------------------------------------------------------------

    def _submit_body(self, communes: list[int]):
        counter = iter(range(10**9))

        def body() -> tuple[str, dict]:
            i = next(counter)
            return "/api/v1/dossiers", {
                "procedure": "1.001193",
                "channel": "online",
                "applicant": {
                    "kind": "citizen",
                    "name": f"Người nộp thử {i}",
                    "id_number": f"{87_000_000_000 + i:012d}",
                    "phone": f"09{i % 100_000_000:08d}",
                    "commune": communes[i % len(communes)],
                },
                "components": [
                    {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
                    {"name": "Giấy chứng sinh", "originals": 1},
                    {"name": "Văn bản ủy quyền", "copies": 1},
                ],
            }

        return body

    def _track_body(self, codes: list[tuple[str, str]]):
        rng = random.Random(766)  # noqa: S311 — a reproducible sample, not a secret

        def body() -> tuple[str, dict]:
            code, phone = rng.choice(codes)
            return "/api/v1/tracking", {"code": code, "factor": phone}

        return body

    def _drive(self, port: int, cookie: str, clients: int, seconds: float, make_body):
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds
        body_lock = threading.Lock()

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Content-Type": "application/json", "Referer": f"http://127.0.0.1:{port}/"}
            if cookie:
                headers.update({"Cookie": cookie, "X-CSRFToken": CSRF})
            mine: list[float] = []
            while time.perf_counter() < stop_at:
                with body_lock:
                    path, data = make_body()
                payload = json.dumps(data)
                t0 = time.perf_counter()
                conn.request("POST", path, payload, headers)
                response = conn.getresponse()
                response.read()
                mine.append((time.perf_counter() - t0) * 1000)
                if response.status >= 300:
                    errors.append(f"{response.status}")
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=worker) for _ in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        if errors:
            raise CommandError(f"{len(errors)} failed requests, e.g. HTTP {errors[0]}")
        return (
            len(latencies) / elapsed,
            statistics.median(latencies),
            _pct(latencies, 99),
            len(latencies),
        )

    def _transitions(self, procedure: Procedure, count: int):
        from motcua.dossiers.services import (
            Applicant,
            ComponentIn,
            dossier_accept,
            dossier_act,
            dossier_return,
            dossier_submit,
        )

        pc = Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True).first()
        osu = Agency.objects.filter(parent=pc, kind=AgencyKind.ONE_STOP_UNIT).first() or pc
        users = {u.username: u for u in User.objects.filter(agency__path__startswith=pc.path)}
        officer = next(
            u for u in users.values() if u.grants.filter(role__code="receiving_officer").exists()
        )
        latencies: list[float] = []
        now = timezone.now()
        for i in range(count):
            d = dossier_submit(
                actor=officer,
                procedure=procedure,
                applicant=Applicant(
                    kind="citizen",
                    name=f"Chuyển bước {i}",
                    id_number=f"{88_000_000_000 + i:012d}",
                    commune_id=pc.commune_id,
                ),
                components=[ComponentIn(name="Tờ khai", originals=1)],
                channel="direct",
                desk=osu,
                now=now,
            )
            t0 = time.perf_counter()
            d = dossier_accept(actor=officer, dossier=d, expected_version=d.version, now=now)
            latencies.append((time.perf_counter() - t0) * 1000)
            while d.status in ("accepted", "processing"):
                from motcua.dossiers.services import _current_step
                from motcua.workflows.units import officials_eligible

                step = _current_step(d)
                actor = officials_eligible(step=step, unit=d.step_agency, procedure=procedure)[0]
                action = "approve" if step.allows("approve") else "forward"
                t0 = time.perf_counter()
                d = dossier_act(actor=actor, dossier=d, expected_version=d.version, action=action)
                latencies.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            dossier_return(actor=officer, dossier=d, expected_version=d.version)
            latencies.append((time.perf_counter() - t0) * 1000)
        total = sum(latencies) / 1000
        return (
            len(latencies) / total,
            statistics.median(latencies),
            _pct(latencies, 99),
            len(latencies),
        )
