"""Where certificates are sealed and kept: the signer factory, the layout, the private file storage.

The signer is chosen by settings (``CERTIFICATE_SIGNER``): the demo software key in SEAL_KEY_DIR, or a
remote signing service whose certificate and seal are public files. Each is loaded once per process
and reloaded when a test changes the settings.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver

from registry.certificates.layout import Layout, load_layout
from registry.seal import RemoteSigner, Signer, load_demo_authority
from registry.seal.certs import load_certificates_pem

STORAGE_ALIAS = "certificates"


@dataclass(frozen=True)
class Sealing:
    """What build_certificate needs to seal: a signer and the authority's seal (GB/T 38540 SESeal)."""

    signer: Signer
    seal: bytes
    # The demo's trust root (DER), so the demo can check its own files; None for a remote signer.
    trust_root: bytes | None = None


@functools.cache
def get_sealing() -> Sealing:
    """Return the configured signer and seal (loaded once per process)."""
    kind = settings.CERTIFICATE_SIGNER
    if kind == "demo":
        authority = load_demo_authority(Path(settings.SEAL_KEY_DIR), create_if_missing=True)
        return Sealing(authority.signer, authority.seal, authority.trust_root)
    if kind == "remote":
        certificate = Path(settings.CERTIFICATE_SIGNER_CERT_FILE).read_bytes()
        signer = RemoteSigner(settings.CERTIFICATE_SIGNER_URL, settings.CERTIFICATE_SIGNER_TOKEN, certificate)
        return Sealing(signer, Path(settings.CERTIFICATE_SEAL_FILE).read_bytes())
    raise ImproperlyConfigured(f"CERTIFICATE_SIGNER must be demo or remote, not {kind!r}")


@functools.cache
def get_layout() -> Layout:
    """Return the certificate layout of settings (loaded once per process)."""
    return load_layout(settings.CERTIFICATE_LAYOUT_FILE or None)


def trust_roots() -> list[bytes]:
    """Return the authority's trust roots (DER): CERTIFICATE_TRUST_ROOTS_FILE, or the demo's own root."""
    if settings.CERTIFICATE_TRUST_ROOTS_FILE:
        return load_certificates_pem(Path(settings.CERTIFICATE_TRUST_ROOTS_FILE).read_bytes())
    root = get_sealing().trust_root
    return [root] if root else []


def certificate_storage() -> Storage:
    """Return the private storage of sealed certificate files."""
    return storages[STORAGE_ALIAS]


@receiver(setting_changed)
def _reset(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith(("CERTIFICATE_", "SEAL_KEY_DIR", "STORAGES")):
        get_sealing.cache_clear()
        get_layout.cache_clear()
