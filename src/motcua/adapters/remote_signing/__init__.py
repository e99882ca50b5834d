"""Client of a remote signing service (dịch vụ ký số từ xa): officials' and agencies' keys are
held by the service; each signature is confirmed by the signer on their device.

The shape follows the Cloud Signature Consortium API v2 (CSC), with the signer's confirmation
made an asynchronous authorisation as the Vietnamese remote-signing services do it (VNPT SmartCA,
Viettel MySign): a sign request answers a transaction id and stays pending until the signer
confirms or declines in their app; we poll it. UNCONFIRMED: the exact wire shape. Neither
service's contract was available; the paths and fields below are CSC v2's where CSC has them
and our design where it has not (the status call, the transaction fields, the client header,
a bearer token that is the configured secret rather than CSC's OAuth 2.0 exchange). The
simulator (simulators/remote_signing) speaks exactly this.

Every call is `POST {SIGNING_REMOTE_URL}/csc/v2/<method>` with a JSON body and the headers
`Authorization: Bearer <SIGNING_REMOTE_SECRET>` and `X-Client-ID: <SIGNING_REMOTE_CLIENT_ID>`:

- `credentials/list` {"userID"} → {"credentialIDs": [...]}; userID is "official:<username>"
  or "agency:<electronic identifier>".
- `credentials/info` {"credentialID", "certificates": "chain", "certInfo": true} →
  {"key": {"status": "enabled", "algo": [OID], "len": bits},
   "cert": {"status": "valid", "certificates": [base64 DER, signer's first, then its CAs],
            "serialNumber", "subjectDN", "issuerDN", "validFrom", "validTo"}}.
- `signatures/signHash` {"credentialID", "hashes": [base64], "hashAlgorithmOID" (SHA-256),
  "signAlgo" (sha256WithRSAEncryption), "description"} → 202
  {"transactionID", "expiresIn": seconds}: the signer is asked to confirm.
- `signatures/status` {"transactionID"} → {"status": "PENDING" | "SIGNED" | "DECLINED" |
  "EXPIRED", "signatures": [base64] when SIGNED}.

Errors (GatewayError.permanent): unreachable, timeouts, 5xx, 429 and a non-JSON answer are
retryable; other 4xx, an unknown user, an unusable certificate and an unreadable answer are
permanent. A declined or expired confirmation is a `SignatureRefused` (permanent); waiting
longer than SIGNING_REMOTE_TIMEOUT for the signer counts as expired.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass

import httpx
from cryptography import x509
from django.conf import settings

from ..errors import GatewayError, post_json

__all__ = [
    "GatewayError",
    "NoRemoteCredential",
    "RemoteCredential",
    "RemoteSigningClient",
    "RemoteSigningError",
    "SignatureRefused",
    "client_from_settings",
]

SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_SHA256_OID = "1.2.840.113549.1.1.11"
PENDING, SIGNED, DECLINED, EXPIRED = "PENDING", "SIGNED", "DECLINED", "EXPIRED"


class RemoteSigningError(GatewayError):
    """A GatewayError of the signing service (not of the TSA that stamps the same signature)."""


class NoRemoteCredential(RemoteSigningError):
    """The service holds no credential for this user."""

    def __init__(self, user_id: str):
        super().__init__(f"The signing service holds no credential for {user_id}", True)
        self.user_id = user_id


class SignatureRefused(RemoteSigningError):
    """The signer declined, or did not confirm in time (`outcome` "declined" or "expired")."""

    def __init__(self, outcome: str, transaction_id: str):
        super().__init__(f"Signature {outcome} (transaction {transaction_id})", True)
        self.outcome = outcome
        self.transaction_id = transaction_id


@dataclass(frozen=True)
class RemoteCredential:
    """A key held by the service: its id there, its certificate and the CAs above it."""

    credential_id: str
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def serial_hex(self) -> str:
        return format(self.cert.serial_number, "X")


def _b64(value, what: str) -> bytes:
    if not isinstance(value, str):
        raise RemoteSigningError(f"The signing service sent no {what}", True)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RemoteSigningError(f"The signing service sent an unreadable {what}", True) from exc


class RemoteSigningClient:
    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        secret: str,
        timeout: float,
        poll_seconds: float,
        http_timeout: float = 10.0,
        http: httpx.Client | None = None,
    ):
        self.base_url = base_url.rstrip("/") + "/csc/v2/"
        self.timeout = timeout
        self.poll_seconds = poll_seconds
        self.http_timeout = http_timeout
        self.headers = {"Authorization": f"Bearer {secret}", "X-Client-ID": client_id}
        self.http = http or httpx.Client(timeout=http_timeout)

    def _call(self, method: str, body: dict) -> dict:
        try:
            return post_json(
                self.http,
                self.base_url + method,
                body,
                timeout=self.http_timeout,
                headers=self.headers,
            )
        except RemoteSigningError:
            raise
        except GatewayError as exc:
            raise RemoteSigningError(exc.message, exc.permanent, status=exc.status) from exc

    def credential(self, user_id: str) -> RemoteCredential:
        """The first credential the service holds for `user_id`, with its certificate chain."""
        listed = self._call("credentials/list", {"userID": user_id}).get("credentialIDs")
        if not isinstance(listed, list):
            raise RemoteSigningError("The signing service answered no credential list", True)
        if not listed or not isinstance(listed[0], str):
            raise NoRemoteCredential(user_id)
        credential_id = listed[0]
        info = self._call(
            "credentials/info",
            {"credentialID": credential_id, "certificates": "chain", "certInfo": True},
        )
        cert_info = info.get("cert")
        if not isinstance(cert_info, dict) or cert_info.get("status", "valid") != "valid":
            raise RemoteSigningError(
                f"The certificate of {user_id} is not valid at the service", True
            )
        ders = cert_info.get("certificates")
        if not isinstance(ders, list) or not ders:
            raise RemoteSigningError("The signing service sent no certificate", True)
        try:
            certs = [x509.load_der_x509_certificate(_b64(d, "certificate")) for d in ders]
        except ValueError as exc:
            raise RemoteSigningError(
                "The signing service sent an unreadable certificate", True
            ) from exc
        return RemoteCredential(credential_id, certs[0], tuple(certs[1:]))

    def sign_hash(self, credential_id: str, digest: bytes, *, description: str) -> bytes:
        """Ask for a signature over a SHA-256 digest and wait until the signer confirms it:
        the raw signature value (PKCS#1 v1.5). SignatureRefused when declined or expired."""
        started = self._call(
            "signatures/signHash",
            {
                "credentialID": credential_id,
                "hashes": [base64.b64encode(digest).decode()],
                "hashAlgorithmOID": SHA256_OID,
                "signAlgo": RSA_SHA256_OID,
                "description": description[:500],
            },
        )
        transaction_id = started.get("transactionID")
        if not isinstance(transaction_id, str) or not transaction_id:
            raise RemoteSigningError("The signing service answered no transaction id", True)
        return self.wait(transaction_id)

    def wait(self, transaction_id: str) -> bytes:
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._call("signatures/status", {"transactionID": transaction_id})
            status = answer.get("status")
            if status == SIGNED:
                signatures = answer.get("signatures")
                if not isinstance(signatures, list) or not signatures:
                    raise RemoteSigningError("The signing service sent no signature", True)
                return _b64(signatures[0], "signature")
            if status in (DECLINED, EXPIRED):
                raise SignatureRefused(status.lower(), transaction_id)
            if status != PENDING:
                raise RemoteSigningError(f"Unknown transaction status {status!r}", True)
            left = deadline - time.monotonic()
            if left <= 0:
                raise SignatureRefused("expired", transaction_id)
            time.sleep(min(self.poll_seconds, left))


def client_from_settings() -> RemoteSigningClient:
    return RemoteSigningClient(
        settings.SIGNING_REMOTE_URL,
        client_id=settings.SIGNING_REMOTE_CLIENT_ID,
        secret=settings.SIGNING_REMOTE_SECRET,
        timeout=float(settings.SIGNING_REMOTE_TIMEOUT),
        poll_seconds=float(settings.SIGNING_REMOTE_POLL_SECONDS),
        http_timeout=float(settings.SIGNING_REMOTE_HTTP_TIMEOUT),
    )
