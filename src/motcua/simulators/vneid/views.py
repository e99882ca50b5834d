"""VNeID, simulated: a minimal OpenID Connect provider under /sim/vneid/ (DOMAIN.md decision 11;
DOMAIN-integration.md §3.1: "build the simulator as a minimal OIDC provider returning the claims
above"). UNCONFIRMED: the real provider's discovery address, scopes and claim names on the wire.

- `.well-known/openid-configuration`: the discovery document; the issuer is this mount point as
  the caller reached it.
- `jwks`: the public half of the RSA key (generated once, kept in `SimSigningKey`).
- `authorize` (GET shows, POST decides): a Vietnamese page where the demo user picks one of the
  test identities (data.py) or types another citizen; only `response_type=code` with PKCE S256,
  a registered client and an exactly registered redirect URI (SIM_VNEID_REDIRECT_URIS). An
  unregistered redirect URI is never redirected to.
- `token`: authorization code + PKCE verifier (client_secret_basic or _post); a code is single
  use and lives CODE_SECONDS; a reused code answers invalid_grant and revokes what it gave.
- `userinfo`: the identity's claims for a bearer access token.
- `end-session`: RP-initiated logout; back to a registered post_logout_redirect_uri with state.
- `_faults` (X-Sim-Token): the switch of simulators/switch.py, plus "id_token": "tampered" |
  "wrong_nonce" | "wrong_audience" | "wrong_issuer" | "expired" | "foreign_key" | "missing",
  for the relying party's tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
import uuid
from typing import Any
from urllib.parse import unquote, urlencode

from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from joserfc import jwt
from joserfc.jwk import RSAKey

from ..control import control_allowed, control_refusal
from ..switch import FaultSwitch, enabled, json_answer
from . import data
from .models import SimAccessToken, SimAuthorizationCode, SimSigningKey

switch = FaultSwitch()
CODE_SECONDS = 60
TOKEN_SECONDS = 300
ID_TOKEN_SECONDS = 300
ID_TOKEN_FAULTS = {
    "tampered",
    "wrong_nonce",
    "wrong_audience",
    "wrong_issuer",
    "expired",
    "foreign_key",
    "missing",
}
_faults_lock = threading.Lock()
_id_token_fault: dict[str, str] = {}
# RFC 7636 §4.1: 43 to 128 unreserved characters.
VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _issuer(request: HttpRequest) -> str:
    discovery = reverse("sim_vneid:discovery")
    return request.build_absolute_uri(discovery).removesuffix("/.well-known/openid-configuration")


def _signing_key() -> tuple[str, RSAKey]:
    row = SimSigningKey.objects.order_by("pk").first()
    if row is None:
        kid = uuid.uuid4().hex
        key = RSAKey.generate_key(
            2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
        )
        with transaction.atomic():
            row, _ = SimSigningKey.objects.get_or_create(
                kid=kid, defaults={"private_jwk": key.as_dict(private=True)}
            )
        row = SimSigningKey.objects.order_by("pk").first()
    return row.kid, RSAKey.import_key(row.private_jwk)


# ---------------------------------------------------------------------------------------------
# Discovery and keys


@require_safe
def discovery(request: HttpRequest) -> HttpResponse:
    enabled()
    issuer = _issuer(request)
    return json_answer(
        {
            "issuer": issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "userinfo_endpoint": issuer + "/userinfo",
            "jwks_uri": issuer + "/jwks",
            "end_session_endpoint": issuer + "/end-session",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [*data.ID_TOKEN_CLAIMS, "DiaChi", "ThuDienTu", "NguoiDaiDien"],
        }
    )


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    enabled()
    _kid, key = _signing_key()
    return json_answer({"keys": [key.as_dict(private=False)]})


# ---------------------------------------------------------------------------------------------
# Authorization


class _Refused(Exception):
    """A request that must not go back to its redirect URI (unknown client or URI)."""


def _check_client_and_uri(params) -> str:
    if params.get("client_id") != settings.SIM_VNEID_CLIENT_ID:
        raise _Refused("Ứng dụng (client_id) chưa được đăng ký với VNeID.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in settings.SIM_VNEID_REDIRECT_URIS:
        raise _Refused("Địa chỉ chuyển hướng (redirect_uri) chưa được đăng ký.")
    return redirect_uri


def _back(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    sep = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(redirect_uri + sep + urlencode(params))


def _request_error(params) -> tuple[str, str] | None:
    """The OAuth error to send back for a well-addressed but wrong request, or None."""
    if params.get("response_type") != "code":
        return "unsupported_response_type", "Chỉ hỗ trợ response_type=code."
    if "openid" not in (params.get("scope") or "").split():
        return "invalid_scope", "Thiếu phạm vi openid."
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return "invalid_request", "Bắt buộc PKCE với code_challenge_method=S256."
    if not params.get("state"):
        return "invalid_request", "Thiếu state."
    return None


_FORWARDED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)


def _chosen(post) -> tuple[dict[str, Any] | None, str]:
    """The identity picked or typed on the page; or None and what is wrong."""
    choice = (post.get("tai_khoan") or "").strip()
    if choice and choice != "khac":
        claims = data.find(choice)
        return (claims, "") if claims else (None, "Tài khoản thử nghiệm không tồn tại.")
    number = (post.get("so_dinh_danh") or "").strip()
    name = " ".join((post.get("ho_va_ten") or "").split())
    if not (number.isdigit() and len(number) == 12):
        return None, "Số định danh cá nhân gồm 12 chữ số."
    known = data.find(number)
    if known is not None:
        return known, ""
    if not name:
        return None, "Nhập họ và tên."
    born = (post.get("ngay_sinh") or "").strip()
    return data.citizen_claims(number, name[:150], born[:10]), ""


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Đăng nhập bằng tài khoản định danh điện tử (simulated)."""
    enabled()
    params = request.GET if request.method == "GET" else request.POST
    try:
        redirect_uri = _check_client_and_uri(params)
    except _Refused as exc:
        return render(request, "sim_vneid/error.html", {"message": str(exc)}, status=400)
    state = params.get("state", "")
    wrong = _request_error(params)
    if wrong is not None:
        return _back(redirect_uri, error=wrong[0], error_description=wrong[1], state=state)
    forwarded = {k: params.get(k, "") for k in _FORWARDED}
    context = {
        "forwarded": forwarded,
        "identities": data.identities(),
        "error": "",
        "posted": {},
    }
    if request.method == "GET":
        return render(request, "sim_vneid/authorize.html", context)
    if "tu_choi" in request.POST:
        return _back(redirect_uri, error="access_denied", state=state)
    claims, error = _chosen(request.POST)
    if claims is None:
        context.update(error=error, posted=request.POST)
        return render(request, "sim_vneid/authorize.html", context, status=422)
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    SimAuthorizationCode.objects.create(
        code_hash=_sha256(code),
        client_id=forwarded["client_id"],
        redirect_uri=redirect_uri,
        scope=forwarded["scope"][:200],
        nonce=forwarded["nonce"][:200],
        code_challenge=forwarded["code_challenge"][:128],
        claims=claims,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=CODE_SECONDS),
    )
    return _back(redirect_uri, code=code, state=state)


# ---------------------------------------------------------------------------------------------
# Token


def _oauth_error(error: str, description: str, status: int = 400) -> HttpResponse:
    response = json_answer({"error": error, "error_description": description}, status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="vneid"'
    return response


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _pkce_ok(verifier: str, challenge: str) -> bool:
    if not VERIFIER_RE.match(verifier):
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return hmac.compare_digest(computed, challenge)


def _id_token(request: HttpRequest, row: SimAuthorizationCode, access_token: str) -> str | None:
    with _faults_lock:
        fault = _id_token_fault.get("id_token", "")
    if fault == "missing":
        return None
    now = int(timezone.now().timestamp())
    claims: dict[str, Any] = {
        "iss": _issuer(request),
        "aud": row.client_id,
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "auth_time": int(row.created_at.timestamp()),
        "at_hash": create_half_hash(access_token, "RS256").decode(),
    }
    if row.nonce:
        claims["nonce"] = row.nonce
    claims.update({k: row.claims[k] for k in data.ID_TOKEN_CLAIMS if row.claims.get(k)})
    if fault == "wrong_nonce":
        claims["nonce"] = "not-" + row.nonce
    elif fault == "wrong_audience":
        claims["aud"] = "another-client"
    elif fault == "wrong_issuer":
        claims["iss"] = "https://vneid.example.invalid"
    elif fault == "expired":
        claims["iat"], claims["exp"] = now - 3600, now - 1800
    kid, key = _signing_key()
    if fault == "foreign_key":
        key = RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)
    token = jwt.encode({"alg": "RS256", "kid": kid, "typ": "JWT"}, claims, key)
    if fault == "tampered":
        # Another claim set under the genuine signature: the signature no longer matches.
        header, payload, signature = token.split(".")
        forged = dict(claims, SoDinhDanh="087190009999", HoVaTen="Người Khác")
        body = json.dumps(forged, separators=(",", ":")).encode()
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        token = f"{header}.{payload}.{signature}"
    return token


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    enabled()
    faulty = switch.check()
    if faulty is not None:
        return faulty
    client_id, secret = _client_credentials(request)
    if not (
        hmac.compare_digest(client_id.encode(), settings.SIM_VNEID_CLIENT_ID.encode())
        and hmac.compare_digest(secret.encode(), settings.SIM_VNEID_CLIENT_SECRET.encode())
    ):
        return _oauth_error("invalid_client", "Sai thông tin ứng dụng.", 401)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", "Chỉ hỗ trợ authorization_code.")
    code = request.POST.get("code", "")
    now = timezone.now()
    with transaction.atomic():
        row = SimAuthorizationCode.objects.filter(code_hash=_sha256(code)).first()
        if row is None or row.client_id != client_id:
            return _oauth_error("invalid_grant", "Mã ủy quyền không hợp lệ.")
        # Single use, decided by one conditional UPDATE: two concurrent exchanges, one wins.
        claimed = SimAuthorizationCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
            used_at=now
        )
        if not claimed:
            # RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
            SimAccessToken.objects.filter(code=row).delete()
            return _oauth_error("invalid_grant", "Mã ủy quyền đã được sử dụng.")
        if row.expires_at <= now:
            return _oauth_error("invalid_grant", "Mã ủy quyền đã hết hạn.")
        if request.POST.get("redirect_uri", "") != row.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri không khớp.")
        if not _pkce_ok(request.POST.get("code_verifier", ""), row.code_challenge):
            return _oauth_error("invalid_grant", "code_verifier không khớp (PKCE).")
        access_token = secrets.token_urlsafe(32)
        SimAccessToken.objects.create(
            token_hash=_sha256(access_token),
            code=row,
            claims=row.claims,
            expires_at=now + dt.timedelta(seconds=TOKEN_SECONDS),
        )
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "scope": row.scope,
    }
    id_token = _id_token(request, row, access_token)
    if id_token is not None:
        body["id_token"] = id_token
    response = json_answer(body)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: HttpRequest) -> HttpResponse:
    enabled()
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    row = (
        SimAccessToken.objects.filter(token_hash=_sha256(given), expires_at__gt=timezone.now())
        .only("claims")
        .first()
        if given
        else None
    )
    if row is None:
        response = json_answer({"error": "invalid_token"}, 401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return json_answer({k: v for k, v in row.claims.items() if v not in ("", None)})


@require_safe
def end_session(request: HttpRequest) -> HttpResponse:
    """Đăng xuất (RP-initiated logout): back to a registered address, or a page saying so."""
    enabled()
    target = request.GET.get("post_logout_redirect_uri", "")
    if target and target in settings.SIM_VNEID_REDIRECT_URIS:
        state = request.GET.get("state", "")
        return _back(target, state=state) if state else HttpResponseRedirect(target)
    return render(request, "sim_vneid/logged_out.html")


@csrf_exempt
@require_POST
def faults(request: HttpRequest) -> HttpResponse:
    """The common switch, plus "id_token" (see the module's docstring)."""
    enabled()
    if not control_allowed(request):
        return control_refusal()
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("object")
        fault = body.pop("id_token", "") or ""
        if fault and fault not in ID_TOKEN_FAULTS:
            raise ValueError(f"id_token: one of {sorted(ID_TOKEN_FAULTS)}")
        state = switch.set(body)
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        return json_answer({"error_code": "400", "message": str(exc)}, status=400)
    with _faults_lock:
        _id_token_fault.clear()
        if fault:
            _id_token_fault["id_token"] = fault
    return json_answer({"faults": {**state, **({"id_token": fault} if fault else {})}})


def reset() -> None:
    """Every fault off (tests)."""
    switch.set({})
    with _faults_lock:
        _id_token_fault.clear()
