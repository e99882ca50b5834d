"""Upload throughput (issue 15 "Benchmark"): MB/s of papers checked by their content
(documents.inspection) and stored under their SHA-256 (documents.storage) on the local file
system, per type and overall, on this machine.

The papers are made before the clock starts, each different (so none is skipped as already
stored): scanned-size PDFs (pages with 150 KB content streams each), photo-size JPEGs (noise,
which compresses badly, as scans of paper do) and DOCX files. The antivirus is off (a clamd's
speed is its own); nothing touches the database. The storage is a temporary folder, removed
after the run.

    manage.py bench_uploads [--files 20]
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
import zipfile

from django.core.management.base import BaseCommand
from django.test import override_settings

from motcua.documents.inspection import inspect
from motcua.documents.storage import blob_put

MB = 1024 * 1024


def pdf(pages: int, seed: int, stream_bytes: int = 150_000) -> bytes:
    """A well-formed PDF of `pages` pages, each with a content stream of `stream_bytes`."""
    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    objects: list[bytes] = [b"<</Type/Catalog/Pages 2 0 R>>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages)).encode()
    objects.append(b"<</Type/Pages/Kids[" + kids + b"]/Count %d>>" % pages)
    for i in range(pages):
        objects.append(
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R>>" % (4 + 2 * i)
        )
        data = rng.randbytes(stream_bytes)
        objects.append(b"<</Length %d>>\nstream\n" % len(data) + data + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def jpeg(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    image = Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def docx(seed: int, paragraphs: int = 4000) -> bytes:
    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    words = ["hồ sơ", "thủ tục", "giấy tờ", "công dân", "ủy ban", "xác nhận", "đăng ký"]
    body = "".join(
        f"<w:p><w:r><w:t>{' '.join(rng.choice(words) for _ in range(12))}</w:t></w:r></w:p>"
        for _ in range(paragraphs)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", f"<w:document><w:body>{body}</w:body></w:document>")
    return out.getvalue()


class Command(BaseCommand):
    help = "Upload throughput: MB/s of content checks plus storage on the local file system."

    def add_arguments(self, parser):
        parser.add_argument("--files", type=int, default=20, help="files of each type")

    def handle(self, *args, **options):
        n = options["files"]
        papers = {
            "pdf (10 pages)": [pdf(10, seed) for seed in range(n)],
            "jpeg (1600×1200)": [jpeg(seed) for seed in range(n)],
            "docx": [docx(seed) for seed in range(n)],
        }
        self.stdout.write(f"bench_uploads: {n} files of each type, {os.cpu_count()} cores")
        total_bytes = total_seconds = 0.0
        with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder:
            storages = {
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "documents": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": folder},
                },
            }
            with override_settings(STORAGES=storages, ANTIVIRUS_CLAMD=""):
                for label, contents in papers.items():
                    size, checks, stores = self._run(label, contents)
                    total_bytes += size
                    total_seconds += checks + stores
                    self.stdout.write(
                        f"  {label:18} {len(contents):3} files {size / MB:7.1f} MB  "
                        f"checks {size / MB / checks:7.1f} MB/s  "
                        f"checks+storage {size / MB / (checks + stores):7.1f} MB/s"
                    )
        self.stdout.write(
            f"  {'all':18} {3 * n:3} files {total_bytes / MB:7.1f} MB  "
            f"checks+storage {total_bytes / MB / total_seconds:7.1f} MB/s"
        )

    def _run(self, label: str, contents: list[bytes]) -> tuple[int, float, float]:
        checks = stores = 0.0
        size = 0
        for index, content in enumerate(contents):
            started = time.perf_counter()
            checked = inspect(content, name=f"{index}", max_bytes=len(content) + 1)
            middle = time.perf_counter()
            blob_put(sha256=checked.sha256, content=checked.content)
            stores += time.perf_counter() - middle
            checks += middle - started
            size += len(content)
        return size, checks, stores
