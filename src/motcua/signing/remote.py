"""Signing through the remote signing service (SIGNING_MODE=remote): a pyHanko `Signer` whose
raw signature comes from the service (adapters/remote_signing), so `sign_pdf` builds the same
PAdES signatures as with local keys. pyHanko hashes the CMS signed attributes; the digest goes
to the service, which waits for the signer to confirm on their device and answers the RSA
PKCS#1 v1.5 signature value; pyHanko then embeds it with the certificate chain the service gave
and asks the TSA for the timestamp, as in the local modes."""

from __future__ import annotations

import hashlib

from asn1crypto import algos
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.adapters.remote_signing import RemoteCredential, RemoteSigningClient

from .pki import asn1_cert


class RemoteSigner(signers.Signer):
    """Signer whose key is held by the remote service; each signature waits for the signer."""

    def __init__(self, client: RemoteSigningClient, credential: RemoteCredential, description: str):
        super().__init__(
            signing_cert=asn1_cert(credential.cert),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_cert(c) for c in credential.chain]
            ),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
        )
        self.client = client
        self.credential = credential
        self.description = description

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:  # pyHanko sizes the signature: no call, no confirmation asked
            return bytes(self.credential.cert.public_key().key_size // 8)
        if digest_algorithm.lower() != "sha256":
            raise ValueError(f"Only SHA-256 is signed remotely, not {digest_algorithm}")
        digest = hashlib.sha256(data).digest()
        return self.client.sign_hash(
            self.credential.credential_id, digest, description=self.description
        )
