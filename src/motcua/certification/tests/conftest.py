"""Fixtures of certified copies: the local test PKI and the TSA simulator (signing's fixtures),
the commune's vice-chairman who certifies, a desk officer who may not, and scans."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from motcua.signing.tests.conftest import (  # noqa: F401 (fixtures)
    blank_pdf,
    local_pki,
    pdfsig,
    pki_dir,
    reloaded,
    tsa,
)

CCCD = "001203004567"


@pytest.fixture
def certifier(tree, make_official):
    """The commune's vice-chairman: signs for the commune People's Committee."""
    return make_official(
        "pho-chu-tich-xa",
        tree["commune"],
        [("agency_leader", tree["commune"], False, None, None)],
        full_name="Lê Văn Dũng",
        position="Phó Chủ tịch UBND xã",
    )


@pytest.fixture
def desk_officer(tree, make_official):
    """The commune's one-stop officer: receives dossiers, may not certify."""
    return make_official(
        "mot-cua-xa",
        tree["osu"],
        [("receiving_officer", tree["osu"], False, None, None)],
        full_name="Phạm Thị Em",
    )


def scan_pdf(pages: int = 2) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f'<section style="break-after: page"><h1>GIẤY KHAI SINH</h1><p>Trang {n}</p></section>'
        for n in range(1, pages + 1)
    )
    return HTML(
        string=f'<html lang="vi"><meta charset="utf-8"><body>{body}</body></html>'
    ).write_pdf()


def scan_jpeg() -> bytes:
    image = Image.new("RGB", (827, 1169), "white")
    out = io.BytesIO()
    image.save(out, format="JPEG", dpi=(100, 100))
    return out.getvalue()
