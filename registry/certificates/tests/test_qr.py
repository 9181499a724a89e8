"""The verification QR: every content scans back at its error level, as a 1-bit PNG at print resolution."""

from __future__ import annotations

import io
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from registry.certificates.qr import PRINT_DPI, make_qr, qr_image
from registry.certificates.tests.helpers import qr_codes, qr_texts

ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHECK_ALPHABET = string.ascii_uppercase
PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

verification_urls = st.builds(
    lambda host, certificate, check: f"https://{host}/certificates/verify/{certificate}?c={check}",
    st.sampled_from(["jzs.example.gov.cn", "zjw.cq.gov.cn", "localhost:8000", "registry.example.org"]),
    st.text(ID_ALPHABET, min_size=16, max_size=16),
    st.text(CHECK_ALPHABET, min_size=8, max_size=8),
)


def assert_scans_back(content: str, error: str) -> None:
    """Decode the certificate's QR image with zxing-cpp's reader: same text, level and version."""
    qr = qr_image(content, module=0.5, error=error)
    [result] = qr_codes(Image.open(io.BytesIO(qr.png)))
    assert result.text == content
    assert result.extra["ECLevel"] == error
    assert int(result.extra["Version"]) == qr.version == (qr.modules - 17) // 4


@EXAMPLES
@given(verification_urls)
def test_every_verification_url_scans_back(url: str) -> None:
    assert_scans_back(url, "Q")


@EXAMPLES
@given(st.text(PRINTABLE_ASCII, min_size=1, max_size=200), st.sampled_from("LMQH"))
def test_any_ascii_text_scans_back_at_every_error_level(text: str, error: str) -> None:
    assert_scans_back(text, error)


def test_the_symbol_is_square_rows_of_zeros_and_ones() -> None:
    symbol = make_qr("https://jzs.example.gov.cn/certificates/verify/K7Q2M9X4TZ8WD3FA?c=WWKZQJYY")
    size = len(symbol.matrix)
    assert size == 17 + 4 * symbol.version and symbol.error == "Q"
    assert all(len(row) == size and set(row) <= {0, 1} for row in symbol.matrix)
    assert symbol.matrix[0][:7] == bytes([1] * 7)  # the top-left finder pattern
    with pytest.raises(ValueError, match="error correction"):
        make_qr("x", "X")


def test_the_image_is_a_one_bit_png_at_print_resolution_that_scans() -> None:
    url = "https://jzs.example.gov.cn/certificates/verify/K7Q2M9X4TZ8WD3FA?c=WWKZQJYY"
    qr = qr_image(url, module=0.7, border=4)
    symbol = make_qr(url)
    image = Image.open(io.BytesIO(qr.png))
    image.load()
    assert image.format == "PNG" and image.mode == "1"
    assert (qr.version, qr.modules) == (symbol.version, len(symbol.matrix))
    side = (qr.modules + 8) * qr.pixels_per_module
    assert image.size == (side, side)
    assert qr.size == pytest.approx((qr.modules + 8) * 0.7)
    assert qr.pixels_per_module / 0.7 * 25.4 >= PRINT_DPI
    assert image.info["dpi"][0] == pytest.approx(qr.pixels_per_module / 0.7 * 25.4, rel=1e-3)
    # Module by module: the centre pixel of each module is black exactly where the symbol is dark,
    # and the 4-module quiet zone all round is white.
    grey = image.convert("L")
    scale = qr.pixels_per_module
    for row in range(-4, qr.modules + 4):
        for column in range(-4, qr.modules + 4):
            inside = 0 <= row < qr.modules and 0 <= column < qr.modules
            dark = inside and symbol.matrix[row][column] == 1
            centre = ((column + 4) * scale + scale // 2, (row + 4) * scale + scale // 2)
            assert grey.getpixel(centre) == (0 if dark else 255), (row, column)
    assert qr_texts(image) == [url]


def test_the_image_is_deterministic_and_refuses_unprintable_sizes() -> None:
    url = "https://jzs.example.gov.cn/certificates/verify/K7Q2M9X4TZ8WD3FA?c=WWKZQJYY"
    assert qr_image(url).png == qr_image(url).png
    with pytest.raises(ValueError, match="0.5 mm"):
        qr_image(url, module=0.4)
    with pytest.raises(ValueError, match="quiet zone"):
        qr_image(url, border=3)


def test_a_qr_in_which_a_1d_reader_sees_a_spurious_code_scans_as_its_link_alone():
    """zxing-cpp's ITF reader finds "5670" in the lines of this link's QR: a QR scanner reads only the link."""
    url = "http://127.0.0.1:8000/certificates/verify/NKS3FNLXTJFCMN4J?c=CXNLQ2BG"
    image = Image.open(io.BytesIO(qr_image(url, module=0.7, error="Q", border=4).png))
    assert qr_texts(image) == [url]
