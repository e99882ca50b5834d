"""A remote signing service, simulated, under /sim/ky-so/ (the protocol of
motcua.adapters.remote_signing: CSC API v2's shape, the signer's confirmation asynchronous as
in VNPT SmartCA / Viettel MySign; UNCONFIRMED on the wire).

Keys: those of the local test PKI (signing.pki.local_official / local_agency), one credential
per official username ("official:<username>") and per agency electronic identifier
("agency:<code>"); the credential id is "MC-" + that user id. Calls need
`Authorization: Bearer <SIM_REMOTE_SIGNING_SECRET>` and `X-Client-ID:
<SIM_REMOTE_SIGNING_CLIENT_ID>` (401 otherwise); errors are {"error", "error_description"} as
CSC's.

A signHash opens a transaction (202, PENDING) that the signer confirms or declines on
/sim/ky-so/xac-nhan/<transaction id>/ ("Xác nhận ký" / "Từ chối"; the list of pending ones at
/sim/ky-so/xac-nhan/). With SIM_REMOTE_SIGNING_AUTO_CONFIRM (the demo's default) it is
confirmed at once. A transaction not confirmed within SIM_REMOTE_SIGNING_EXPIRES_SECONDS is
EXPIRED. Transactions live in this process's memory, like the fault switches: enough for the
demo's server and `live_server`.

`_faults`: see motcua.simulators.switch (outage, errors, latency) for the protocol endpoints
(not the confirmation page).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.signing import pki

from ..switch import FaultSwitch, enabled, json_answer

switch = FaultSwitch()
SHA256_OID = "2.16.840.1.101.3.4.2.1"
RSA_SHA256_OID = "1.2.840.113549.1.1.11"
PREFIX = "MC-"


@dataclass
class Transaction:
    id: str
    credential_id: str
    digest: bytes
    description: str
    expires_at: float
    status: str = "PENDING"
    signature: bytes = b""
    created: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_transactions: dict[str, Transaction] = {}


def reset() -> None:
    """Forget every transaction (tests)."""
    with _lock:
        _transactions.clear()


def transactions() -> list[Transaction]:
    with _lock:
        return list(_transactions.values())


def _error(status: int, error: str, description: str) -> HttpResponse:
    return json_answer({"error": error, "error_description": description}, status)


def _authorised(request: HttpRequest) -> bool:
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {settings.SIM_REMOTE_SIGNING_SECRET}"
    client = request.headers.get("X-Client-ID", "")
    return hmac.compare_digest(given.encode(), expected.encode()) and hmac.compare_digest(
        client.encode(), settings.SIM_REMOTE_SIGNING_CLIENT_ID.encode()
    )


def _protocol(view):
    """Simulator on, POST, faults, authentication, a JSON object body."""

    @csrf_exempt
    @require_POST
    def wrapped(request: HttpRequest) -> HttpResponse:
        enabled()
        if (fault := switch.check()) is not None:
            return fault
        if not _authorised(request):
            return _error(401, "invalid_token", "Missing or wrong bearer token or client id")
        try:
            body = json.loads(request.body or b"{}")
        except (UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            return _error(400, "invalid_request", "The body must be a JSON object")
        return view(request, body)

    return wrapped


def _credential(user_id: str) -> pki.Credential | None:
    """The local test PKI's key for 'official:<username>' or 'agency:<code>'."""
    from motcua.accounts.models import User
    from motcua.organizations.models import Agency

    kind, _sep, ident = user_id.partition(":")
    if kind == "official":
        user = User.objects.filter(username=ident, is_active=True).first()
        return pki.local_official(user) if user else None
    if kind == "agency":
        agency = Agency.objects.filter(code=ident).first()
        if agency is None and ident.isdigit():
            agency = Agency.objects.filter(pk=int(ident), code="").first()
        return pki.local_agency(agency) if agency else None
    return None


def _from_credential_id(value) -> pki.Credential | None:
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return None
    return _credential(value[len(PREFIX) :])


def _der64(cert) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@_protocol
def credentials_list(request: HttpRequest, body: dict) -> HttpResponse:
    user_id = body.get("userID")
    if not isinstance(user_id, str) or not user_id:
        return _error(400, "invalid_request", "Missing userID")
    found = _credential(user_id)
    return json_answer({"credentialIDs": [PREFIX + user_id] if found else []})


@_protocol
def credentials_info(request: HttpRequest, body: dict) -> HttpResponse:
    credential = _from_credential_id(body.get("credentialID"))
    if credential is None:
        return _error(400, "invalid_request", "Invalid parameter credentialID")
    certs = [credential.cert]
    if body.get("certificates", "single") == "chain":
        certs += list(credential.chain)
    cert = credential.cert
    return json_answer(
        {
            "key": {
                "status": "enabled",
                "algo": [RSA_SHA256_OID],
                "len": cert.public_key().key_size,
            },
            "cert": {
                "status": "valid",
                "certificates": [_der64(c) for c in certs],
                "serialNumber": format(cert.serial_number, "X"),
                "subjectDN": cert.subject.rfc4514_string(),
                "issuerDN": cert.issuer.rfc4514_string(),
                "validFrom": cert.not_valid_before_utc.isoformat(),
                "validTo": cert.not_valid_after_utc.isoformat(),
            },
            "authMode": "oauth2code",
        }
    )


def _sign(transaction: Transaction) -> None:
    credential = _from_credential_id(transaction.credential_id)
    transaction.signature = credential.key.sign(
        transaction.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    )
    transaction.status = "SIGNED"


def _expire(transaction: Transaction) -> None:
    if transaction.status == "PENDING" and time.monotonic() >= transaction.expires_at:
        transaction.status = "EXPIRED"


@_protocol
def sign_hash(request: HttpRequest, body: dict) -> HttpResponse:
    credential_id = body.get("credentialID")
    if _from_credential_id(credential_id) is None:
        return _error(400, "invalid_request", "Invalid parameter credentialID")
    if body.get("hashAlgorithmOID") != SHA256_OID or body.get("signAlgo") != RSA_SHA256_OID:
        return _error(400, "invalid_request", "Only SHA-256 with RSA is supported")
    hashes_ = body.get("hashes")
    try:
        if not isinstance(hashes_, list) or len(hashes_) != 1:
            raise ValueError("one hash")
        digest = base64.b64decode(hashes_[0], validate=True)
    except (binascii.Error, ValueError, TypeError):
        return _error(400, "invalid_request", "Send exactly one base64 hash")
    if len(digest) != 32:
        return _error(400, "invalid_request", "Invalid hash length")
    ttl = settings.SIM_REMOTE_SIGNING_EXPIRES_SECONDS
    transaction = Transaction(
        id=secrets.token_urlsafe(16),
        credential_id=credential_id,
        digest=digest,
        description=str(body.get("description") or "")[:500],
        expires_at=time.monotonic() + ttl,
    )
    if settings.SIM_REMOTE_SIGNING_AUTO_CONFIRM:
        _sign(transaction)
    with _lock:
        _transactions[transaction.id] = transaction
    return json_answer({"transactionID": transaction.id, "expiresIn": ttl}, 202)


@_protocol
def status(request: HttpRequest, body: dict) -> HttpResponse:
    with _lock:
        transaction = _transactions.get(str(body.get("transactionID")))
        if transaction is None:
            return _error(400, "invalid_request", "Unknown transactionID")
        _expire(transaction)
        answer = {"status": transaction.status}
        if transaction.status == "SIGNED":
            answer["signatures"] = [base64.b64encode(transaction.signature).decode()]
    return json_answer(answer)


def decide(transaction_id: str, *, confirm: bool) -> str:
    """The signer's answer on their device: the transaction's status after it. Http404 when
    unknown; an expired or finished transaction keeps its status."""
    with _lock:
        transaction = _transactions.get(transaction_id)
        if transaction is None:
            raise Http404("Unknown transaction")
        _expire(transaction)
        if transaction.status == "PENDING":
            if confirm:
                _sign(transaction)
            else:
                transaction.status = "DECLINED"
        return transaction.status


def _signer_name(transaction: Transaction) -> str:
    credential = _from_credential_id(transaction.credential_id)
    if credential is None:
        return transaction.credential_id
    from cryptography.x509.oid import NameOID

    names = credential.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else transaction.credential_id


@require_http_methods(["GET"])
def pending(request: HttpRequest) -> HttpResponse:
    enabled()
    with _lock:
        for transaction in _transactions.values():
            _expire(transaction)
        waiting = [t for t in _transactions.values() if t.status == "PENDING"]
    rows = [(t, _signer_name(t)) for t in sorted(waiting, key=lambda t: t.created)]
    return render(request, "sim_remote_signing/pending.html", {"rows": rows})


# The page stands in for the signer's phone app, reached by the random transaction id: no
# session, so no CSRF token (a test or the demo confirms with a plain POST).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, transaction_id: str) -> HttpResponse:
    enabled()
    done = None
    if request.method == "POST":
        answer = request.POST.get("quyet_dinh")
        if answer not in {"xac_nhan", "tu_choi"}:
            return HttpResponse(
                "quyet_dinh: xac_nhan | tu_choi", status=400, content_type="text/plain"
            )
        done = decide(transaction_id, confirm=answer == "xac_nhan")
    with _lock:
        transaction = _transactions.get(transaction_id)
        if transaction is None:
            raise Http404("Unknown transaction")
        _expire(transaction)
    return render(
        request,
        "sim_remote_signing/confirm.html",
        {
            "t": transaction,
            "signer": _signer_name(transaction),
            "digest": transaction.digest.hex(),
            "done": done,
        },
    )


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    return switch.control(request)
