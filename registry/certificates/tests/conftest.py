"""Fixtures for certificate tests: the default layout, demo data, the demo seal authority."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from registry.certificates.demo import demo_certificate_data, demo_photo, demo_signature
from registry.certificates.document import CertificateData
from registry.certificates.layout import Layout, load_layout
from registry.clock import LOCAL_ZONE
from registry.ofd.tests.schemas import assert_valid, load_schemas
from registry.seal.demo import create_demo_pki


@pytest.fixture(scope="session")
def layout() -> Layout:
    """Return the bundled Chongqing layout."""
    return load_layout()


@pytest.fixture(scope="session")
def photo() -> bytes:
    """Return the demo ID photo (JPEG)."""
    return demo_photo()


@pytest.fixture(scope="session")
def signature_image() -> bytes:
    """Return the demo signature (PNG)."""
    return demo_signature()


@pytest.fixture(scope="session")
def sign_time(clock_now: datetime) -> datetime:
    """Return the signing time of the session's certificates: the session's one "now"."""
    return clock_now


@pytest.fixture
def data(photo: bytes, signature_image: bytes, sign_time: datetime) -> CertificateData:
    """Return the demo certificate data, issued on the signing day."""
    return demo_certificate_data(
        photo=photo, signature=signature_image, issue_date=sign_time.astimezone(LOCAL_ZONE).date()
    )


@pytest.fixture(scope="session")
def schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """Return the OFD schemas keyed by root element name."""
    return load_schemas(shared_dir)


@pytest.fixture(scope="session")
def validate(schemas):
    """Return a function asserting one XML part validates against its schema."""
    return lambda name, data: assert_valid(schemas, name, data)


@pytest.fixture(scope="session")
def authority(tmp_path_factory, clock_now: datetime):
    """Return the demo seal authority (signer, seal, trust root), made at the session's "now"."""
    return create_demo_pki(tmp_path_factory.mktemp("demo-seal"), now=clock_now)


# --- issuing: the workflow personas, private uploads in a temporary folder --------------------------



@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Keep uploaded photos and signatures of the test in its own folder."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def trust_root(certificate_sandbox) -> bytes:
    """Return the trust root (DER) of the demo key the suite seals with."""
    from registry.seal import load_demo_authority

    return load_demo_authority(certificate_sandbox, create_if_missing=False).trust_root


@pytest.fixture
def own_storage(settings, tmp_path):
    """Give the test a certificate storage of its own (empty at the start)."""
    settings.STORAGES = {**settings.STORAGES, "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "certs")}}}
    from registry.certificates.sealing import certificate_storage

    return certificate_storage()


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts with empty caches, the rate limit's own ("ratelimit") included."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()
