"""Keys and certificates for signing (chứng thư số): a local test PKI, or PKCS#12 files.

`SIGNING_MODE` picks where the keys come from:

- ``local-test-ca`` (the demo and the tests): a local test root CA and an issuing CA, created on
  demand under `SIGNING_PKI_DIR` (default var/pki), and from them, also on demand, one
  certificate per agency (its seal: O and CN = the agency's name, UID = its electronic
  identifier such as 000.00.12.H12), one per signing official (their personal signature:
  CN = full name, UID = "USER:<username>") and one for the time-stamping authority's
  simulator. RSA 2048 keys, SHA-256. Signing certificates carry digitalSignature and
  nonRepudiation; the TSA's the timeStamping extended key usage. No CRL or OCSP responder
  exists for this PKI: certificates carry no CRL distribution point or AIA, and the validator
  does not ask for revocation (see selectors.validation_context). Nothing here is trusted
  outside this installation.
- ``pkcs12``: real certificates, one PKCS#12 file per agency and per official
  (settings.SIGNING_PKCS12, see settings.py), with their passwords from the environment.

- ``remote``: the keys stay in a remote signing service (adapters/remote_signing) and each
  signature is confirmed by the signer; only the certificates come here, through
  signing.remote. Its simulator (simulators/remote_signing) holds keys of the local test PKI
  (`local_official`, `local_agency`), so with the simulators the local root is trusted.

Files are written atomically under a lock, so two processes asking at once make one CA.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LOCAL = "local-test-ca"
PKCS12 = "pkcs12"
REMOTE = "remote"
MODES = (LOCAL, PKCS12, REMOTE)

ROOT = "root-ca"
ISSUING = "issuing-ca"
TSA = "tsa"


@dataclass(frozen=True)
class Credential:
    """A private key, its certificate and the CA certificates above it (root last)."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    @property
    def serial_hex(self) -> str:
        return format(self.cert.serial_number, "X")

    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_cert(self.cert)

    def asn1_chain(self) -> list[asn1_x509.Certificate]:
        return [asn1_cert(c) for c in self.chain]

    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        der = self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return asn1_keys.PrivateKeyInfo.load(der)


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def mode() -> str:
    value = settings.SIGNING_MODE
    if value not in MODES:
        raise ImproperlyConfigured(f"SIGNING_MODE must be one of {', '.join(MODES)}")
    return value


# Local test PKI --------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[tuple[str, str], Credential] = {}


def pki_dir() -> Path:
    return Path(settings.SIGNING_PKI_DIR)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with _lock, open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    os.replace(tmp, path)


def _name(*parts: tuple) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in parts if value])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issue(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Credential | None,
    days: int,
    ca: bool = False,
    path_length: int | None = None,
    tsa: bool = False,
) -> x509.Certificate:
    now = _now()
    public = key.public_key()
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    if ca:
        usage = {"key_cert_sign": True, "crl_sign": True}
    else:
        usage = {"digital_signature": True, "content_commitment": not tsa}
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(usage)
    builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(signing_key, hashes.SHA256())


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _load(directory: Path, name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate] | None:
    key_path, cert_path = directory / f"{name}.key.pem", directory / f"{name}.crt.pem"
    if not (key_path.exists() and cert_path.exists()):
        return None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return key, cert  # type: ignore[return-value]


def _store(directory: Path, name: str, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(directory / f"{name}.key.pem", pem_key, private=True)
    _write(directory / f"{name}.crt.pem", cert.public_bytes(serialization.Encoding.PEM))


def _usable(cert: x509.Certificate, subject: x509.Name, issuer: Credential | None) -> bool:
    if cert.subject != subject:
        return False
    if issuer is not None and cert.issuer != issuer.cert.subject:
        return False
    return cert.not_valid_after_utc > _now() + dt.timedelta(days=1)


def _ensure(
    name: str, subject: x509.Name, issuer: Credential | None, **issue_args
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The key and certificate stored as `name`, (re)issued when missing, renamed or expiring."""
    directory = pki_dir()
    found = _load(directory, name) if directory.exists() else None
    if found and _usable(found[1], subject, issuer):
        return found
    with _locked(directory):
        found = _load(directory, name)  # another process may have made it meanwhile
        if found and _usable(found[1], subject, issuer):
            return found
        key = found[0] if found else _new_key()
        cert = _issue(subject=subject, key=key, issuer=issuer, **issue_args)
        _store(directory, name, key, cert)
        return key, cert


def _cached(kind: str, ident: str, build) -> Credential:
    cache_key = (str(pki_dir()), f"{kind}:{ident}")
    credential = _cache.get(cache_key)
    if credential is None:
        credential = build()
        _cache[cache_key] = credential
    return credential


def forget() -> None:
    """Drop the credentials kept in this process (tests switch SIGNING_PKI_DIR)."""
    _cache.clear()


_C_VN = (NameOID.COUNTRY_NAME, "VN")


def local_root() -> Credential:
    def build() -> Credential:
        subject = _name(
            _C_VN,
            (NameOID.ORGANIZATION_NAME, "MộtCửa (thử nghiệm)"),
            (NameOID.COMMON_NAME, "MộtCửa Test Root CA — KHÔNG DÙNG THẬT"),
        )
        key, cert = _ensure(ROOT, subject, None, days=20 * 365, ca=True, path_length=1)
        return Credential(key, cert, ())

    return _cached("ca", ROOT, build)


def local_issuing() -> Credential:
    def build() -> Credential:
        root = local_root()
        subject = _name(
            _C_VN,
            (NameOID.ORGANIZATION_NAME, "MộtCửa (thử nghiệm)"),
            (NameOID.COMMON_NAME, "MộtCửa Test Issuing CA — KHÔNG DÙNG THẬT"),
        )
        key, cert = _ensure(ISSUING, subject, root, days=10 * 365, ca=True, path_length=0)
        return Credential(key, cert, (root.cert,))

    return _cached("ca", ISSUING, build)


def _leaf(name: str, subject: x509.Name, *, tsa: bool = False) -> Credential:
    issuing = local_issuing()
    key, cert = _ensure(name, subject, issuing, days=3 * 365, tsa=tsa)
    return Credential(key, cert, (issuing.cert, *issuing.chain))


def _slug(value: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", value)[:60]
    # A hash keeps two names that clean up alike apart.
    return f"{cleaned}-{hashlib.sha256(value.encode()).hexdigest()[:8]}"


def local_tsa() -> Credential:
    """The time-stamping authority simulator's certificate (simulators/tsa)."""

    def build() -> Credential:
        subject = _name(
            _C_VN,
            (NameOID.ORGANIZATION_NAME, "MộtCửa (thử nghiệm)"),
            (NameOID.COMMON_NAME, "MộtCửa Test TSA — KHÔNG DÙNG THẬT"),
        )
        return _leaf(TSA, subject, tsa=True)

    return _cached("leaf", TSA, build)


def agency_subject(agency) -> x509.Name:
    return _name(
        _C_VN,
        (NameOID.ORGANIZATION_NAME, agency.name[:64]),
        (NameOID.COMMON_NAME, agency.name[:64]),
        (NameOID.USER_ID, agency.code or f"ID:{agency.pk}"),
    )


def official_subject(user) -> x509.Name:
    agency = getattr(user, "agency", None)
    return _name(
        _C_VN,
        (NameOID.ORGANIZATION_NAME, agency.name[:64] if agency else ""),
        (NameOID.COMMON_NAME, (user.full_name or user.username)[:64]),
        (NameOID.USER_ID, f"USER:{user.username}"),
    )


def local_agency(agency) -> Credential:
    subject = agency_subject(agency)
    name = "agency-" + _slug(agency.code or f"id{agency.pk}")
    return _cached("leaf", f"{name}:{subject.rfc4514_string()}", lambda: _leaf(name, subject))


def local_official(user) -> Credential:
    subject = official_subject(user)
    name = "official-" + _slug(user.username)
    return _cached("leaf", f"{name}:{subject.rfc4514_string()}", lambda: _leaf(name, subject))


# PKCS#12 files ---------------------------------------------------------------------------------


def load_pkcs12(path: str, password: str | None, *, what: str) -> Credential:
    """One PKCS#12 file; ImproperlyConfigured when it is missing, unreadable or has no key."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{what}: cannot read {path}: {exc.strerror}") from exc
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{what}: {path} is not PKCS#12 or the password is wrong"
        ) from exc
    if key is None or cert is None:
        raise ImproperlyConfigured(f"{what}: {path} holds no private key and certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{what}: only RSA keys are supported")
    return Credential(key, cert, tuple(extra or ()))


def _configured(entry: str) -> Credential | None:
    found = settings.SIGNING_PKCS12.get(entry)
    if not found:
        return None
    path, password = found
    return _cached("p12", entry, lambda: load_pkcs12(path, password, what=entry))


def agency_key(agency) -> str:
    return f"agency:{agency.code or agency.pk}"


def official_key(user) -> str:
    return f"official:{user.username}"


# The entry points ------------------------------------------------------------------------------


class NoCredential(Exception):
    """No certificate is configured for this agency or official (pkcs12 and remote modes)."""


def agency_credential(agency) -> Credential:
    """The agency's seal (dấu của cơ quan): its key and certificate."""
    if mode() == LOCAL:
        return local_agency(agency)
    credential = _configured(agency_key(agency))
    if credential is None:
        raise NoCredential(agency_key(agency))
    return credential


def official_credential(user) -> Credential:
    """An official's personal signature key and certificate (local and pkcs12 modes)."""
    if mode() == LOCAL:
        return local_official(user)
    credential = _configured(official_key(user))
    if credential is None:
        raise NoCredential(official_key(user))
    return credential


def trust_roots() -> list[x509.Certificate]:
    """The certificates a signature must chain to: the local test root (local-test-ca mode) and
    the PEM files of SIGNING_TRUST_ROOTS."""
    roots: list[x509.Certificate] = []
    if mode() == LOCAL or (mode() == REMOTE and settings.SIMULATORS_ENABLED):
        roots.append(local_root().cert)
    for path in settings.SIGNING_TRUST_ROOTS:
        try:
            roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"SIGNING_TRUST_ROOTS: {path} is not a readable PEM file"
            ) from exc
    return roots


def tsa_trust_roots() -> list[x509.Certificate]:
    """Roots a timestamp must chain to: the same, plus the local root when the TSA is the
    simulator."""
    roots = trust_roots()
    if settings.SIMULATORS_ENABLED and all(r != local_root().cert for r in roots):
        roots.append(local_root().cert)
    return roots
