"""Fixtures for the seal tests: a demo PKI, a sealed minimal package, and the external verifiers."""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from registry.ofd.package import write_package
from registry.seal import load_demo_authority, seal_package
from registry.seal.certs import certificate_public_key
from registry.seal.crypto import public_key_pem

from .helpers import minimal_parts

REPO_ROOT = Path(__file__).resolve().parents[3]
SM2_VERIFY_JS = REPO_ROOT / "tools" / "sm2_verify.js"


@pytest.fixture(scope="session")
def sign_time(clock_now: datetime) -> datetime:
    """Return the signing time of the session's seals: the session's one "now"."""
    return clock_now


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory, clock_now: datetime):
    """Return a demo authority (root CA, seal maker, signer, seal) made at the session's "now"."""
    from registry.seal.demo import create_demo_pki

    directory = tmp_path_factory.mktemp("pki")
    create_demo_pki(directory, now=clock_now)
    return load_demo_authority(directory, create_if_missing=False)


@pytest.fixture(scope="session")
def other_authority(tmp_path_factory: pytest.TempPathFactory, clock_now: datetime):
    """Return a second, unrelated demo authority (another root, another key, another seal)."""
    from registry.seal.demo import create_demo_pki

    return create_demo_pki(tmp_path_factory.mktemp("pki-other"), now=clock_now)


@pytest.fixture(scope="session")
def sealed_parts(authority, sign_time: datetime) -> dict[str, bytes]:
    """Return the parts of the minimal package sealed once by the demo authority."""
    return seal_package(
        minimal_parts(),
        signer=authority.signer,
        seal=authority.seal,
        page_id="1",
        stamp_box=(140, 200, 40, 40),
        sign_time=sign_time,
    )


@pytest.fixture(scope="session")
def sealed_ofd(sealed_parts) -> bytes:
    """Return the ZIP bytes of the sealed minimal package."""
    return write_package(sealed_parts)


def openssl_verify(openssl: str, tmp_path: Path, cert_der: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether OpenSSL 3 verifies an SM2-with-SM3 signature with the default user ID."""
    (tmp_path / "pub.pem").write_bytes(public_key_pem(certificate_public_key(cert_der)))
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.der").write_bytes(signature)
    result = subprocess.run(
        [
            openssl, "pkeyutl", "-verify", "-rawin", "-digest", "sm3",
            "-pkeyopt", "distid:1234567812345678",
            "-pubin", "-inkey", str(tmp_path / "pub.pem"),
            "-in", str(tmp_path / "msg.bin"), "-sigfile", str(tmp_path / "sig.der"),
        ],
        capture_output=True, text=True, check=False,
    )
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout


def sm_crypto_verify(node: str, checks: list[tuple[bytes, bytes, bytes]]) -> dict[str, list[bool]]:
    """Return, per sm-crypto copy (ofd.js's bundled one and the latest), whether each check verifies.

    Each check is (certificate DER, message, DER signature), verified the way ofd.js calls sm-crypto.
    """
    payload = []
    for cert_der, message, signature in checks:
        numbers = certificate_public_key(cert_der).public_numbers()
        public_hex = "04" + numbers.x.to_bytes(32, "big").hex() + numbers.y.to_bytes(32, "big").hex()
        payload.append(
            {"publicKey": public_hex, "message": base64.b64encode(message).decode(), "signature": signature.hex()}
        )
    result = subprocess.run(
        [node, str(SM2_VERIFY_JS)], input=json.dumps(payload), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)
