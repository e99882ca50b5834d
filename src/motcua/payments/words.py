"""An amount of đồng in Vietnamese words, for "Số tiền bằng chữ" on receipts."""

from __future__ import annotations

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
SCALES = ["", "nghìn", "triệu", "tỷ"]


def _group(n: int, full: bool) -> list[str]:
    """Three digits; `full` reads "không trăm" and "linh" (a group after the first)."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if h or full:
        words += [DIGITS[h], "trăm"]
    if t == 0:
        if u and (h or full):
            words.append("linh")
    elif t == 1:
        words.append("mười")
    else:
        words += [DIGITS[t], "mươi"]
    if u == 1 and t >= 2:
        words.append("mốt")
    elif u == 5 and t >= 1:
        words.append("lăm")
    elif u == 4 and t >= 2:
        words.append("tư")
    elif u:
        words.append(DIGITS[u])
    return words


def vnd_in_words(amount: int) -> str:
    """150000 → "Một trăm năm mươi nghìn đồng"; 0 → "Không đồng"."""
    if not isinstance(amount, int) or amount < 0:
        raise ValueError("a whole, non-negative number of đồng")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if not g:
            # A whole billion group of zeros still names "tỷ" when higher groups exist.
            if i % 3 == 0 and i and any(groups[i + 1 :]):
                words += ["tỷ"] * (i // 3)
            continue
        words += _group(g, full=i < len(groups) - 1)
        scale = SCALES[i % 3] if i % 3 else ""
        if scale:
            words.append(scale)
        if i and i % 3 == 0:
            words += ["tỷ"] * (i // 3)
    text = " ".join(w for w in words if w)
    return text[0].upper() + text[1:] + " đồng"
