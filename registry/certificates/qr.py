"""The verification QR code drawn as vector paths (crisp at any zoom, no bitmap to re-encode)."""

from __future__ import annotations

from dataclasses import dataclass

import segno

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


def qr_drawing(content: str, *, module: float = 0.7, error: str = "Q", border: int = 4) -> QrDrawing:
    """Return the dark modules of a QR code for content as filled rectangles, one per horizontal run."""
    if module < MIN_MODULE_MM:
        raise ValueError(f"QR modules smaller than {MIN_MODULE_MM} mm do not scan reliably when printed")
    if border < 4:
        raise ValueError("a QR code needs a quiet zone of at least 4 modules")
    code = segno.make(content, error=error.lower(), micro=False, boost_error=False)
    rows = [tuple(row) for row in code.matrix]
    count = len(rows)
    offset = border * module
    commands: list[str] = []
    for row_index, row in enumerate(rows):
        y0 = num(offset + row_index * module)
        y1 = num(offset + (row_index + 1) * module)
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            x0 = num(offset + start * module)
            x1 = num(offset + column * module)
            commands.append(f"M {x0} {y0} L {x1} {y0} L {x1} {y1} L {x0} {y1} C")
    size = (count + 2 * border) * module
    return QrDrawing(" ".join(commands), size, count, int(code.version), str(code.error))
