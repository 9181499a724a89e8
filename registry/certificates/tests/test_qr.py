"""The fast QR mask choice agrees with segno's own, mask by mask and module by module; the image scans."""

from __future__ import annotations

import io
import string
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import segno
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from segno import encoder

from registry.certificates.qr import PRINT_DPI, make_qr, qr_image
from registry.certificates.qrmask import _geometry, _pack, _penalty, best_mask, mask_penalties, remask

ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHECK_ALPHABET = string.ascii_uppercase
PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))
SEGNO_OPTIONS = {"micro": False, "boost_error": False}
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def segno_scores() -> Iterator[list[int]]:
    """Record the penalty segno computes for each mask while segno.make chooses one."""
    recorded: list[int] = []
    original = encoder.evaluate_mask

    def recording(matrix, width, height):
        score = original(matrix, width, height)
        recorded.append(score)
        return score

    encoder.evaluate_mask = recording
    try:
        yield recorded
    finally:
        encoder.evaluate_mask = original


def assert_same_as_segno(content: str, error: str) -> None:
    """Check the per-mask penalties, the chosen mask and the final matrix against segno."""
    with segno_scores() as scores:
        reference = segno.make(content, error=error.lower(), **SEGNO_OPTIONS)
    probe = segno.make(content, error=error.lower(), mask=0, **SEGNO_OPTIONS)
    assert list(mask_penalties(probe.matrix, 0)) == scores
    fast = make_qr(content, error)
    assert fast.mask == reference.mask
    assert (fast.version, fast.error) == (reference.version, reference.error)
    assert [bytes(row) for row in fast.matrix] == [bytes(row) for row in reference.matrix]


verification_urls = st.builds(
    lambda host, certificate, check: f"https://{host}/certificates/verify/{certificate}?c={check}",
    st.sampled_from(["jzs.example.gov.cn", "zjw.cq.gov.cn", "localhost:8000", "registry.example.org"]),
    st.text(ID_ALPHABET, min_size=16, max_size=16),
    st.text(CHECK_ALPHABET, min_size=8, max_size=8),
)


@EXAMPLES
@given(verification_urls)
def test_mask_choice_matches_segno_for_verification_urls(url: str) -> None:
    assert_same_as_segno(url, "Q")


@EXAMPLES
@given(st.text(PRINTABLE_ASCII, min_size=1, max_size=200), st.sampled_from("LMQH"))
def test_mask_choice_matches_segno_for_ascii_text(text: str, error: str) -> None:
    assert_same_as_segno(text, error)


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_and_applied_mask(version: int) -> None:
    # Covers version information (7+) and every alignment pattern layout, starting from any mask.
    url = f"https://jzs.example.gov.cn/certificates/verify/{version:016d}?c=WWKZQJYY"
    content = url[: 7 * version]  # fits every error level of the version
    error = "lmqh"[version % 4]
    with segno_scores() as scores:
        reference = segno.make(content, error=error, version=version, **SEGNO_OPTIONS)
    for applied in (version % 8, 7 - version % 8):
        symbol = segno.make(content, error=error, version=version, mask=applied, **SEGNO_OPTIONS)
        assert list(mask_penalties(symbol.matrix, applied)) == scores
        assert best_mask(symbol.matrix, applied) == reference.mask


PIECES = [b"\1\0\1\1\1\0\1", b"\0\0\0\0", b"\1\1\1\0\1", b"\0", b"\1", b"\1\1\1\1\1\1"]


@st.composite
def matrices(draw: st.DrawFn) -> list[bytes]:
    """Draw square 0/1 matrices of QR sizes, random or rich in finder-like patterns and long runs."""
    size = draw(st.sampled_from([21, 25, 29, 45]))
    if draw(st.booleans()):
        pieces = draw(st.lists(st.sampled_from(PIECES), min_size=size * size // 4, max_size=size * size // 4))
        flat = (b"".join(pieces) + bytes(size * size))[: size * size]
    else:
        flat = bytes(byte & 1 for byte in draw(st.binary(min_size=size * size, max_size=size * size)))
    return [flat[k : k + size] for k in range(0, size * size, size)]


@settings(max_examples=200, deadline=None)
@given(matrices())
def test_penalty_of_any_matrix_matches_segno(matrix: list[bytes]) -> None:
    size = len(matrix)
    flat = b"".join(matrix)
    rows = _pack([flat[k : k + size] for k in range(0, size * size, size)])
    columns = _pack([flat[k::size] for k in range(size)])
    expected = encoder.evaluate_mask([bytearray(row) for row in matrix], size, size)
    assert _penalty(rows, columns, _geometry(size)) == expected


def test_rejects_micro_qr_and_bad_masks() -> None:
    micro = segno.make("1", micro=True)
    with pytest.raises(ValueError, match="QR Code"):
        mask_penalties(micro.matrix, micro.mask)
    symbol = segno.make("hello", micro=False)
    with pytest.raises(ValueError, match="mask"):
        mask_penalties(symbol.matrix, 8)


@pytest.mark.parametrize("version", [1, 6, 7, 21, 40])
def test_remasking_gives_segnos_symbol_for_every_mask(version: int) -> None:
    # From any applied mask to any other: the data region swapped, then segno's format information.
    content = "https://jzs.example.gov.cn/certificates/verify/K7Q2M9X4TZ8WD3FA?c=WWKZQJYY"[: 7 * version]
    error = "lmqh"[version % 4]
    built = [segno.make(content, error=error, version=version, mask=m, **SEGNO_OPTIONS) for m in range(8)]
    for source in (0, 5):
        for target in range(8):
            matrix = remask(built[source].matrix, source, target)
            encoder.add_format_info(matrix, version, segno.consts.ERROR_MAPPING[error.upper()], target)
            assert [bytes(row) for row in matrix] == [bytes(row) for row in built[target].matrix]


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
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [url]


def test_the_image_is_deterministic_and_refuses_unprintable_sizes() -> None:
    url = "https://jzs.example.gov.cn/certificates/verify/K7Q2M9X4TZ8WD3FA?c=WWKZQJYY"
    assert qr_image(url).png == qr_image(url).png
    with pytest.raises(ValueError, match="0.5 mm"):
        qr_image(url, module=0.4)
    with pytest.raises(ValueError, match="quiet zone"):
        qr_image(url, border=3)
