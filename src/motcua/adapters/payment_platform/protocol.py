"""The payment platform's message-type protocol (DOMAIN-integration.md §4): field orders of
each checksum, date-times, message types. No I/O here: the client (this package), our IPN
endpoint (motcua.payments) and nothing else use it; the simulator has its own copy of the
recipes, so a mistake here shows as a checksum refused over real HTTP.

`MaXacThuc` = lowercase hex SHA-256 (a plain hash, not an HMAC) of the fields joined by "|",
followed by "|" and the shared secret (the "hash key"). The INIT and confirm recipes are those
of §4.1 and §4.3 (identical in OCPS and TDDVC); the status check and receipt sign the same six
fields (§4.4). Message-type literals other than INIT are UNCONFIRMED (OCPS keeps them in
configuration): ours are below. The refund and the daily list (đối soát) are UNCONFIRMED
messages designed on the same pattern.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VERSION = "1.0.6"
INIT = "INIT"
CONFIRM = "CONFIRM"  # UNCONFIRMED literal
CHECK = "CHECK"  # UNCONFIRMED literal
RECEIPT = "GETBILL"  # UNCONFIRMED literal
REFUND = "REFUND"  # UNCONFIRMED message
STATEMENT = "DOISOAT"  # UNCONFIRMED message (the daily list of transactions)
OK = "00"

INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
# Note: time before description, as §4.3 says.
CONFIRM_FIELDS = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
QUERY_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
# Our answers to INIT replies and confirms: {MaLoi, MoTaLoi, MaDoiTac, MaThamChieu, ThoiGianGD}.
ANSWER_FIELDS = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
REFUND_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien", "ThoiGianGD")
STATEMENT_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "Ngay", "ThoiGianGD")


def checksum(body: Mapping[str, Any], fields: Sequence[str], secret: str) -> str:
    parts = ["" if body.get(f) is None else str(body.get(f)) for f in fields]
    return hashlib.sha256("|".join([*parts, secret]).encode("utf-8")).hexdigest()


def signed(body: dict[str, Any], fields: Sequence[str], secret: str) -> dict[str, Any]:
    return {**body, "MaXacThuc": checksum(body, fields, secret)}


def verify(body: Mapping[str, Any], fields: Sequence[str], secret: str) -> bool:
    given = body.get("MaXacThuc")
    if not isinstance(given, str) or not secret:
        return False
    return hmac.compare_digest(given.lower(), checksum(body, fields, secret))


def moment(at: dt.datetime) -> str:
    """yyyyMMddHHmmss in Asia/Ho_Chi_Minh."""
    return at.astimezone(TZ).strftime("%Y%m%d%H%M%S")


def parse_moment(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=TZ)
    except ValueError:
        return None
