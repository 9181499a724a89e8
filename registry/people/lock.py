"""Identity locks (身份锁): challenge messages, SM2 verification and a software stand-in for a lock.

The SM2-with-SM3 operations and the X.509 handling are the project's seal library
(``registry.seal.crypto`` and ``registry.seal.certs``); nothing here does curve arithmetic.
This module has no Django import.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from registry.seal import certs, crypto

# What a lock signs: a fixed label (so a signature made for another purpose never verifies) and the nonce.
CHALLENGE_LABEL = "CQJZS-LOCK-AUTH-V1"


def challenge_text(nonce: str) -> str:
    """Return the text the lock is asked to sign for a nonce."""
    return f"{CHALLENGE_LABEL}:{nonce}"


def nonce_of(challenge: str) -> str | None:
    """Return the nonce of a challenge text, or None when it is not one of ours."""
    prefix = CHALLENGE_LABEL + ":"
    return challenge[len(prefix):] if challenge.startswith(prefix) else None


def fingerprint(certificate_der: bytes) -> str:
    """Return the SHA-256 hex fingerprint of a DER certificate."""
    return hashlib.sha256(certificate_der).hexdigest()


def b64url(data: bytes) -> str:
    """Return unpadded base64url text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    """Decode unpadded base64url text, raising ValueError on garbage."""
    text = text.strip()
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc


def verify_signature(certificate_der: bytes, challenge: str, signature: bytes) -> bool:
    """Return whether signature is the SM2 signature of the challenge by the certificate's key."""
    try:
        key = certs.certificate_public_key(certificate_der)
    except certs.CertificateError:
        return False
    return crypto.sm2_verify(key, challenge.encode("utf-8"), signature)


@dataclass(frozen=True)
class LockResponse:
    """What a lock answers to a challenge: its certificate and its signature of the challenge."""

    certificate_der: bytes
    signature: bytes


class SoftwareLock:
    """A software stand-in for an identity lock: an SM2 key in a file and its certificate."""

    def __init__(self, private_key: crypto.PrivateKey, certificate_der: bytes):
        self.private_key = private_key
        self.certificate_der = certificate_der

    def respond(self, challenge: str) -> LockResponse:
        """Sign the challenge as a lock would."""
        return LockResponse(self.certificate_der, crypto.sm2_sign(self.private_key, challenge.encode("utf-8")))

    @classmethod
    def create(cls, *, enterprise_name: str, credit_code: str, not_before: datetime, not_after: datetime) -> SoftwareLock:
        """Return a new lock with a self-issued certificate naming the enterprise (demo and tests)."""
        key = crypto.generate_private_key()
        spki = crypto.public_key_der(key.public_key())
        subject = {"country_name": "CN", "organization_name": enterprise_name, "common_name": credit_code}
        issuer = {"country_name": "CN", "organization_name": "重庆市建设工程身份认证（原系统演示）",
                  "common_name": "CQ Legacy Lock CA (demo)"}
        der = certs.build_certificate(
            subject=subject, public_key_der=spki, issuer_der=None, issuer_subject=issuer,
            issuer_public_key_der=spki, sign=lambda tbs: crypto.sm2_sign(key, tbs),
            not_before=not_before, not_after=not_after, is_ca=False, key_usage={"digital_signature"},
        )
        return cls(key, der)

    def save(self, directory: Path, name: str) -> None:
        """Write the key (owner-only) and the certificate into directory."""
        import os

        directory.mkdir(parents=True, exist_ok=True)
        key_path = directory / f"{name}.key.pem"
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(crypto.private_key_pem(self.private_key))
        (directory / f"{name}.cert.der").write_bytes(self.certificate_der)

    @classmethod
    def load(cls, directory: Path, name: str) -> SoftwareLock:
        """Read a lock written by save()."""
        key = crypto.load_private_key_pem((directory / f"{name}.key.pem").read_bytes())
        return cls(key, (directory / f"{name}.cert.der").read_bytes())


def certificate_not_after(certificate_der: bytes) -> datetime:
    """Return the end of a certificate's validity."""
    return certs.cert_info(certificate_der).not_after


def certificate_serial(certificate_der: bytes) -> str:
    """Return a certificate's serial number in hex."""
    return format(certs.cert_info(certificate_der).serial, "x")
