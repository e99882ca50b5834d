"""Benchmark delivery of the outbox to the national portal's simulator (issue 13).

PostgreSQL only, in a throw-away database (`make bench`). Steps:
1. pgbench's simple-update TPS (`pgbench -i -s 10` in a scratch database, then
   `pgbench -N -T 10 -c 2`), the machine's yardstick measured in the same run;
2. `--events` outbox events (four statuses for each of events/4 dossiers born at a desk, as the
   dossier engine writes them, inserted in bulk) delivered by 1 dispatcher process, then the
   same again by 2: events per second from the first to the last `delivered_at`;
3. a backlog of `--backlog` events drained by 2 dispatcher processes: the time it takes.

Each dispatcher process (`bench_delivery --dispatch`) runs `outbox_dispatch` until nothing is
left, with batches of `--batch` events, against its own simulator process (gunicorn, one sync
worker: the simulator keeps its sessions in process memory), which stores every dossier and
progress row in the same database, as a receiver would.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, Min

from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.services import OutboxItem, outbox_add_many
from motcua.simulators.national_portal.models import SimDossier, SimProgress

ROOT = Path(__file__).resolve().parents[5]
FOUR = ["1", "2", "4", "9"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _payload(code: str, status: str) -> dict:
    return {
        "event": "step",
        "status_changed": True,
        "dossier": {
            "MaHoSo": code,
            "MaHoSoKhac": "",
            "MaTTHC": "1.001193",
            "TenTTHC": "Thủ tục đăng ký khai sinh",
            "KenhThucHien": "1",
            "ChuHoSo": "Nguyễn Văn An",
            "LoaiDoiTuong": "1",
            "NgayTiepNhan": "20261207090000",
            "NgayHenTra": "20261210090000",
            "TrangThaiHoSo": status,
            "DonViXuLy": "UBND xã",
        },
        "progress": {
            "MaHoSo": code,
            "NguoiXuLy": "Chuyên viên",
            "ThoiDiemXuLy": "20261207090000",
            "NoiDungXuLy": "Xử lý",
            "TrangThai": status,
        },
    }


class Command(BaseCommand):
    help = "Measure outbox delivery (events/s with 1 and 2 dispatchers, backlog drain time)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=20000)
        parser.add_argument("--backlog", type=int, default=100000)
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--dispatch", action="store_true", help="run as one dispatcher")
        parser.add_argument("--no-pgbench", action="store_true")

    def handle(self, *, events, backlog, batch, dispatch, no_pgbench, **options):
        if dispatch:
            from motcua.outbox.dispatch import outbox_dispatch

            while OutboxEvent.objects.filter(status=OutboxStatus.PENDING).exists():
                outbox_dispatch(destinations=["dvcqg"], budget_seconds=3600, batch_size=batch)
            return
        if connection.vendor != "postgresql":
            raise CommandError("bench_delivery runs on PostgreSQL (a throw-away database).")
        if OutboxEvent.objects.exists():
            raise CommandError("The database already has outbox events; use an empty one.")
        tps = None if no_pgbench else self._pgbench()
        servers = [self._simulator() for _ in range(2)]
        try:
            for port, _ in servers:
                self._wait(port)
            rows = []
            for n in (1, 2):
                rows.append(
                    (f"{events:,} events, {n} dispatcher(s)", *self._run(events, n, batch, servers))
                )
            rows.append(
                (
                    f"{backlog:,}-event backlog, 2 dispatchers",
                    *self._run(backlog, 2, batch, servers),
                )
            )
        finally:
            for _, proc in servers:
                proc.terminate()
                proc.wait(10)
        self.stdout.write(f"batches of {batch}; simulator: gunicorn, 1 sync worker per dispatcher")
        if tps:
            self.stdout.write(f"pgbench -N -T 10 -c 2 (scale 10): {tps:,.0f} TPS")
        for name, rate, seconds in rows:
            ratio = f", {rate / tps:.2f} × pgbench TPS" if tps else ""
            self.stdout.write(f"{name}: {rate:,.0f} events/s, drained in {seconds:.1f} s{ratio}")

    # -- steps -------------------------------------------------------------------------------

    def _fill(self, count: int) -> None:
        OutboxEvent.objects.all().delete()
        SimProgress.objects.all().delete()
        SimDossier.objects.all().delete()
        stamp = time.time_ns()
        items = [
            OutboxItem(
                destination="dvcqg",
                kind="dossier.progress",
                aggregate_type="dossier",
                aggregate_id=f"000.00.98.H20-{stamp}-{d:06d}",
                aggregate_seq=seq,
                payload=_payload(f"000.00.98.H20-{stamp}-{d:06d}", status),
            )
            for d in range((count + 3) // 4)
            for seq, status in enumerate(FOUR, start=1)
        ][:count]
        for start in range(0, len(items), 5000):
            with transaction.atomic():
                outbox_add_many(items[start : start + 5000])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE outbox_outboxevent")

    def _run(self, count: int, workers: int, batch: int, servers) -> tuple[float, float]:
        self._fill(count)
        procs = []
        for i in range(workers):
            base = f"http://127.0.0.1:{servers[i][0]}/sim/dvcqg"
            env = {
                **os.environ,
                "NATIONAL_PORTAL_URL": base,
                "NATIONAL_PORTAL_SYNC_URL": base + "/lgsp",
                "OUTBOX_KICK_ON_COMMIT": "false",
                "LOG_LEVEL": "WARNING",
            }
            procs.append(
                subprocess.Popen(  # noqa: S603 — our own command, fixed arguments
                    [
                        sys.executable,
                        "manage.py",
                        "bench_delivery",
                        "--dispatch",
                        "--batch",
                        f"{batch}",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
        for proc in procs:
            if proc.wait() != 0:
                raise CommandError("a dispatcher failed")
        left = OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).count()
        if left or SimProgress.objects.count() != count:
            raise CommandError(f"{left} events not delivered; {SimProgress.objects.count()} rows")
        span = OutboxEvent.objects.aggregate(a=Min("delivered_at"), b=Max("delivered_at"))
        # From the first batch recorded to the last: the first batch's own time is not in it.
        seconds = (span["b"] - span["a"]).total_seconds() * count / max(count - batch, 1)
        return count / seconds, seconds

    def _simulator(self) -> tuple[int, subprocess.Popen]:
        port = _free_port()
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        env = {
            **os.environ,
            "SIMULATORS_ENABLED": "true",
            "DB_CONN_MAX_AGE": "600",
            "PYTHONPATH": str(ROOT / "src"),
            "LOG_LEVEL": "WARNING",
        }
        proc = subprocess.Popen(  # noqa: S603 — our own server, fixed arguments
            [gunicorn, "motcua.wsgi", "--workers", "1", "--timeout", "120", "-b", f":{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return port, proc

    def _wait(self, port: int) -> None:
        import http.client

        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("The simulator did not start.")

    def _pgbench(self) -> float | None:
        pgbench = shutil.which("pgbench")
        if not pgbench:
            self.stdout.write("pgbench not installed: no TPS yardstick")
            return None
        db = connection.settings_dict
        scratch = f"{db['NAME']}_pgbench"
        args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        run = {"env": env, "check": True, "capture_output": True, "text": True}
        subprocess.run(["createdb", *args, scratch], **run)  # noqa: S603, S607
        try:
            subprocess.run([pgbench, *args, "-i", "-q", "-s", "10", scratch], **run)  # noqa: S603
            out = subprocess.run(  # noqa: S603
                [pgbench, *args, "-N", "-T", "10", "-c", "2", scratch], **run
            ).stdout
        finally:
            subprocess.run(["dropdb", *args, "--if-exists", scratch], **run)  # noqa: S603, S607
        match = re.search(r"tps = ([\d.]+)", out)
        return float(match.group(1)) if match else None
