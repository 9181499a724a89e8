"""An independent reader draws the sealed certificate: ofd.js in headless Chromium (tools/render_ofd.js)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from registry.certificates.document import build_certificate

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "render_ofd.js"


@pytest.mark.browser
def test_ofd_js_draws_the_sealed_certificate_and_its_qr_scans(
    tmp_path, data, layout, authority, sign_time, node, chromium
):
    source = tmp_path / "certificate.ofd"
    source.write_bytes(
        build_certificate(
            data, layout=layout, signer=authority.signer, seal=authority.seal, sign_time=sign_time
        )
    )
    out = tmp_path / "certificate.png"
    result = subprocess.run(
        [node, str(SCRIPT), str(source), str(out)],
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
    assert data.verification_url in [code.text for code in zxingcpp.read_barcodes(image)]
