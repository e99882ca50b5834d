"""The ledger: landscape, one row per dossier, header and page number on every page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from motcua.printing import examples
from motcua.printing.forms import form_pdf

from .helpers import flat, page_texts


@pytest.fixture(scope="module")
def ledger_60() -> bytes:
    return form_pdf("ledger", examples.ledger(rows=60))


@pytest.fixture(scope="module")
def pages(ledger_60) -> list[str]:
    return page_texts(ledger_60)


def test_is_landscape_a4(ledger_60):
    box = PdfReader(io.BytesIO(ledger_60)).pages[0].mediabox
    assert round(float(box.width)) == 842
    assert round(float(box.height)) == 595


def test_sixty_rows_span_several_pages_with_header_and_page_numbers(pages):
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        # Header cells wrap, so their words interleave in the extracted text: look for short ones.
        assert "STT Mã hồ sơ" in text, number
        assert "Ngày, tháng, năm" in text, number
        assert "(1) (2) (3)" in text, number
        assert f"Trang {number}/{len(pages)}" in text, number
    assert "SỔ THEO DÕI HỒ SƠ" in pages[0]


def test_every_row_is_printed_once(pages):
    text = " ".join(pages)
    codes = re.findall(r"260213- ?(\d{4})", text)
    assert sorted(int(c) for c in codes) == list(range(1, 61))
    assert "Quý I năm 2026" in text
    assert "Trần Thị Bích Ngọc" in text
    assert "13/02/2026 10:05" in text


def test_ledger_of_a_2018_period_uses_the_2018_numbering():
    context = examples.ledger(rows=1, received_at=datetime(2025, 1, 1, 1, 0, tzinfo=UTC))
    assert "Mẫu số 06 – Thông tư 01/2018/TT-VPCP" in flat(form_pdf("ledger", context))
