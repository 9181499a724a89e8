"""The signature photo becomes a cropped, transparent PNG, or is refused with the reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from registry.certificates.signature_image import SignatureRejected, clean_signature
from registry.certificates.tests.test_pages import signature_photo

LIMIT = 10 * 1024 * 1024


def test_it_crops_to_the_ink_and_makes_the_paper_transparent():
    with Image.open(io.BytesIO(clean_signature(signature_photo(), max_bytes=LIMIT))) as picture:
        assert picture.format == "PNG" and picture.mode == "RGBA"
        # The strokes span x 150..450 and y 110..190 of a 600 x 300 photo: the paper around is cut off.
        assert 300 <= picture.width < 400 and 80 <= picture.height < 140
        alphas = list(picture.getchannel("A").tobytes())
        assert alphas[0] == 0 and max(alphas) == 255
        assert sum(1 for a in alphas if a == 0) > len(alphas) / 2


@pytest.mark.parametrize("data, message", [
    (b"", "空的"),
    (b"GIF89a" + b"\0" * 100, "无法识别"),
    (b"x" * (LIMIT + 1), "过大"),
])
def test_it_refuses_what_is_not_a_usable_image(data, message):
    with pytest.raises(SignatureRejected, match=message):
        clean_signature(data, max_bytes=LIMIT)


def test_it_refuses_a_dark_photo_with_no_paper():
    out = io.BytesIO()
    Image.new("RGB", (400, 200), (20, 20, 20)).save(out, "PNG")
    with pytest.raises(SignatureRejected):
        clean_signature(out.getvalue(), max_bytes=LIMIT)
