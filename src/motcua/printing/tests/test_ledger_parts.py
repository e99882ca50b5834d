"""A long ledger rendered in parts (forms.ledger_pdf_parts) reads as one book: the heading once,
every row in order, "Trang N/M" over the whole on every page, progress after each part."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from motcua.printing import examples
from motcua.printing.forms import form_pdf, ledger_pdf_parts

from .helpers import page_texts


@pytest.fixture(scope="module")
def book() -> tuple[bytes, list[int]]:
    context = examples.ledger(rows=45)
    rows = context.pop("rows")
    done: list[int] = []
    return ledger_pdf_parts(context, iter(rows), part_rows=20, on_part=done.append), done


def test_reports_progress_after_each_part(book):
    _, done = book
    assert done == [20, 40, 45]


def test_heading_once_and_every_row_in_order(book):
    pdf, _ = book
    pages = page_texts(pdf)
    assert sum("SỔ THEO DÕI HỒ SƠ" in p for p in pages) == 1
    assert "SỔ THEO DÕI HỒ SƠ" in pages[0]
    codes = re.findall(r"000\.00\.12\.H19-260213-(\d{4})", " ".join(pages).replace(" ", ""))
    assert [int(c) for c in codes] == list(range(1, 46))


def test_pages_are_numbered_over_the_whole_book(book):
    pdf, _ = book
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    assert count >= 3  # three parts, each on its own pages
    for n, text in enumerate(page_texts(pdf), start=1):
        assert re.findall(r"Trang \d+/\d+", text) == [f"Trang {n}/{count}"]
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width > 800  # landscape


def test_stays_close_to_the_size_of_one_rendering(book):
    pdf, _ = book
    context = examples.ledger(rows=45)
    single = form_pdf("ledger", context)
    # Each part (three here, of 20 rows) embeds its own font subsets; the stamped numbers must
    # not add much more (left uncompressed after merging they made this book eight times larger).
    assert len(pdf) < 3 * len(single)


def test_an_empty_period_still_prints_the_heading():
    context = examples.ledger(rows=0)
    del context["rows"]
    pages = page_texts(ledger_pdf_parts(context, iter([])))
    assert len(pages) == 1 and "SỔ THEO DÕI HỒ SƠ" in pages[0] and "Trang 1/1" in pages[0]
