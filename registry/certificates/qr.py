"""The verification QR code, drawn as a 1-bit PNG at print resolution with its quiet zone.

Why an image and not vector paths: every OFD reader tried draws images the same way, while paths
differ. easyofd (PyPI) strokes every path and never fills one, so a QR of filled rectangles comes
out as outlines that do not scan; ofd.js fills them. A bitmap whose modules are whole pixels at
600 dpi or more prints as sharp as the vector drawing did (a module of 0.7 mm is 17 pixels), and
readers that smooth images while scaling only soften an edge by a fraction of a module.

The symbol is encoded by zxing-cpp's writer (C++: 0.2 ms, where segno in pure Python took 1 ms
even with the data mask scored separately), which chooses the version and the data mask by the
rules of ISO/IEC 18004.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import zxingcpp
from PIL import Image

MIN_MODULE_MM = 0.5  # below this, phone cameras fail on an office print
PRINT_DPI = 600  # the image has at least this many pixels per inch on paper
_LIGHT = bytes.maketrans(b"\x00\x01", b"\xff\x00")  # module 1 (dark) -> black pixel, 0 -> white
_DARK = bytes([1]) + bytes(255)  # zxing-cpp's pixel 0 (black) -> module 1, any other -> 0


@dataclass(frozen=True)
class QrSymbol:
    """A QR Code symbol: rows of 0/1 modules (1 dark) without the quiet zone."""

    matrix: tuple[bytes, ...]
    version: int
    error: str


@dataclass(frozen=True)
class QrImage:
    """A QR symbol as a PNG with its quiet zone; size is the printed width = height in mm."""

    png: bytes
    size: float
    modules: int  # modules per side without the quiet zone
    pixels_per_module: int
    version: int
    error: str


def make_qr(content: str, error: str = "Q") -> QrSymbol:
    """Encode content as a QR Code symbol (Model 2, never Micro QR) at the error correction level."""
    if error.upper() not in ("L", "M", "Q", "H"):
        raise ValueError(f"unknown QR error correction level {error!r}")
    code = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = code.to_image(scale=1, add_quiet_zones=False)
    pixels = bytes(memoryview(image))  # one byte per module: 0 dark, 255 light
    count = image.shape[1]
    flat = pixels.translate(_DARK)
    rows = tuple(flat[k : k + count] for k in range(0, count * count, count))
    return QrSymbol(rows, (count - 17) // 4, error.upper())


def qr_image(content: str, *, module: float = 0.7, error: str = "Q", border: int = 4) -> QrImage:
    """Return the QR code for content as a 1-bit PNG, whole pixels per module at PRINT_DPI or more."""
    if module < MIN_MODULE_MM:
        raise ValueError(f"QR modules smaller than {MIN_MODULE_MM} mm do not scan reliably when printed")
    if border < 4:
        raise ValueError("a QR code needs a quiet zone of at least 4 modules")
    symbol = make_qr(content, error)
    scale = math.ceil(module * PRINT_DPI / 25.4)
    count = len(symbol.matrix)
    png = _png(symbol.matrix, border, scale, round(scale / module * 1000))
    return QrImage(png, (count + 2 * border) * module, count, scale, symbol.version, symbol.error)


def _png(matrix: tuple[bytes, ...], border: int, scale: int, pixels_per_metre: int) -> bytes:
    """Return a 1-bit greyscale PNG of the modules, each scale x scale pixels, with the quiet zone.

    Pillow widens one pixel row per module row; the scale - 1 rows below it repeat it, which PNG's
    "Up" filter writes as zero bytes, so the fastest zlib level compresses the image to 3 KB in a
    tenth of a millisecond (Pillow's encoder takes 2 ms at this size: it deflates every repeated
    row; zlib's level 9 takes 3 ms on these runs, level 6 halves the size for three times the time).
    """
    count = len(matrix)
    side = count + 2 * border
    modules = Image.new("L", (side, side), 255)
    modules.paste(Image.frombytes("L", (count, count), b"".join(matrix).translate(_LIGHT)), (border, border))
    wide = modules.resize((side * scale, side), Image.Resampling.NEAREST).convert("1", dither=Image.Dither.NONE)
    packed = wide.tobytes()
    stride = len(packed) // side
    repeat = (b"\x02" + bytes(stride)) * (scale - 1)
    raw = b"".join(b"\x00" + packed[row * stride : (row + 1) * stride] + repeat for row in range(side))
    width = side * scale
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)),
            _chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)),
            _chunk(b"IDAT", zlib.compress(raw, 1)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
