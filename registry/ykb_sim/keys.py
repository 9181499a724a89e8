"""The simulator's signing keys: one EC P-256 key per purpose, generated once per deployment.

Keys live in files under ``settings.YKB_SIM_KEY_DIR`` (mode 0600), never in the database. The public
half of the face key is also written as a JWKS file, which the site reads to verify face results.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path

from django.conf import settings
from joserfc.jwk import ECKey, KeySet

_lock = threading.Lock()


def _key_dir() -> Path:
    return Path(settings.YKB_SIM_KEY_DIR)


def _write_private(path: Path, data: str) -> None:
    """Write a secret file atomically with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(data)
    os.replace(tmp, path)


def load_key(purpose: str) -> ECKey:
    """Return the simulator's private key for a purpose ("oidc" or "face"), creating it on first use."""
    path = _key_dir() / f"{purpose}-key.json"
    with _lock:
        if not path.exists():
            key = ECKey.generate_key(
                "P-256", parameters={"kid": f"{purpose}-{secrets.token_hex(4)}", "use": "sig", "alg": "ES256"}
            )
            _write_private(path, json.dumps(key.as_dict(private=True)))
        key = ECKey.import_key(json.loads(path.read_text(encoding="utf-8")))
        public_path = _key_dir() / f"{purpose}-public.jwks"
        if not public_path.exists():
            public_path.write_text(json.dumps({"keys": [key.as_dict(private=False)]}), encoding="utf-8")
    return key


def public_jwks(purpose: str) -> dict:
    """Return the public JWKS of a purpose's key."""
    key = load_key(purpose)
    return KeySet([key]).as_dict(private=False)
