"""Fast choice of a QR code's data mask by the ISO/IEC 18004 penalty rules, exactly as segno chooses.

segno evaluates the 8 data masks module by module in pure Python (about 5 ms for a version 6 symbol).
This module scores the same 8 candidates with whole-symbol integer bit operations instead: every row
(and, separately, every column) of the symbol is packed into one Python integer, bit ``line * stride +
position`` holding one module, with 4 light guard modules between lines so that no run, block or
look-around window crosses from one line into the next.

The score reproduces segno 1.6 rather than a reading of the standard where the two could differ:

* the candidate is scored before format and version information are written, so those modules and
  the dark module count as light;
* N1: each run of 5 + i modules of one colour in a row or column scores 3 + i;
* N2: each 2 x 2 block of one colour scores 3 (overlapping blocks count separately);
* N3: each dark-light-dark-dark-dark-light-dark pattern with 4 light modules before or after it (the
  symbol's edge counts as light) scores 40, searched left to right as segno does: after a counted
  pattern the search resumes 7 modules on, so a pattern overlapping a counted one is not counted;
* N4: 10 points for every full 5 % the dark proportion is away from 50 %.

The mask with the lowest total wins, the lowest mask number on ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

_GUARD = 4  # light modules between packed lines, as wide as the widest look-around window of N3
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")

# ISO/IEC 18004:2015 Table 10; i is the row, j the column; a module is inverted where the condition holds.
_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


@dataclass(frozen=True)
class _Geometry:
    """Packed-integer constants for one symbol size; row-wise and column-wise variants."""

    size: int
    stride: int
    full: int  # every module of the symbol
    inner: int  # modules with a right and a lower neighbour (top-left corners of 2 x 2 blocks)
    keep_rows: int  # modules whose final value is also their value while masks are scored
    keep_cols: int
    masks_rows: tuple[int, ...]  # modules each mask inverts (data region only)
    masks_cols: tuple[int, ...]


def _alignment_centres(version: int) -> tuple[int, ...]:
    """Return the row/column coordinates of alignment pattern centres (ISO/IEC 18004 Annex E)."""
    if version < 2:
        return ()
    count = version // 7 + 2
    last = 4 * version + 10
    # Spacing is even and as equal as possible; version 32 is the one exception in the table.
    step = 26 if version == 32 else -(-(last - 6) // (2 * (count - 1))) * 2
    return (6, *(last - step * k for k in range(count - 2, -1, -1)))


@cache
def _geometry(size: int) -> _Geometry:
    """Compute which modules hold data, which are rewritten after masking, and each mask's inversions."""
    version = (size - 17) // 4
    last = size - 1
    # Format information around the finders (the timing modules at (6, 8) and (8, 6) are skipped) and the
    # dark module: all light while masks are scored.
    rewritten = {(8, k) for k in (*range(6), 7, 8)} | {(k, 8) for k in (*range(6), 7, 8)}
    rewritten |= {(8, size - 1 - k) for k in range(8)} | {(size - 1 - k, 8) for k in range(8)}
    if version >= 7:
        rewritten |= {(i, j) for i in range(6) for j in range(size - 11, size - 8)}
        rewritten |= {(i, j) for i in range(size - 11, size - 8) for j in range(6)}
    function = set(rewritten)
    for top, left in ((0, 0), (0, size - 8), (size - 8, 0)):  # finder patterns with separators
        function |= {(top + i, left + j) for i in range(8) for j in range(8)}
    function |= {(6, k) for k in range(size)} | {(k, 6) for k in range(size)}  # timing patterns
    centres = _alignment_centres(version)
    for row in centres:
        for column in centres:
            if (row, column) in ((6, 6), (6, last - 6), (last - 6, 6)):
                continue  # would overlap a finder pattern
            function |= {(row + i, column + j) for i in range(-2, 3) for j in range(-2, 3)}

    stride = size + _GUARD
    full = inner = keep_rows = keep_cols = 0
    masks_rows = [0] * 8
    masks_cols = [0] * 8
    for i in range(size):
        for j in range(size):
            by_row, by_col = 1 << (i * stride + j), 1 << (j * stride + i)
            full |= by_row
            if i < last and j < last:
                inner |= by_row
            if (i, j) not in rewritten:
                keep_rows |= by_row
                keep_cols |= by_col
            if (i, j) not in function:
                for number, condition in enumerate(_MASKS):
                    if condition(i, j):
                        masks_rows[number] |= by_row
                        masks_cols[number] |= by_col
    return _Geometry(size, stride, full, inner, keep_rows, keep_cols, tuple(masks_rows), tuple(masks_cols))


def _pack(lines: Sequence[bytes]) -> int:
    """Return lines of 0/1 bytes as one integer, module k of line n at bit n * stride + k."""
    text = (b"\x00" * _GUARD).join(lines).translate(_TO_DIGITS)
    return int(text[::-1], 2)


def _run_penalty(bits: int) -> int:
    """Return N1 for the runs of set bits: 3 + i for each run of 5 + i."""
    # Bit k of five is set where bits k..k+4 are all set: a run of length L leaves L - 4 such bits.
    five = bits & (bits >> 1)
    five &= five >> 2
    five &= bits >> 4
    starts = five & ~(five << 1)
    return five.bit_count() + 2 * starts.bit_count()


def _finder_like_penalty(dark: int) -> int:
    """Return N3 for the packed lines: 40 per 1:1:3:1:1 pattern counted the way segno searches."""
    found = dark & (dark >> 2) & (dark >> 3) & (dark >> 4) & (dark >> 6) & ~((dark >> 1) | (dark >> 5))
    if not found:
        return 0
    near = dark | (dark << 1)
    near |= near << 2  # bit k: a dark module among k-3..k
    dark_before = near << 1  # among k-4..k-1
    dark_after = near >> 10  # among k+7..k+10
    light_before = found & ~dark_before
    counted = found & ~(dark_before & dark_after)
    # A pattern can overlap an earlier one only 4 or 6 modules on. segno resumes its search 7 modules
    # after a counted pattern, so it skips such an overlapping one. A pattern with light modules after it
    # cannot be overlapped and one with light modules before it cannot overlap an earlier pattern, so
    # the skipped ones are exactly those 4 or 6 modules after a pattern with light modules before it.
    counted &= ~((light_before << 4) | (light_before << 6))
    return 40 * counted.bit_count()


def _penalty(rows: int, columns: int, geometry: _Geometry) -> int:
    """Return the total penalty N1 + N2 + N3 + N4 of one candidate given both packings."""
    full, stride, size = geometry.full, geometry.stride, geometry.size
    score = (
        _run_penalty(rows) + _run_penalty(rows ^ full) + _run_penalty(columns) + _run_penalty(columns ^ full)
    )
    same_across = ~(rows ^ (rows >> 1))
    same_down = ~(rows ^ (rows >> stride))
    score += 3 * (same_across & (same_across >> stride) & same_down & geometry.inner).bit_count()
    score += _finder_like_penalty(rows) + _finder_like_penalty(columns)
    # Same float arithmetic as segno so that a proportion on a 5 % boundary rounds the same way.
    percent = float(rows.bit_count()) / (size**2)
    return score + 10 * int(abs(percent * 100 - 50) / 5)


def mask_penalties(matrix: Sequence[bytes | bytearray], mask: int) -> tuple[int, ...]:
    """Score all 8 data masks for a finished QR Code symbol (not Micro QR) that was built with mask.

    matrix is the final symbol without quiet zone, one sequence of 0/1 bytes per row, as segno's
    ``QRCode.matrix``. The result holds the penalty of masks 0 to 7 in order.
    """
    size = len(matrix)
    if size < 21 or (size - 17) % 4 or any(len(row) != size for row in matrix):
        raise ValueError("not the matrix of a QR Code symbol")
    if not 0 <= mask < 8:
        raise ValueError(f"invalid data mask {mask}")
    geometry = _geometry(size)
    flat = b"".join(matrix)
    rows = _pack([flat[k : k + size] for k in range(0, size * size, size)])
    columns = _pack([flat[k::size] for k in range(size)])
    # Undo the applied mask and clear format and version information: the symbol as segno scores it.
    base_rows = (rows & geometry.keep_rows) ^ geometry.masks_rows[mask]
    base_columns = (columns & geometry.keep_cols) ^ geometry.masks_cols[mask]
    return tuple(
        _penalty(base_rows ^ by_row, base_columns ^ by_col, geometry)
        for by_row, by_col in zip(geometry.masks_rows, geometry.masks_cols, strict=True)
    )


def best_mask(matrix: Sequence[bytes | bytearray], mask: int) -> int:
    """Return the data mask segno would choose for the symbol matrix, which was built with mask."""
    penalties = mask_penalties(matrix, mask)
    return penalties.index(min(penalties))  # the first of equally good masks, as segno


def remask(matrix: Sequence[bytes | bytearray], mask: int, new_mask: int) -> list[bytearray]:
    """Return the rows of a QR Code symbol built with mask, its data region masked with new_mask instead.

    Only the data modules change; format information still names the old mask and must be rewritten.
    """
    size = len(matrix)
    geometry = _geometry(size)
    flat = b"".join(matrix)
    rows = _pack([flat[k : k + size] for k in range(0, size * size, size)])
    rows ^= geometry.masks_rows[mask] ^ geometry.masks_rows[new_mask]
    stride = geometry.stride
    digits = format(rows, "b").zfill(size * stride)[::-1].encode("ascii").translate(_FROM_DIGITS)
    return [bytearray(digits[k * stride : k * stride + size]) for k in range(size)]
