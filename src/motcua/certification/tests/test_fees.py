"""The fee of a certification: 2,000 đ a page for pages 1–2, 1,000 đ from page 3, at most
200,000 đ a copy (DOMAIN-legal.md §7), times the copies."""

import pytest

from motcua.certification.fees import copy_fee_vnd


@pytest.mark.parametrize(
    ("pages", "fee"),
    [(1, 2_000), (2, 4_000), (3, 5_000), (10, 12_000), (198, 200_000), (250, 200_000)],
)
def test_fee_per_copy_by_pages_capped_at_200000(pages, fee):
    assert copy_fee_vnd(pages=pages) == fee
    assert isinstance(copy_fee_vnd(pages=pages), int)


def test_fee_is_per_copy_and_the_cap_applies_to_each_copy():
    assert copy_fee_vnd(pages=3, copies=2) == 10_000
    assert copy_fee_vnd(pages=250, copies=3) == 600_000


@pytest.mark.parametrize(("pages", "copies"), [(0, 1), (1, 0), (-1, 1)])
def test_no_fee_for_nothing(pages, copies):
    with pytest.raises(ValueError):
        copy_fee_vnd(pages=pages, copies=copies)
