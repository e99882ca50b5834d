"""The simulated identity provider's own state: its signing key, the authorization codes it
issued and the access tokens it gave for them. Nothing here is the province's data."""

from django.db import models


class SimSigningKey(models.Model):
    """The RSA key the ID tokens are signed with: generated once, kept here (the JWKS serves
    its public half)."""

    kid = models.CharField(max_length=64, unique=True)
    private_jwk = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.kid


class SimAuthorizationCode(models.Model):
    """An authorization code: single use (`used_at`), short-lived, bound to the client, the
    redirect URI and the PKCE challenge. Only its SHA-256 is stored."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=200)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128)
    # The identity chosen on the authorize page: its claims, as the tokens will carry them.
    claims = models.JSONField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_id} {self.claims.get('sub', '')}"


class SimAccessToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    code = models.ForeignKey(SimAuthorizationCode, on_delete=models.CASCADE, related_name="+")
    claims = models.JSONField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.claims.get("sub", "")
