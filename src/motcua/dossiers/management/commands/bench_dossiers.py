"""Benchmark the dossier engine against the real server: submissions, tracking, transitions.

    DATABASE_URL=postgres://… python manage.py bench_dossiers [--seconds 10]

On an empty benchmark database it builds the demo province (agencies, officials, catalog,
workflows), starts gunicorn on a free port with that database (with the production
configuration, src/motcua/gunicorn_conf.py), and drives it over HTTP from client processes on the
same machine, one keep-alive connection each (`motcua.core.httpload`):

- online submissions (POST /api/v1/dossiers: three components, routing to the competent commune,
  the appointment from the working-time calendar, history and outbox rows) at 1, 4 and 16
  concurrent clients;
- public tracking look-ups (POST /api/v1/tracking with code and phone) at 16 clients;
- the floor: GET /healthz, a view that does nothing, at 16 clients (what any request costs here);
- transitions along the 5-step birth-registration workflow (accept → process → sign → return
  step → returned), through the services in this process.

It prints requests per second with p50/p99 latency, and where the CPU went per request: the
client processes, the gunicorn workers and the PostgreSQL backends serving them, and how busy
the whole machine was (other work on a shared machine shows as the difference). The figures go
to docs/benchmarks.md.
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
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core import httpload
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


def _redis_answers(url: str) -> bool:
    """Whether a Redis server answers PING at `url` (the benchmark uses it when there is one)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Row:
    name: str
    rate: float
    p50: float
    p99: float
    requests: int
    client_ms: float | None = None  # CPU per request
    server_ms: float | None = None
    db_ms: float | None = None
    busy: float | None = None  # share of the machine's CPUs in use during the run


class Command(BaseCommand):
    help = "Time dossier submissions, tracking and transitions on the configured database."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument(
            "--workers", type=int, default=None, help="gunicorn workers (default: its config)"
        )
        parser.add_argument("--threads", type=int, default=None)
        parser.add_argument("--worker-class", default=None)
        parser.add_argument("--clients", default="1,4,16")
        parser.add_argument("--tracking-clients", default="16")
        parser.add_argument("--transitions", type=int, default=200)
        parser.add_argument(
            "--cache-url",
            default=None,
            help="CACHE_URL for the server (default: $CACHE_URL, else a local Redis on "
            "redis://127.0.0.1:6379/15 if one answers, else none)",
        )
        parser.add_argument("--only", choices=["submit", "tracking"], default=None)

    def handle(
        self,
        *args,
        seconds,
        workers,
        threads,
        worker_class,
        clients,
        tracking_clients,
        transitions,
        cache_url,
        only,
        **options,
    ):
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
        # Online dossiers enter through the national portal's intake identity (a system
        # account), as in production; never through an official's session.
        cookie = self._session_cookie(User.objects.get(username="dvcqg"))
        if cache_url is None:
            cache_url = os.environ.get("CACHE_URL", "")
            if not cache_url and _redis_answers("redis://127.0.0.1:6379/15"):
                cache_url = "redis://127.0.0.1:6379/15"
        port = _free_port()
        server = self._start_server(port, workers, threads, worker_class, cache_url)
        ids = iter(range(10**9))
        rows: list[Row] = []
        try:
            self._wait(port)
            if only != "tracking":
                for n in [int(c) for c in clients.split(",")]:
                    jobs = self._submit_jobs(port, cookie, n, seconds, communes, ids)
                    rows.append(
                        self._drive(f"submit online, {n} client(s)", port, server, jobs, seconds)
                    )
            if only != "submit":
                if not Dossier.objects.exists():
                    jobs = self._submit_jobs(port, cookie, 4, 2, communes, ids)
                    self._drive("(dossiers to track)", port, server, jobs, 2)
                codes = list(
                    Dossier.objects.order_by("?").values_list("code", "applicant_phone")[:2000]
                )
                for n in [int(c) for c in tracking_clients.split(",")]:
                    jobs = self._track_jobs(port, n, codes)
                    rows.append(self._drive(f"tracking, {n} clients", port, server, jobs, seconds))
                # The floor: a view that does nothing, through the same middleware, server and
                # clients. What a request costs before any of our code runs.
                n = int(tracking_clients.split(",")[-1])
                jobs = [
                    httpload.Job("/healthz", [b""], {"Accept": "application/json"}, method="GET")
                    for _ in range(n)
                ]
                rows.append(
                    self._drive(f"(floor: GET /healthz, {n} clients)", port, server, jobs, seconds)
                )
        finally:
            server.terminate()
            server.wait(timeout=20)
        if only is None and transitions:
            rows.append(self._transitions(procedure, transitions))
        self.stdout.write("")
        self.stdout.write(
            f"{'operation':34} {'per second':>10} {'p50 ms':>7} {'p99 ms':>7}"
            f"   CPU ms per request: {'client':>6} {'server':>6} {'db':>5}   machine busy"
        )

        def ms(value: float | None) -> str:
            return "" if value is None else f"{value:.2f}"

        for r in rows:
            self.stdout.write(
                f"{r.name:34} {r.rate:10.1f} {r.p50:7.1f} {r.p99:7.1f}"
                f"   {'':20}{ms(r.client_ms):>6} {ms(r.server_ms):>6} {ms(r.db_ms):>5}"
                + ("" if r.busy is None else f"   {r.busy:.0%}")
            )
        server_description = self._server_description(workers, threads, worker_class)
        self.stdout.write(
            f"\nserver: gunicorn {server_description}; "
            f"cache {cache_url or 'local memory (none shared)'}; "
            f"prepared statements {os.environ.get('DB_PREPARED_STATEMENTS') or 'true'}; "
            f"{os.cpu_count()} CPUs; database {settings.DATABASES['default']['ENGINE']}; "
            "client: one process and keep-alive connection per client"
        )

    # -- setup ---------------------------------------------------------------------------------

    def _session_cookie(self, user: User) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"sessionid={store.session_key}; csrftoken={CSRF}"

    def _start_server(
        self,
        port: int,
        workers: int | None,
        threads: int | None,
        worker_class: str | None,
        cache_url: str,
    ) -> subprocess.Popen:
        env = {
            **os.environ,
            "TRACKING_RATE_PER_MINUTE": "100000000",
            "DB_CONN_MAX_AGE": "600",
            # The production recommendation (docs/operations.md), unless the caller says otherwise.
            "DB_PREPARED_STATEMENTS": os.environ.get("DB_PREPARED_STATEMENTS") or "true",
            "CACHE_URL": cache_url,
            "PYTHONPATH": str(Path(__file__).resolve().parents[4]),
        }
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        command = [
            gunicorn,
            "motcua.wsgi",
            "--config",
            str(Path(__file__).resolve().parents[3] / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        if workers is not None:
            command += ["--workers", str(workers)]
        if threads is not None:
            command += ["--threads", str(threads)]
        if worker_class is not None:
            command += ["--worker-class", worker_class]
        # The request log (one JSON line per request) stays on, as in production; it goes to
        # /dev/null here rather than into the benchmark's output.
        return subprocess.Popen(  # noqa: S603 — our own server, fixed arguments
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def _server_description(self, workers, threads, worker_class) -> str:
        from motcua import gunicorn_conf

        workers = workers or gunicorn_conf.workers
        worker_class = worker_class or gunicorn_conf.worker_class
        threads = threads or gunicorn_conf.threads
        return f"{workers} × {worker_class}" + (
            f", {threads} threads each" if worker_class == "gthread" else ""
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

    def _headers(self, port: int, cookie: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Referer": f"http://127.0.0.1:{port}/"}
        if cookie:
            headers.update({"Cookie": cookie, "X-CSRFToken": CSRF})
        return headers

    def _submit_jobs(self, port, cookie, clients, seconds, communes, ids) -> list[httpload.Job]:
        """Each client gets its own applicants, enough for 1,500 submissions a second."""
        per_client = int(seconds * 1500 / clients) + 50
        jobs = []
        for _ in range(clients):
            bodies = []
            for _ in range(per_client):
                i = next(ids)
                body = {
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
                bodies.append(json.dumps(body).encode())
            jobs.append(httpload.Job("/api/v1/dossiers", bodies, self._headers(port, cookie)))
        return jobs

    def _track_jobs(self, port, clients, codes) -> list[httpload.Job]:
        rng = random.Random(766)  # noqa: S311 — a reproducible sample, not a secret
        jobs = []
        for _ in range(clients):
            sample = [rng.choice(codes) for _ in range(500)]
            bodies = [json.dumps({"code": c, "factor": phone}).encode() for c, phone in sample]
            jobs.append(httpload.Job("/api/v1/tracking", bodies, self._headers(port, "")))
        return jobs

    def _db_backends(self) -> list[int]:
        """Process ids of the PostgreSQL backends connected to this database, but ours."""
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def _drive(self, name, port, server, jobs, seconds) -> Row:
        workers: list[int] = []
        before: dict[str, object] = {}

        def sample() -> None:
            # After the warm-up, so that every worker gunicorn forked is counted.
            workers[:] = httpload.children_of(server.pid)
            before["server"] = sum(httpload.process_cpu_seconds(p) for p in workers)
            before["db"] = {p: httpload.process_cpu_seconds(p) for p in self._db_backends()}
            before["machine"] = httpload.machine_busy()

        # Every worker must have served a few requests before the clock starts (its caches:
        # routing, versions, calendars, prepared statements), however few the clients.
        expected = len(httpload.children_of(server.pid)) or 5
        warmup = max(5, -(-10 * expected // len(jobs)))
        result = httpload.run(
            "127.0.0.1", port, jobs, seconds=seconds, warmup=warmup, on_start=sample
        )
        server_cpu = sum(httpload.process_cpu_seconds(p) for p in workers) - before["server"]
        db_cpu = sum(
            httpload.process_cpu_seconds(p) - before["db"].get(p, 0.0) for p in self._db_backends()
        )
        busy, total = httpload.machine_busy()
        busy0, total0 = before["machine"]
        connection.close()  # the benchmark's own connection is not one of the server's
        if result.errors:
            raise CommandError(
                f"{name}: {result.errors} failed requests, e.g. {result.first_error}"
            )
        n = result.requests
        return Row(
            name=name,
            rate=result.rate,
            p50=statistics.median(result.latencies_ms),
            p99=result.percentile(99),
            requests=n,
            client_ms=result.client_cpu_seconds / n * 1000,
            server_ms=server_cpu / n * 1000,
            db_ms=db_cpu / n * 1000 if connection.vendor == "postgresql" else None,
            busy=(busy - busy0) / (total - total0) if total > total0 else None,
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
        from motcua.dossiers.services.results import draft_current, result_required, signs_result

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
                from motcua.dossiers.process import current_step as _current_step
                from motcua.workflows.units import officials_eligible

                step = _current_step(d)
                actor = officials_eligible(step=step, unit=d.step_agency, procedure=procedure)[0]
                action = "approve" if step.allows("approve") else "forward"
                needs_draft = result_required(d) and signs_result(d, step, action)
                if needs_draft and draft_current(d) is None:
                    bench_draft(officer, d)
                t0 = time.perf_counter()
                d = dossier_act(actor=actor, dossier=d, expected_version=d.version, action=action)
                latencies.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            dossier_return(actor=officer, dossier=d, expected_version=d.version)
            latencies.append((time.perf_counter() - t0) * 1000)
        total = sum(latencies) / 1000
        return Row(
            "transitions (in process)",
            len(latencies) / total,
            statistics.median(latencies),
            _pct(latencies, 99),
            len(latencies),
        )


def bench_draft(actor, d) -> None:
    """The draft result a signing step signs (dossiers/services/results.py), uploaded by the
    desk officer in place of the specialist: a one-page PDF. Benchmarks sign without a
    timestamp (no time-stamping authority runs beside them; bench_signing measures one)."""
    import io

    from django.conf import settings
    from pypdf import PdfWriter

    from motcua.documents.constants import DocumentKind
    from motcua.documents.services import document_add

    settings.SIGNING_TSA_URL = ""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    document_add(
        actor=actor,
        dossier=d,
        content=out.getvalue(),
        name="du-thao.pdf",
        kind=DocumentKind.DRAFT_RESULT,
    )
