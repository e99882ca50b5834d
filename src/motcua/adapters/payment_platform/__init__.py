"""Client of the national portal's payment platform (Nền tảng thanh toán trực tuyến trên Cổng
DVCQG; DOMAIN-integration.md §4, DOMAIN.md decision 10): the message-type design.

Every call is `POST {PAYMENT_PLATFORM_URL}/<endpoint>` with a JSON message carrying
`LoaiBanTin`, `PhienBan`, `MaDoiTac` and `MaXacThuc` (protocol.py), plus
`Authorization: Bearer <PAYMENT_PLATFORM_TOKEN>` when one is configured (TDDVC's gateway token).
Every JSON reply's `MaXacThuc` is verified before anything in it is believed.

- `init`: INIT (§4.1) → the address to send the citizen to (`UrlThanhToan`, TDDVC's key).
- `check`: the status check (§4.4) → the platform's record of the reference. Reply fields are
  UNCONFIRMED: we expect the confirm's fields (§4.3), signed with the confirm's recipe.
- `receipt`: the platform's e-receipt (§4.4) → the PDF bytes.
- `refund` and `statement` (the daily list of transactions for reconciliation, đối soát) are
  UNCONFIRMED: the real exchange is not public; both are designed on the same pattern and
  spoken by our simulator only.

Endpoints (`init`, `truy-van`, `bien-lai`, `hoan-tien`, `doi-soat`) are our simulator's; the
real platform's addresses come with the partner agreement (UNCONFIRMED).

Errors (GatewayError.permanent): timeouts, connection failures, 5xx and 429 are retryable; 4xx,
an unverifiable reply and a refusal (`MaLoi` other than "00") are permanent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from ..errors import GatewayError, post_json
from . import protocol as p

__all__ = ["GatewayError", "PaymentPlatformClient", "client_from_settings"]


@dataclass(frozen=True)
class Exchange:
    """One call: what was sent and what came back (both logged by the caller)."""

    sent: dict[str, Any]
    reply: dict[str, Any]


class PaymentPlatformClient:
    def __init__(
        self, url: str, partner: str, secret: str, timeout: float, token: str = ""
    ) -> None:
        self.url = url.rstrip("/")
        self.partner = partner
        self._secret = secret
        self.timeout = timeout
        headers = {
            "Accept": "application/json",
            "User-Agent": "MotCua/1.0 (provincial one-stop system; payments)",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(timeout=timeout, headers=headers)

    def __repr__(self) -> str:  # never print the secret
        return f"PaymentPlatformClient(url={self.url!r}, partner={self.partner!r})"

    def __enter__(self) -> PaymentPlatformClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    # -- messages ---------------------------------------------------------------------------

    def _head(self, kind: str, now: dt.datetime | None) -> dict[str, Any]:
        return {
            "LoaiBanTin": kind,
            "PhienBan": p.VERSION,
            "MaDoiTac": self.partner,
            "ThoiGianGD": p.moment(now or timezone.now()),
        }

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return post_json(self._http, f"{self.url}/{endpoint}", body, timeout=self.timeout)

    def _refused(self, what: str, reply: dict[str, Any]) -> GatewayError:
        code = str(reply.get("MaLoi", ""))[:10]
        text = str(reply.get("MoTaLoi", ""))[:200]
        return GatewayError(f"The payment platform refused the {what}: {code} {text}", True)

    def _verified(self, what: str, reply: dict[str, Any], fields: tuple[str, ...]) -> None:
        if not p.verify(reply, fields, self._secret):
            raise GatewayError(f"The payment platform's {what} reply fails its checksum", True)

    def init(
        self,
        *,
        reference: str,
        amount_vnd: int,
        description: str,
        ip: str,
        receipt_info: dict[str, Any],
        now: dt.datetime | None = None,
    ) -> tuple[Exchange, str]:
        """INIT: create the transaction; the exchange and the payment page's address."""
        body = self._head(p.INIT, now) | {
            "MaThamChieu": reference,
            "SoTien": str(amount_vnd),
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": "1",
            "MaThietBi": "1",
            "NgonNgu": "vi-VN",
            "MaTienTe": "VND",
            "MaNganHang": "PAYMENT",  # the citizen chooses the bank on the platform
            "ThongTinGiaoDich": description,
            "Ip": ip or "127.0.0.1",
        }
        body = p.signed(body, p.INIT_FIELDS, self._secret) | {"ThongTinBienLai": receipt_info}
        reply = self._post("init", body)
        self._verified("INIT", reply, p.ANSWER_FIELDS)
        if str(reply.get("MaLoi")) != p.OK:
            raise self._refused("payment request", reply)
        url = reply.get("UrlThanhToan")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise GatewayError("The payment platform gave no payment address", True)
        return Exchange(body, reply), url

    def check(self, *, reference: str, now: dt.datetime | None = None) -> Exchange:
        """The platform's record of `reference` (MaLoi "00": paid; see the reply's TrangThai)."""
        body = self._head(p.CHECK, now) | {"MaThamChieu": reference}
        body = p.signed(body, p.QUERY_FIELDS, self._secret)
        reply = self._post("truy-van", body)
        self._verified("status check", reply, p.CONFIRM_FIELDS)
        return Exchange(body, reply)

    def receipt(self, *, reference: str, now: dt.datetime | None = None) -> bytes:
        """The platform's electronic receipt of a paid reference: PDF bytes."""
        body = self._head(p.RECEIPT, now) | {"MaThamChieu": reference}
        body = p.signed(body, p.QUERY_FIELDS, self._secret)
        url = f"{self.url}/bien-lai"
        try:
            response = self._http.post(url, json=body)
        except httpx.TimeoutException as exc:
            raise GatewayError(f"Timed out after {self.timeout} s: {url}") from exc
        except httpx.HTTPError as exc:
            raise GatewayError(f"Cannot reach {url}: {exc.__class__.__name__}") from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise GatewayError(f"HTTP {status} from {url}", status=status)
        if status >= 400 or not response.content.startswith(b"%PDF-"):
            raise GatewayError(f"HTTP {status} from {url}: no receipt", True, status=status)
        return response.content

    def refund(
        self, *, reference: str, amount_vnd: int, reason: str, now: dt.datetime | None = None
    ) -> Exchange:
        """UNCONFIRMED message: refund `amount_vnd` of a paid reference."""
        body = self._head(p.REFUND, now) | {
            "MaThamChieu": reference,
            "SoTien": str(amount_vnd),
            "LyDo": reason,
        }
        body = p.signed(body, p.REFUND_FIELDS, self._secret)
        reply = self._post("hoan-tien", body)
        self._verified("refund", reply, p.ANSWER_FIELDS)
        if str(reply.get("MaLoi")) != p.OK:
            raise self._refused("refund", reply)
        return Exchange(body, reply)

    def statement(self, *, day: dt.date, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """UNCONFIRMED message: the platform's transactions of a day (Asia/Ho_Chi_Minh), each
        line signed like a confirm; a line failing its checksum fails the whole list."""
        body = self._head(p.STATEMENT, now) | {"Ngay": day.strftime("%Y%m%d")}
        body = p.signed(body, p.STATEMENT_FIELDS, self._secret)
        reply = self._post("doi-soat", body)
        if str(reply.get("MaLoi")) != p.OK:
            raise self._refused("statement", reply)
        lines = reply.get("DanhSach")
        if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
            raise GatewayError("The payment platform's statement has no list", True)
        for line in lines:
            self._verified("statement", line, p.CONFIRM_FIELDS)
        return lines


def client_from_settings() -> PaymentPlatformClient:
    return PaymentPlatformClient(
        url=settings.PAYMENT_PLATFORM_URL,
        partner=settings.PAYMENT_PARTNER_CODE,
        secret=settings.PAYMENT_SECRET,
        timeout=settings.PAYMENT_PLATFORM_TIMEOUT,
        token=settings.PAYMENT_PLATFORM_TOKEN,
    )
