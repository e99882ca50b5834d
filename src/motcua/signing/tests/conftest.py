"""A local test PKI in a temporary directory (made once per session), the TSA simulator on
live_server, officials who may and may not sign, and PDFs to sign."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from motcua.signing import pki


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def local_pki(settings, pki_dir):
    settings.SIGNING_MODE = pki.LOCAL
    settings.SIGNING_PKI_DIR = pki_dir
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_TSA_URL = ""  # tests that sign use the `tsa` fixture
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    yield pki_dir


@pytest.fixture
def reloaded(transactional_db):
    # Transactional tests start from an empty database: territory and roles come back first.
    from motcua.accounts.services import builtin_roles_ensure
    from motcua.territory.models import Commune
    from motcua.territory.services import territory_load

    if not Commune.objects.filter(pk=28261).exists():
        territory_load()
    builtin_roles_ensure()


@pytest.fixture
def tsa(reloaded, live_server, settings) -> str:
    """Signing stamps through the TSA simulator over real HTTP."""
    from motcua.simulators.tsa import views

    views.switch.set({})
    settings.SIGNING_TSA_URL = live_server.url + "/sim/tsa/"
    yield live_server.url
    views.switch.set({})


@pytest.fixture
def leader(tree, make_official):
    """The agency leader of the Department of Justice: may sign for it."""
    return make_official(
        "lanh-dao-stp",
        tree["dept"],
        [("agency_leader", tree["dept"], False, None, None)],
        full_name="Nguyễn Văn Bình",
    )


@pytest.fixture
def clerk(tree, make_official):
    """A one-stop desk officer: receives dossiers, may not sign."""
    return make_official(
        "cong-chuc-quay",
        tree["desk"],
        [("receiving_officer", tree["desk"], False, None, None)],
        full_name="Trần Thị Cúc",
    )


def blank_pdf(pages: int = 1, text: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if text:
        writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<style>@page { size: A4; margin: 20mm; }</style></head><body>
<h1>GIẤY CHỨNG NHẬN (mẫu thử)</h1><p>Kết quả giải quyết thủ tục hành chính.</p></body></html>"""


@pytest.fixture(scope="session")
def result_pdf() -> bytes:
    """A result as WeasyPrint makes them (the printing app's engine)."""
    from weasyprint import HTML

    return HTML(string=RESULT_HTML).write_pdf()


def pdfsig(data: bytes, tmp_path) -> str:
    """poppler's pdfsig on `data`: an independent verifier (it cannot be told to trust the
    local CA without NSS tools, so tests read its integrity verdict; trust is pyHanko's)."""
    import shutil
    import subprocess

    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdfsig") or "/usr/bin/pdfsig"
    done = subprocess.run(  # noqa: S603 — a fixed tool on a file the test wrote
        [tool, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout + done.stderr
