"""Vocabulary and fixed rules of electronic certified copies (DOMAIN-legal.md §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    # A number is taken in the book before the copy is signed (the statement carries it): the
    # line is RESERVED until the signed copy is stored (CERTIFIED) or signing failed (VOIDED,
    # with the reason). A line is never deleted, so the book has no silent gap.
    RESERVED = "reserved", _("In progress")
    CERTIFIED = "certified", _("Certified")
    VOIDED = "voided", _("Voided")


# The catalog's procedure "Chứng thực bản sao từ bản chính…" (commune level).
PROCEDURE_CODE = "2.000815"

# "Sổ chứng thực bản sao từ bản chính": one book a year per agency, "01/2026-SCT/BS". The
# suffix follows the book forms of Circular 01/2020/TT-BTP (UNCONFIRMED: checked against
# practice statements, not the circular's text).
BOOK_SUFFIX = "SCT/BS"

# Fee per copy (DOMAIN-legal.md §7; believed Circular 226/2016/TT-BTC, UNCONFIRMED): 2,000 đ a
# page for pages 1–2, 1,000 đ a page from page 3, at most 200,000 đ a copy.
FEE_FIRST_PAGES = 2
FEE_FIRST_PAGE_VND = 2_000
FEE_NEXT_PAGE_VND = 1_000
FEE_CAP_PER_COPY_VND = 200_000

MAX_COPIES = 100
