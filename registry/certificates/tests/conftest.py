"""Fixtures for certificate tests: the default layout, demo data, the demo seal authority."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from registry.certificates.demo import demo_certificate_data, demo_photo, demo_signature
from registry.certificates.document import CertificateData
from registry.certificates.layout import Layout, load_layout
from registry.ofd.tests.schemas import assert_valid, load_schemas

SIGN_TIME = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)


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


@pytest.fixture
def data(photo: bytes, signature_image: bytes) -> CertificateData:
    """Return the demo certificate data."""
    return demo_certificate_data(photo=photo, signature=signature_image)


@pytest.fixture(scope="session")
def schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """Return the OFD schemas keyed by root element name."""
    return load_schemas(shared_dir)


@pytest.fixture(scope="session")
def validate(schemas):
    """Return a function asserting one XML part validates against its schema."""
    return lambda name, data: assert_valid(schemas, name, data)


@pytest.fixture(scope="session")
def authority(tmp_path_factory):
    """Return the demo seal authority (signer, seal, trust root), created once per test session."""
    seal = pytest.importorskip("registry.seal")
    return seal.load_demo_authority(tmp_path_factory.mktemp("demo-seal"), create_if_missing=True)
