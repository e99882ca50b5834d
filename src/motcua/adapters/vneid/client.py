"""Authlib's Django OAuth client, configured from settings (VNEID_*), and the identity it
yields. The only code that speaks HTTP to the identity provider."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

log = logging.getLogger(__name__)

NAME = "vneid"
# UNCONFIRMED, as the simulator decides (simulators/vneid/data.py): "1" a citizen, "2" an
# organization.
CITIZEN, ORGANIZATION = "citizen", "organization"
ACCOUNT_KINDS = {"1": CITIZEN, "2": ORGANIZATION}


class IdentityError(Exception):
    """The login did not prove an identity: refused by the provider or by our checks (a wrong
    state, nonce, signature, issuer, audience, expiry, a reused code), or the provider could
    not be reached. `code` names the reason for the audit trail; the message is for people."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class VneidIdentity:
    """Who logged in, as the provider vouches: a citizen (personal identification number) or an
    organization (its code, and the representative who logged in for it)."""

    subject: str
    kind: str
    number: str
    name: str
    birth_date: str = ""
    address: str = ""
    email: str = ""
    tech_id: str = ""
    ial: str = ""
    loa: str = ""
    organization_name: str = ""
    representative_name: str = ""
    representative_number: str = ""
    id_token: str = ""


def configured() -> bool:
    return bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID and settings.VNEID_CLIENT_SECRET)


@functools.lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, secret: str, scope: str, timeout: float):
    # One client per configuration: it keeps the provider's metadata and keys for the process
    # (Authlib fetches the JWKS again when a token names a key it does not know).
    oauth = OAuth()
    return oauth.register(
        name=NAME,
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": scope,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": timeout,
        },
    )


def forget_clients() -> None:
    """Drop the cached clients (after the provider's keys or the settings changed)."""
    _client.cache_clear()


def _app():
    if not configured():
        raise IdentityError("not_configured")
    app = _client(
        settings.VNEID_ISSUER,
        settings.VNEID_CLIENT_ID,
        settings.VNEID_CLIENT_SECRET,
        settings.VNEID_SCOPE,
        settings.VNEID_TIMEOUT,
    )
    try:
        metadata = app.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise IdentityError("unavailable", exc.__class__.__name__) from exc
    # OpenID Connect Discovery §4.3: the issuer it names must be the one we were configured with.
    if metadata.get("issuer") != settings.VNEID_ISSUER:
        forget_clients()
        raise IdentityError("wrong_issuer", str(metadata.get("issuer")))
    return app


def start(request: HttpRequest) -> HttpResponse:
    """The redirect to the provider's authorize page (state, nonce and PKCE verifier kept in
    the session by Authlib)."""
    return _app().authorize_redirect(request, settings.VNEID_REDIRECT_URI)


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _identity(claims: dict, info: dict, id_token: str) -> VneidIdentity:
    kind = ACCOUNT_KINDS.get(str(claims.get("LoaiTaiKhoan") or info.get("LoaiTaiKhoan") or "1"))
    if kind is None:
        raise IdentityError("unknown_account_type", str(claims.get("LoaiTaiKhoan")))
    merged = {**info, **claims}  # the signed claims win
    if kind == CITIZEN:
        number = _text(merged.get("SoDinhDanh"), 12)
        if not (number.isdigit() and len(number) == 12):
            raise IdentityError("bad_identity_number")
    else:
        number = _text(merged.get("MaSoDoanhNghiep"), 20)
        if not number:
            raise IdentityError("no_organization_code")
    representative = merged.get("NguoiDaiDien") or {}
    if not isinstance(representative, dict):
        representative = {}
    name = _text(merged.get("TenToChuc") if kind == ORGANIZATION else merged.get("HoVaTen"), 150)
    return VneidIdentity(
        subject=_text(claims.get("sub"), 255),
        kind=kind,
        number=number,
        name=name or number,
        birth_date=_text(merged.get("NgayThangNamSinh"), 10),
        address=_text(merged.get("DiaChi"), 500),
        email=_text(merged.get("ThuDienTu"), 254),
        tech_id=_text(merged.get("TechID"), 100),
        ial=_text(merged.get("IAL"), 10),
        loa=_text(merged.get("loAs"), 10),
        organization_name=name if kind == ORGANIZATION else "",
        representative_name=_text(representative.get("HoVaTen") or merged.get("HoVaTen"), 150)
        if kind == ORGANIZATION
        else "",
        representative_number=_text(representative.get("SoDinhDanh"), 12),
        id_token=id_token,
    )


def finish(request: HttpRequest) -> VneidIdentity:
    """The provider sent the browser back: exchange the code, verify the ID token, read
    userinfo. Any failure is an IdentityError; nothing is trusted before all checks pass."""
    app = _app()
    try:
        token = app.authorize_access_token(request)
    except OAuthError as exc:
        # A wrong or replayed state, an error from the provider, a refused code exchange.
        raise IdentityError(exc.error or "oauth_error", exc.description or "") from exc
    except JoseError as exc:
        # A bad signature, a wrong issuer, audience or nonce, an expired token.
        raise IdentityError("bad_id_token", exc.__class__.__name__) from exc
    except (requests.RequestException, ValueError) as exc:
        raise IdentityError("unavailable", exc.__class__.__name__) from exc
    claims = token.get("userinfo")
    if not token.get("id_token") or not claims:
        # Authlib verifies an ID token only when there is one: its absence is a refusal here.
        raise IdentityError("no_id_token")
    try:
        info = app.userinfo(token=token)
    except (OAuthError, requests.RequestException, ValueError) as exc:
        raise IdentityError("userinfo_failed", exc.__class__.__name__) from exc
    if info.get("sub") != claims.get("sub"):
        raise IdentityError("userinfo_subject_mismatch")
    return _identity(dict(claims), dict(info), token["id_token"])


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for this login, or None when it has none."""
    try:
        app = _app()
        return app.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token or None,
            client_id=settings.VNEID_CLIENT_ID,
        )["url"]
    except (IdentityError, RuntimeError) as exc:
        log.warning("VNeID end-session unavailable: %s", exc)
        return None
