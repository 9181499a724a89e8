"""The verification QR code drawn as vector paths (crisp at any zoom, no bitmap to re-encode)."""

from __future__ import annotations

from dataclasses import dataclass

import segno

from registry.certificates.qrmask import best_mask
from registry.ofd.xml import num

MIN_MODULE_MM = 0.5  # below this, phone cameras fail on an office print


@dataclass(frozen=True)
class QrDrawing:
    """A QR symbol as AbbreviatedData; coordinates relative to the top-left of the quiet zone."""

    data: str
    size: float  # width = height in mm, quiet zone included
    modules: int  # modules per side without the quiet zone
    version: int
    error: str


def make_qr(content: str, error: str = "Q") -> segno.QRCode:
    """Encode content as a QR Code (never Micro QR) with the data mask segno itself would choose.

    segno scores the 8 masks module by module in Python (about 5 ms for a version 6 symbol);
    qrmask scores them from one masked build with integer bit operations, with the same rules and
    tie-breaking, and segno then builds the symbol with that mask.
    """
    options = {"error": error.lower(), "micro": False, "boost_error": False}
    probe = segno.make(content, mask=0, **options)
    mask = best_mask(probe.matrix, probe.mask)
    return probe if mask == probe.mask else segno.make(content, mask=mask, **options)


def qr_drawing(content: str, *, module: float = 0.7, error: str = "Q", border: int = 4) -> QrDrawing:
    """Return the dark modules of a QR code for content as filled rectangles, one per horizontal run."""
    if module < MIN_MODULE_MM:
        raise ValueError(f"QR modules smaller than {MIN_MODULE_MM} mm do not scan reliably when printed")
    if border < 4:
        raise ValueError("a QR code needs a quiet zone of at least 4 modules")
    code = make_qr(content, error)
    rows = [tuple(row) for row in code.matrix]
    count = len(rows)
    # Every module edge formatted once: a symbol has a few hundred runs and each needs four numbers.
    edges = [num((border + index) * module) for index in range(count + 1)]
    commands: list[str] = []
    for row_index, row in enumerate(rows):
        y0, y1 = edges[row_index], edges[row_index + 1]
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            x0, x1 = edges[start], edges[column]
            commands.append(f"M {x0} {y0} L {x1} {y0} L {x1} {y1} L {x0} {y1} C")
    size = (count + 2 * border) * module
    return QrDrawing(" ".join(commands), size, count, int(code.version), str(code.error))
