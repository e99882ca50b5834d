"""The fee of certifying copies from an original: the one place it is computed."""

from __future__ import annotations

from .constants import (
    FEE_CAP_PER_COPY_VND,
    FEE_FIRST_PAGE_VND,
    FEE_FIRST_PAGES,
    FEE_NEXT_PAGE_VND,
)


def copy_fee_vnd(*, pages: int, copies: int = 1) -> int:
    """Whole đồng for `copies` copies of a `pages`-page original: per copy 2,000 đ a page for
    pages 1–2, 1,000 đ a page from page 3, capped at 200,000 đ (DOMAIN-legal.md §7)."""
    if pages < 1 or copies < 1:
        raise ValueError("pages and copies are at least 1")
    first = min(pages, FEE_FIRST_PAGES) * FEE_FIRST_PAGE_VND
    rest = max(pages - FEE_FIRST_PAGES, 0) * FEE_NEXT_PAGE_VND
    return min(first + rest, FEE_CAP_PER_COPY_VND) * copies
