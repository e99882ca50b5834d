"""Benchmark signing: documents signed per second with the local test CA.

    python manage.py bench_signing [--count 20]

Signs a one-page result (made once with WeasyPrint) `count` times through `sign_pdf` — QR
stamp, the official's signature, the agency's seal, the registry row and its audit entry —
first without timestamps, then with both timestamps from the TSA simulator over real HTTP (a
threaded server on a free port in this process, as the demo's would answer). Then verifies the
last signed document `count` times (`verify_pdf`). The local test PKI is made in a temporary
directory. The figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management.base import BaseCommand
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from motcua.accounts.models import User
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.services import agency_create
from motcua.signing import pki
from motcua.signing.constants import SignedKind
from motcua.signing.selectors import verify_pdf
from motcua.signing.services import sign_pdf
from motcua.territory.models import Province
from motcua.territory.services import territory_load

CODE = "000.00.98.H20"
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>@page { size: A4;
margin: 20mm; }</style></head><body><h1>QUYẾT ĐỊNH (đo hiệu năng)</h1><p>Kết quả giải quyết thủ
tục hành chính dùng để đo tốc độ ký số.</p></body></html>"""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Command(BaseCommand):
    help = "Documents signed per second (local test CA), with and without the TSA over HTTP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=20)

    def _world(self) -> tuple[User, Agency]:
        if not Province.objects.filter(pk=settings.MOTCUA_DEMO_PROVINCE_CODE).exists():
            territory_load()
        user = User.objects.filter(username="bench-ky-so").first()
        if user is None:
            user = User.objects.create_superuser(
                "bench-ky-so", password=None, full_name="Lê Văn Đo"
            )
        agency = Agency.objects.filter(code=CODE).first()
        if agency is None:
            agency = agency_create(
                actor=user,
                kind=AgencyKind.PROVINCE_PC,
                name="UBND tỉnh (đo hiệu năng ký số)",
                province=Province.objects.get(pk=settings.MOTCUA_DEMO_PROVINCE_CODE),
                code=CODE,
            )
        return user, agency

    def _run(self, label: str, count: int, sign) -> bytes:
        signed = sign()  # warm-up: keys loaded, fonts read
        started = time.perf_counter()
        for _ in range(count):
            signed = sign()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{label}: {count / elapsed:.2f} documents/s ({1000 * elapsed / count:.0f} ms each)"
        )
        return signed

    def handle(self, *args, count: int, **options) -> None:
        import logging

        from weasyprint import HTML

        # The request log would print a line per timestamp request.
        logging.getLogger("motcua.request").setLevel(logging.WARNING)
        user, agency = self._world()
        pdf = HTML(string=PAGE).write_pdf()

        def sign() -> bytes:
            return sign_pdf(
                actor=user,
                pdf=pdf,
                agency=agency,
                signer=user,
                reason="Đo hiệu năng",
                dossier_code=f"{CODE}-261207-0001",
                kind=SignedKind.RESULT,
            )

        with tempfile.TemporaryDirectory() as directory:
            settings.SIGNING_MODE = pki.LOCAL
            settings.SIGNING_PKI_DIR = directory
            pki.forget()
            settings.SIGNING_TSA_URL = ""
            self._run("Local CA, no timestamp (PAdES B-B)", count, sign)

            port = _free_port()
            server = ThreadedWSGIServer(("127.0.0.1", port), _QuietHandler)
            server.set_app(WSGIHandler())
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                settings.SIGNING_TSA_URL = f"http://127.0.0.1:{port}/sim/tsa/"
                signed = self._run(
                    "Local CA, two timestamps from the TSA over HTTP (PAdES B-T)", count, sign
                )
            finally:
                server.shutdown()
                server.server_close()

            started = time.perf_counter()
            for _ in range(count):
                assert verify_pdf(signed).valid
            elapsed = time.perf_counter() - started
            self.stdout.write(
                f"Verification (two signatures, timestamps, registry): {count / elapsed:.2f} "
                f"documents/s ({1000 * elapsed / count:.0f} ms each)"
            )
            pki.forget()
