"""The local test PKI (made on demand, once) and PKCS#12 credentials from configuration."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured

from motcua.signing import pki


def test_agency_certificate_names_the_agency_and_allows_non_repudiation(tree):
    credential = pki.agency_credential(tree["dept"])
    subject = credential.cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Sở Tư pháp"
    assert subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "000.00.02.H20"
    usage = credential.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert credential.chain[-1] == pki.local_root().cert
    credential.cert.verify_directly_issued_by(pki.local_issuing().cert)


def test_local_pki_is_made_once(tree, leader, local_pki):
    first = pki.official_credential(leader)
    pki.forget()  # another process: reads the files
    again = pki.official_credential(leader)
    assert again.cert == first.cert
    assert (local_pki / "root-ca.crt.pem").exists()
    assert oct((local_pki / "root-ca.key.pem").stat().st_mode & 0o777) == "0o600"
    cn = again.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "Nguyễn Văn Bình"


def test_tsa_certificate_is_for_time_stamping_only(db):
    cert = pki.local_tsa().cert
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def _p12(tmp_path, credential, password: bytes) -> str:
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        credential.key,
        credential.cert,
        list(credential.chain),
        BestAvailableEncryption(password),
    )
    path = tmp_path / "agency.p12"
    path.write_bytes(data)
    return str(path)


def test_pkcs12_mode_loads_the_configured_file(tree, settings, tmp_path):
    local = pki.agency_credential(tree["dept"])
    path = _p12(tmp_path, local, b"mat-khau")
    settings.SIGNING_MODE = pki.PKCS12
    settings.SIGNING_PKCS12 = {"agency:000.00.02.H20": (path, "mat-khau")}
    pki.forget()
    assert pki.agency_credential(tree["dept"]).cert == local.cert
    with pytest.raises(pki.NoCredential):
        pki.agency_credential(tree["dept2"])


def test_pkcs12_with_a_wrong_password_is_a_configuration_error(tree, settings, tmp_path):
    path = _p12(tmp_path, pki.agency_credential(tree["dept"]), b"mat-khau")
    settings.SIGNING_MODE = pki.PKCS12
    settings.SIGNING_PKCS12 = {"agency:000.00.02.H20": (path, "sai")}
    pki.forget()
    with pytest.raises(ImproperlyConfigured, match="password"):
        pki.agency_credential(tree["dept"])
