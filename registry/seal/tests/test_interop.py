"""Every signature we make is checked by two verifiers we did not write: OpenSSL 3 and sm-crypto.

OpenSSL needs the SM2 user ID spelt out (distid:1234567812345678); without it OpenSSL 3's pkeyutl
uses an empty ID, which is why the negative test below exists. The same holds for certificates:
OpenSSL 3.0's ``openssl verify`` checks SM2 certificate signatures with an empty ID unless given
``-vfyopt distid:1234567812345678`` (GM/T 0015 signs certificates with the default ID, as we do).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.seal.asn1 import SESeal, SESSignature
from registry.seal.certs import build_certificate, certificate_public_key, pem_certificate
from registry.seal.crypto import (
    generate_private_key,
    private_key_pem,
    public_key_der,
    public_key_pem,
    sm2_sign,
    sm2_verify,
    sm3,
)

from .conftest import REPO_ROOT, openssl_verify, sm_crypto_verify

SIGNED_VALUE = "Doc_0/Signs/Sign_0/SignedValue.dat"


def _signed(sealed_parts) -> tuple[bytes, bytes, bytes, bytes, bytes, bytes]:
    signature = SESSignature.load(sealed_parts[SIGNED_VALUE])
    seal = SESeal.load(signature["to_sign"]["eseal"].dump())
    return (
        signature["cert"].native, signature["to_sign"].dump(), bytes(signature["signature"]),
        seal["cert"].native, seal["e_seal_info"].dump(), bytes(seal["signed_value"]),
    )


def test_sm3_matches_the_published_test_vector() -> None:
    # GB/T 32905-2016 Appendix A, example 1.
    assert sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_openssl_verifies_the_signers_signature_over_tbs_sign(openssl, sealed_parts, tmp_path: Path) -> None:
    signer_cert, tbs, signature, *_ = _signed(sealed_parts)

    assert openssl_verify(openssl, tmp_path, signer_cert, tbs, signature)
    assert not openssl_verify(openssl, tmp_path, signer_cert, tbs + b"\x00", signature)


def test_openssl_verifies_the_seal_makers_signature_over_ses_sealinfo(openssl, sealed_parts, tmp_path: Path) -> None:
    *_, maker_cert, info, maker_signature = _signed(sealed_parts)

    assert openssl_verify(openssl, tmp_path, maker_cert, info, maker_signature)


def test_openssl_without_the_user_id_rejects_our_signature(openssl, sealed_parts, tmp_path: Path) -> None:
    signer_cert, tbs, signature, *_ = _signed(sealed_parts)
    (tmp_path / "pub.pem").write_bytes(public_key_pem(certificate_public_key(signer_cert)))
    (tmp_path / "msg.bin").write_bytes(tbs)
    (tmp_path / "sig.der").write_bytes(signature)

    result = subprocess.run(
        [openssl, "pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
         "-in", str(tmp_path / "msg.bin"), "-sigfile", str(tmp_path / "sig.der")],
        capture_output=True, text=True, check=False,
    )

    assert "Signature Verified Successfully" not in result.stdout


def test_our_verifier_accepts_a_signature_made_by_openssl(openssl, tmp_path: Path) -> None:
    key = generate_private_key()
    (tmp_path / "key.pem").write_bytes(private_key_pem(key))
    (tmp_path / "msg.bin").write_bytes(b"TBS_Sign bytes")
    subprocess.run(
        [openssl, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
         "-inkey", str(tmp_path / "key.pem"), "-in", str(tmp_path / "msg.bin"), "-out", str(tmp_path / "sig.der")],
        check=True, capture_output=True,
    )
    signature = (tmp_path / "sig.der").read_bytes()

    assert sm2_verify(key.public_key(), b"TBS_Sign bytes", signature)
    assert not sm2_verify(key.public_key(), b"other bytes", signature)


def test_openssl_verifies_the_demo_certificates_against_the_demo_root(
    openssl, authority, clock_now, tmp_path: Path
) -> None:
    (tmp_path / "root.pem").write_bytes(pem_certificate(authority.trust_root))
    (tmp_path / "signer.pem").write_bytes(pem_certificate(authority.signer.certificate))
    (tmp_path / "maker.pem").write_bytes(pem_certificate(authority.maker_certificate))

    result = subprocess.run(
        # -attime: OpenSSL reads the real clock, the demo PKI was made at the session's (perhaps moved) "now".
        [openssl, "verify", "-vfyopt", "distid:1234567812345678", "-attime", str(int(clock_now.timestamp())),
         "-CAfile", str(tmp_path / "root.pem"), str(tmp_path / "signer.pem"), str(tmp_path / "maker.pem")],
        capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == 2


def test_openssl_rejects_the_demo_certificates_against_another_root(openssl, authority, other_authority,
                                                                   clock_now, tmp_path: Path) -> None:
    (tmp_path / "root.pem").write_bytes(pem_certificate(other_authority.trust_root))
    (tmp_path / "signer.pem").write_bytes(pem_certificate(authority.signer.certificate))

    result = subprocess.run(
        [openssl, "verify", "-vfyopt", "distid:1234567812345678", "-attime", str(int(clock_now.timestamp())),
         "-CAfile", str(tmp_path / "root.pem"), str(tmp_path / "signer.pem")],
        capture_output=True, text=True, check=False,
    )

    assert result.returncode != 0
    assert "unable to get local issuer certificate" in result.stdout + result.stderr


def test_sm_crypto_verifies_both_signatures_the_way_ofd_js_calls_it(node, sealed_parts) -> None:
    signer_cert, tbs, signature, maker_cert, info, maker_signature = _signed(sealed_parts)

    results = sm_crypto_verify(node, [
        (signer_cert, tbs, signature),
        (maker_cert, info, maker_signature),
        (signer_cert, tbs[:-1] + bytes([tbs[-1] ^ 1]), signature),  # one bit changed: must fail
    ])

    assert results["ofdjs"] == [True, True, False]  # the sm-crypto copy bundled with ofd.js 0.2.6
    assert results["latest"] == [True, True, False]


def test_sm_crypto_verifies_signatures_from_a_fresh_key(node, authority) -> None:
    messages = [b"", b"x", bytes(range(256)) * 40]
    checks = [(authority.signer.certificate, m, authority.signer.sign(m)) for m in messages]

    results = sm_crypto_verify(node, checks)

    assert results["ofdjs"] == [True, True, True]
    assert results["latest"] == [True, True, True]


def test_a_signature_made_with_sm2_sign_verifies_in_openssl(openssl, tmp_path: Path) -> None:
    key = generate_private_key()
    cert = build_certificate(
        subject={"common_name": "t"}, public_key_der=public_key_der(key.public_key()), issuer_der=None,
        sign=lambda tbs: sm2_sign(key, tbs), not_before=datetime(2026, 1, 1, tzinfo=UTC),
        not_after=datetime(2027, 1, 1, tzinfo=UTC), is_ca=True, key_usage={"key_cert_sign"},
    )
    message = "二级建造师".encode()

    assert openssl_verify(openssl, tmp_path, cert, message, sm2_sign(key, message))


@pytest.mark.browser
def test_ofd_js_opens_our_sealed_package_and_draws_the_seal(
    node, chromium, sealed_ofd: bytes, tmp_path: Path
) -> None:
    (tmp_path / "sealed.ofd").write_bytes(sealed_ofd)

    result = subprocess.run(
        [node, str(REPO_ROOT / "tools" / "render_ofd.js"), str(tmp_path / "sealed.ofd"), str(tmp_path / "page.png")],
        capture_output=True, text=True, check=False, timeout=180, env={**os.environ, "CHROMIUM_PATH": chromium},
    )

    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["pages"] == 1
    assert summary["seals"] == 1
    assert summary["errors"] == []
