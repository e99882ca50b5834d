"""Render every form from the example contexts to PDF and PNG, for a visual review.

Usage: .venv/bin/python src/motcua/printing/scripts/render_examples.py [OUT_DIR] [KEY ...]

Needs `pdftoppm` (poppler-utils) for the PNGs; without it only the PDFs are written. With
`zbarimg` (zbar-tools) it also decodes the QR code (last page, 200 dpi) and prints the URL read.
Not a test: looking at the pages is the point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from pypdf import PdfReader

    from motcua.printing import examples
    from motcua.printing.forms import form_pdf

    out = Path(argv[0]) if argv else Path("var/print-preview")
    keys = argv[1:] or list(examples.EXAMPLES)
    out.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    zbarimg = shutil.which("zbarimg")
    renders = [(key, examples.EXAMPLES[key]()) for key in keys]
    if "apology" in keys:  # the 2018 slip, for a dossier received before 1/7/2025
        old = datetime(2025, 6, 20, 2, 0, tzinfo=UTC)
        renders.append(("apology-2018", examples.apology(received_at=old)))
    if "ledger" in keys:
        renders.append(("ledger-60", examples.ledger(rows=60)))
    for name, context in renders:
        key = name.split("-")[0]
        pdf = out / f"form-{name}.pdf"
        pdf.write_bytes(form_pdf(key, context))
        print(pdf)
        if pdftoppm:
            subprocess.run(  # noqa: S603 - fixed argv, our own files
                [pdftoppm, "-png", "-r", "80", str(pdf), str(out / f"form-{name}")], check=True
            )
        if pdftoppm and zbarimg and key != "ledger":
            last = str(len(PdfReader(pdf).pages))
            scan = out / f"scan-{name}"
            args = ["-png", "-r", "200", "-f", last, "-l", last, "-singlefile", str(pdf), str(scan)]
            subprocess.run([pdftoppm, *args], check=True)  # noqa: S603
            decoded = subprocess.run(  # noqa: S603
                [zbarimg, "-q", "--raw", f"{scan}.png"], capture_output=True, text=True, check=False
            )
            print("  QR:", decoded.stdout.strip() or "not decoded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
