"""Draw the picture of a round official seal (red ring, name along the rim, five-pointed star)."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

SEAL_RED = (230, 0, 18, 255)
_FONT_QUERIES = ("Noto Serif CJK SC:bold", "Noto Serif CJK SC", "Noto Sans CJK SC:bold", "Noto Sans CJK SC")


@lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str, int] | None:
    """Return (file, face index) of an installed CJK font, or None when fontconfig finds none."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    for query in _FONT_QUERIES:
        try:
            result = subprocess.run(
                [fc_match, "-f", "%{file}|%{index}|%{family}", query],
                capture_output=True, text=True, timeout=10, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        path, _, rest = result.stdout.partition("|")
        index, _, family = rest.partition("|")
        if path and "CJK" in family:
            return path, int(index or 0)
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = find_cjk_font()
    if found is not None:
        try:
            return ImageFont.truetype(found[0], size=size, index=found[1])
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def _star(center: tuple[float, float], outer: float) -> list[tuple[float, float]]:
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + i * 36)
        points.append((center[0] + radius * math.cos(angle), center[1] + radius * math.sin(angle)))
    return points


def draw_round_seal(name: str, *, bottom_text: str = "", size_px: int = 472) -> bytes:
    """Return a transparent PNG of a round red seal with name along the upper rim and a star.

    size_px 472 is 40 mm at 300 dpi. Without a CJK font the ring and star are still drawn and the
    text falls back to Pillow's default font (which lacks CJK glyphs), so the demo never fails.
    """
    scale = 2  # draw large and downsample for smooth edges
    side = size_px * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = side / 2
    ring = side * 0.035
    draw.ellipse((ring / 2, ring / 2, side - ring / 2, side - ring / 2), outline=SEAL_RED, width=int(ring))
    draw.polygon(_star((centre, centre), side * 0.16), fill=SEAL_RED)

    char_size = int(side * 0.11)
    font = _font(char_size)
    text_radius = side / 2 - ring - char_size * 0.8
    sweep = 240.0 if len(name) > 1 else 0.0
    step = sweep / max(len(name) - 1, 1)
    for i, char in enumerate(name):
        angle = -90 - sweep / 2 + i * step  # degrees, 0 = to the right, clockwise on screen
        glyph = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((char_size, char_size), char, font=font, fill=SEAL_RED, anchor="mm")
        glyph = glyph.rotate(-(angle + 90), resample=Image.BICUBIC)
        x = centre + text_radius * math.cos(math.radians(angle)) - glyph.width / 2
        y = centre + text_radius * math.sin(math.radians(angle)) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    if bottom_text:
        bottom_font = _font(int(side * 0.07))
        draw.text((centre, side * 0.74), bottom_text, font=bottom_font, fill=SEAL_RED, anchor="mm")

    image = image.resize((size_px, size_px), Image.LANCZOS)
    # One colour at varying opacity: a 16-entry palette keeps the edges smooth at a fraction of the size.
    image = image.quantize(colors=16, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
