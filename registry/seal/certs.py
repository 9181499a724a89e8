"""X.509 certificates with SM2 keys: read them, build them, check one issuing another.

tongsuopy has no X.509 support, so certificates are assembled with asn1crypto and their
TBSCertificate bytes are signed SM2-with-SM3 (default user ID, as GM/T 0015 requires), either with a
private key or through any ``Signer``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import keys, pem, x509

from .crypto import OID_SM2_WITH_SM3, CryptoError, PublicKey, load_public_key_der, sm2_verify


class CertificateError(Exception):
    """The bytes are not a usable X.509 certificate."""


@dataclass(frozen=True)
class CertInfo:
    """The parts of a certificate a verifier reports on."""

    der: bytes
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    serial: int

    def valid_at(self, moment: datetime) -> bool:
        """Return whether moment lies inside the certificate's validity period."""
        return self.not_before <= moment <= self.not_after


def load_certificate(data: bytes) -> x509.Certificate:
    """Return the certificate of DER or PEM bytes, or raise CertificateError."""
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        cert = x509.Certificate.load(data, strict=True)
        # Parse what verification reads, so corruption surfaces here. Extensions are left alone:
        # real vendor certificates carry ones asn1crypto cannot parse, and nothing here needs them.
        tbs = cert["tbs_certificate"]
        for name in ("serial_number", "signature", "issuer", "validity", "subject", "subject_public_key_info"):
            tbs[name].native  # noqa: B018
        cert["signature_algorithm"].native  # noqa: B018
        cert["signature_value"].native  # noqa: B018
    except Exception as exc:
        raise CertificateError(f"unreadable certificate: {exc}") from None
    return cert


def load_certificates_pem(data: bytes) -> list[bytes]:
    """Return the DER of every certificate in PEM (or a single DER) bytes."""
    if not pem.detect(data):
        return [load_certificate(data).dump()]
    return [der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]


def cert_info(der: bytes) -> CertInfo:
    """Return the subject, issuer and validity of a DER certificate."""
    cert = load_certificate(der)
    validity = cert["tbs_certificate"]["validity"]
    return CertInfo(
        der=der,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        serial=cert.serial_number,
    )


def certificate_public_key(der: bytes) -> PublicKey:
    """Return the SM2 public key of a DER certificate, or raise CertificateError."""
    cert = load_certificate(der)
    try:
        return load_public_key_der(cert["tbs_certificate"]["subject_public_key_info"].dump())
    except CryptoError as exc:
        raise CertificateError(str(exc)) from None


def issued_by(cert_der: bytes, issuer_der: bytes) -> bool:
    """Return whether issuer_der's subject and SM2 key issued (signed) cert_der."""
    try:
        cert = load_certificate(cert_der)
        issuer = load_certificate(issuer_der)
        if cert.issuer.dump() != issuer.subject.dump() and cert.issuer != issuer.subject:
            return False
        if cert["signature_algorithm"]["algorithm"].dotted != OID_SM2_WITH_SM3:
            return False
        key = certificate_public_key(issuer_der)
    except CertificateError:
        return False
    return sm2_verify(key, cert["tbs_certificate"].dump(), cert["signature_value"].native)


def is_ca(der: bytes) -> bool:
    """Return whether a certificate's basicConstraints marks it as a CA."""
    try:
        value = load_certificate(der).basic_constraints_value
        return bool(value is not None and value["ca"].native)
    except Exception:  # unparseable extensions: not usable as an issuer
        return False


def chain_to_root(cert_der: bytes, trust_roots: list[bytes], max_depth: int = 4) -> list[bytes] | None:
    """Return the chain from cert_der up to a trusted certificate, or None when there is none.

    Every certificate in trust_roots is a trust anchor (a root or a pinned intermediate); an anchor
    that issues another certificate must be a CA. Revocation is not checked.
    """
    chain = [cert_der]
    current = cert_der
    for _ in range(max_depth):
        if current in trust_roots:
            return chain
        issuer = next((root for root in trust_roots if is_ca(root) and issued_by(current, root)), None)
        if issuer is None:
            return None
        chain.append(issuer)
        current = issuer
    return None


def key_identifier(public_key_info: keys.PublicKeyInfo) -> bytes:
    """Return the RFC 5280 method-1 key identifier (SHA-1 of the public key bits)."""
    return hashlib.sha1(public_key_info["public_key"].contents[1:], usedforsecurity=False).digest()


def build_certificate(
    *,
    subject: dict[str, str],
    public_key_der: bytes,
    issuer_der: bytes | None,
    issuer_subject: dict[str, str] | None = None,
    issuer_public_key_der: bytes | None = None,
    sign: Callable[[bytes], bytes],
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
    key_usage: set[str],
) -> bytes:
    """Return the DER of an SM2-with-SM3 X.509 v3 certificate.

    The issuer is given as its certificate (issuer_der), or, for a self-signed root, as None with the
    subject reused. sign receives the DER TBSCertificate and returns a DER SEQUENCE{r,s} signature.
    """
    spki = keys.PublicKeyInfo.load(public_key_der)
    if issuer_der is not None:
        issuer_cert = load_certificate(issuer_der)
        issuer_name = issuer_cert.subject
        issuer_spki = issuer_cert["tbs_certificate"]["subject_public_key_info"]
    else:
        issuer_name = x509.Name.build(issuer_subject or subject)
        issuer_spki = keys.PublicKeyInfo.load(issuer_public_key_der or public_key_der)
    algorithm = x509.SignedDigestAlgorithm({"algorithm": OID_SM2_WITH_SM3})
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": is_ca}},
        {"extn_id": "key_usage", "critical": True, "extn_value": key_usage},
        {"extn_id": "key_identifier", "critical": False, "extn_value": key_identifier(spki)},
        {
            "extn_id": "authority_key_identifier",
            "critical": False,
            "extn_value": {"key_identifier": key_identifier(issuer_spki)},
        },
    ]
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": secrets.randbits(63) | (1 << 62),
            "signature": algorithm,
            "issuer": issuer_name,
            "validity": {
                "not_before": x509.Time({"utc_time": not_before}),
                "not_after": x509.Time({"utc_time": not_after}),
            },
            "subject": x509.Name.build(subject),
            "subject_public_key_info": spki,
            "extensions": extensions,
        }
    )
    tbs_der = tbs.dump()
    signature = sign(tbs_der)
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": algorithm,
            "signature_value": signature,
        }
    )
    return cert.dump()


def pem_certificate(der: bytes) -> bytes:
    """Return the PEM armour of a DER certificate."""
    return pem.armor("CERTIFICATE", der)
