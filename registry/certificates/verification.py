"""The verification link printed as the certificate's QR code.

The QR carries no personal data: only the certificate's public identifier and a short keyed check
value, so a typed-in or guessed identifier can be told apart from one read off a real certificate
before anything is looked up. The page behind the link shows the live record.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from urllib.parse import quote, urlsplit

CHECK_LENGTH = 8  # base32 characters, 40 bits
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "testserver"}


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def new_public_id() -> str:
    """Return a fresh random public identifier (16 base32 characters, 80 bits, no personal data)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def check_value(public_id: str, secret: str | bytes) -> str:
    """Return the keyed check value of a public identifier: HMAC-SHA256, base32, 8 characters."""
    if not secret:
        raise ValueError("a secret key is required for the check value")
    digest = hmac.digest(_key(secret), b"certificate-verification:" + public_id.encode("utf-8"), "sha256")
    # 8 base32 characters are the digest's first 40 bits: only those 5 bytes are encoded.
    return base64.b32encode(digest[:CHECK_LENGTH * 5 // 8]).decode("ascii")


def verify_check_value(public_id: str, value: str, secret: str | bytes) -> bool:
    """Return whether a check value belongs to the public identifier (constant-time comparison)."""
    expected = check_value(public_id, secret)
    candidate = (value or "").strip().upper()
    return hmac.compare_digest(expected.encode("ascii"), candidate.encode("ascii", "replace"))


def verification_url(base_url: str, public_id: str, secret: str | bytes) -> str:
    """Return the HTTPS verification link ``{base_url}/{public_id}?c={check}`` for the QR code.

    Plain http is accepted only for a local demo host, since a printed link must not be redirectable
    by anyone on the network path.
    """
    parts = urlsplit(base_url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        raise ValueError(f"the verification base URL must use https: {base_url}")
    if not public_id or any(ch in public_id for ch in "/?#&"):
        raise ValueError("the public identifier must be a plain token")
    return f"{base_url.rstrip('/')}/{quote(public_id, safe='')}?c={check_value(public_id, secret)}"
