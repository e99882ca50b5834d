"""The national identity provider (VNeID, OpenID Connect): the relying party.

Authorization code with PKCE (S256), state and nonce kept in the session and checked, the ID
token's RS256 signature verified against the provider's JWKS and its issuer, audience, expiry
and nonce checked — all by Authlib's Django client (no JOSE written here); then the userinfo
endpoint, whose `sub` must be the ID token's (OpenID Connect Core 1.0 §5.3.2).
DOMAIN.md decision 11; DOMAIN-integration.md §3.1.
"""

from .client import (
    IdentityError,
    VneidIdentity,
    configured,
    finish,
    forget_clients,
    logout_url,
    start,
)

__all__ = [
    "IdentityError",
    "VneidIdentity",
    "configured",
    "finish",
    "forget_clients",
    "logout_url",
    "start",
]
