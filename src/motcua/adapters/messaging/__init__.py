"""Clients of the SMS and e-mail gateways that tell applicants how their dossier moves.

SMS — the common Vietnamese "brandname SMS" HTTP shape: `POST {SMS_GATEWAY_URL}` with JSON
{"request_id", "phone", "message", "brandname"} and `Authorization: Bearer <SMS_GATEWAY_TOKEN>`
→ {"code": "00", "message", "request_id"}. The phone is sent as 84xxxxxxxxx (the gateways'
usual form); the message unaccented-or-not is the template's choice (the gateways accept UTF-8
"unicode" messages at a higher price).
E-mail — an HTTP mail API: `POST {EMAIL_GATEWAY_URL}` with JSON {"request_id", "from", "to",
"subject", "text"} and `Authorization: Bearer <EMAIL_GATEWAY_TOKEN>` → {"code": "00"}.

`request_id` is the outbox event's idempotency key: a gateway that keeps it sends a repeated
request once (the simulator does; UNCONFIRMED for each real provider, which the province picks).
Errors as adapters/errors.py; any code other than "00" is permanent (a wrong number, a brandname
not registered), except "99" (the provider's "system busy"), retryable.
"""

from __future__ import annotations

import httpx
from django.conf import settings

from ..errors import GatewayError, post_json

__all__ = ["GatewayError", "MessagingClient", "client_from_settings", "international"]

OK = "00"
BUSY = "99"


def international(phone: str) -> str:
    """0912345678 → 84912345678 (phones are stored normalized, accounts.services)."""
    return "84" + phone[1:] if phone.startswith("0") else phone


class MessagingClient:
    def __init__(
        self,
        *,
        sms_url: str,
        sms_token: str,
        brandname: str,
        email_url: str,
        email_token: str,
        sender: str,
        timeout: float,
    ) -> None:
        self.sms_url, self.email_url = sms_url, email_url
        self.brandname, self.sender = brandname, sender
        self.timeout = timeout
        self._sms_headers = {"Authorization": f"Bearer {sms_token}"}
        self._email_headers = {"Authorization": f"Bearer {email_token}"}
        self._http = httpx.Client(
            timeout=timeout,
            headers={
                "Accept": "application/json",
                "User-Agent": "MotCua/1.0 (provincial one-stop system; notifications)",
            },
        )

    def __repr__(self) -> str:
        return f"MessagingClient(sms_url={self.sms_url!r}, email_url={self.email_url!r})"

    def __enter__(self) -> MessagingClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def _check(self, payload: dict) -> None:
        code = str(payload.get("code", "")).strip()
        if code != OK:
            message = str(payload.get("message", ""))[:200]
            raise GatewayError(f"Gateway answered {code}: {message}", permanent=code != BUSY)

    def send_sms(self, *, request_id: str, phone: str, message: str) -> None:
        body = {
            "request_id": request_id,
            "phone": international(phone),
            "message": message,
            "brandname": self.brandname,
        }
        self._check(
            post_json(
                self._http, self.sms_url, body, timeout=self.timeout, headers=self._sms_headers
            )
        )

    def send_email(self, *, request_id: str, to: str, subject: str, text: str) -> None:
        body = {
            "request_id": request_id,
            "from": self.sender,
            "to": to,
            "subject": subject,
            "text": text,
        }
        self._check(
            post_json(
                self._http, self.email_url, body, timeout=self.timeout, headers=self._email_headers
            )
        )


def client_from_settings() -> MessagingClient:
    return MessagingClient(
        sms_url=settings.SMS_GATEWAY_URL,
        sms_token=settings.SMS_GATEWAY_TOKEN,
        brandname=settings.SMS_BRANDNAME,
        email_url=settings.EMAIL_GATEWAY_URL,
        email_token=settings.EMAIL_GATEWAY_TOKEN,
        sender=settings.NOTIFY_EMAIL_FROM,
        timeout=settings.MESSAGING_TIMEOUT,
    )
