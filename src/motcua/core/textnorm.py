"""Vietnamese text folding for search: "Đồng Tháp" and "dong thap" meet at "dong thap"."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d as well) and collapse spaces.

    NFD splits "ệ" into "e" plus combining marks, which we drop; "đ" has no decomposition, so it
    is mapped by hand. The result is what search columns store and what queries are folded to.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
