"""Fixtures for the OFD library tests: the GB/T 33190 schemas and a small sample document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from registry.ofd.fonts import FontSource, load_font
from registry.ofd.model import DocInfo, Document, Font, Image, ImageObject, Page, PathObject, TextObject
from registry.ofd.tests.schemas import assert_valid, load_schemas


@pytest.fixture(scope="session")
def schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """Return the OFD schemas keyed by root element name."""
    return load_schemas(shared_dir)


@pytest.fixture(scope="session")
def validate(schemas: dict[str, etree.XMLSchema]) -> Callable[[str, bytes], None]:
    """Return a function that asserts one XML part validates against the schema of its root."""
    return lambda name, data: assert_valid(schemas, name, data)


@pytest.fixture(scope="session")
def serif() -> FontSource:
    """Return the Noto Serif CJK SC face every certificate uses."""
    return load_font("Noto Serif CJK SC")


@pytest.fixture(scope="session")
def png_bytes() -> bytes:
    """Return a tiny PNG image."""
    import io

    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def sample_document(serif: FontSource, png_bytes: bytes) -> Document:
    """Return a one-page document with text, an image and a path."""
    title = "二级建造师电子注册证书"
    line = "注册编号：渝2502019202100001 & <测试>"
    text = title + line
    font = Font("宋体", "宋体", data=serif.subset_truetype(text), serif=True)
    image = Image(png_bytes, "PNG")
    page = Page(
        [
            PathObject(
                (10, 10, 190, 277),
                "M 0 0 L 190 0 L 190 277 L 0 277 C",
                line_width=0.5,
                stroke_color=(150, 20, 20),
            ),
            TextObject(title, font, 7.76, 40, 40, serif.advances(title, 7.76), weight=700),
            TextObject(line, font, 4.23, 30, 60, serif.advances(line, 4.23), color=(20, 20, 20)),
            ImageObject(image, (150, 80, 25, 35)),
        ]
    )
    info = DocInfo(
        doc_id="0123456789abcdef0123456789abcdef",
        creation_date=date(2026, 11, 24),
        title="二级建造师电子注册证书",
        creator="registry",
        creator_version="0.1",
        custom_data=(("注册编号", "渝2502019202100001"), ("姓名", "张三")),
    )
    return Document(info, [page])
