"""Independent readers draw the sealed certificate: ofd.js in headless Chromium (tools/render_ofd.js)
and easyofd (Python, through reportlab and PyMuPDF). In both the QR must scan, and the seal must lie
on top of the page's text."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from registry.certificates.document import build_certificate
from registry.certificates.tests.helpers import qr_texts

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "render_ofd.js"


@pytest.fixture
def sealed_file(tmp_path, data, layout, authority, sign_time) -> Path:
    """Return the path of the sealed demo certificate."""
    source = tmp_path / "certificate.ofd"
    source.write_bytes(
        build_certificate(data, layout=layout, signer=authority.signer, seal=authority.seal, sign_time=sign_time)
    )
    return source


def _seal_centre_pixels(image: Image.Image, layout) -> list[tuple[int, int, int]]:
    """Return the pixels of the 2 mm square at the centre of the stamp box (page 210 mm wide)."""
    x, y, w, h = layout.stamp_box
    scale = image.width / 210
    cx, cy = x + w / 2, y + h / 2
    box = (round((cx - 1) * scale), round((cy - 1) * scale), round((cx + 1) * scale), round((cy + 1) * scale))
    region = image.convert("RGB").crop(box)
    return [region.getpixel((i, j)) for i in range(region.width) for j in range(region.height)]


def _is_seal_red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 180 and g < 100 and b < 100


@pytest.mark.browser
def test_ofd_js_draws_the_sealed_certificate_with_the_seal_on_top_and_its_qr_scans(
    tmp_path, sealed_file, data, layout, node, chromium
):
    out = tmp_path / "certificate.png"
    result = subprocess.run(
        [node, str(SCRIPT), str(sealed_file), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CHROMIUM_PATH": chromium},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["pages"] == 1
    assert summary["seals"] == 1
    assert summary["errors"] == []
    image = Image.open(out)
    assert image.width > 1000 and abs(image.height / image.width - 297 / 210) < 0.02
    # The QR as Chromium drew it, read by an independent decoder.
    assert data.verification_url in qr_texts(image)
    # The authority's name runs through the stamp box; at the seal's centre (its star) only the
    # seal's red shows, none of the name's black: the seal is drawn over the text.
    pixels = _seal_centre_pixels(image, layout)
    assert all(_is_seal_red(pixel) for pixel in pixels), sorted(set(pixels))[:10]


def test_easyofd_draws_the_sealed_certificate_and_its_qr_scans(sealed_file, data, layout, tmp_path, monkeypatch):
    from easyofd.ofd import OFD

    monkeypatch.chdir(tmp_path)  # easyofd writes the embedded fonts it registers into the working folder
    reader = OFD()
    reader.read(sealed_file.read_bytes(), fmt="binary")
    [page] = reader.to_jpg()  # the page drawn into a PDF by reportlab, rasterised by PyMuPDF
    assert abs(page.height / page.width - 297 / 210) < 0.02
    assert data.verification_url in qr_texts(page)
    assert sum(_is_seal_red(pixel) for pixel in _seal_centre_pixels(page, layout)) > 0  # its seal is drawn
