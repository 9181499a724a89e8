"""Password hashers of the former registration system, for imported accounts only.

Django tries every hasher in PASSWORD_HASHERS; a correct password stored in one of these formats is
re-hashed with the preferred (Argon2) hasher on first use. Imported accounts are also flagged
``must_change_password``. Add a verifier for another old format by subclassing ``LegacyHasher``.
Encodings: ``legacy_md5$$<hex md5(password)>`` and ``legacy_sha1$<salt>$<hex sha1(salt + password)>``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.translation import gettext_noop as _


class LegacyHasher(BasePasswordHasher):
    """A verifier of an old hash format; it can encode only so tests and imports can build hashes."""

    def digest(self, password: str, salt: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def salt(self) -> str:
        return ""

    def encode(self, password: str, salt: str) -> str:
        return f"{self.algorithm}${salt}${self.digest(password, salt)}"

    def decode(self, encoded: str) -> dict:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return secrets.compare_digest(self.digest(password, decoded["salt"]), decoded["hash"].lower())

    def safe_summary(self, encoded: str) -> dict:
        decoded = self.decode(encoded)
        return {_("algorithm"): decoded["algorithm"], _("salt"): mask_hash(decoded["salt"], show=2),
                _("hash"): mask_hash(decoded["hash"])}

    def must_update(self, encoded: str) -> bool:
        return True

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


class LegacyMD5PasswordHasher(LegacyHasher):
    """Unsalted MD5 hex, as the oldest accounts were stored."""

    algorithm = "legacy_md5"

    def digest(self, password: str, salt: str) -> str:
        return hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()


class LegacySaltedSHA1PasswordHasher(LegacyHasher):
    """SHA-1 of salt followed by password, hex."""

    algorithm = "legacy_sha1"

    def salt(self) -> str:
        return secrets.token_hex(8)

    def digest(self, password: str, salt: str) -> str:
        return hashlib.sha1((salt + password).encode("utf-8"), usedforsecurity=False).hexdigest()
