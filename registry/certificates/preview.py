"""Draw a picture (PNG) of a stored certificate's page, for holders without an OFD reader.

Pure: Pillow, the project's OFD reader and the seal structures. It draws the sealed file itself, not a
second layout: the page's paths, images and text (with the subset fonts embedded in the file) and the
seal picture where the signature's stamp annotation puts it, so the picture shows what the file holds.
"""

from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw, ImageFont

from registry.ofd.reader import OfdDocument, PathItem, read_ofd
from registry.seal import asn1, read_seal

DEFAULT_SCALE = 4.0  # pixels per millimetre (840 x 1188 for A4)
_TOKEN = re.compile(r"[A-Za-z]|-?\d*\.?\d+(?:[eE][-+]?\d+)?")


def render_preview(content: bytes, *, scale: float = DEFAULT_SCALE) -> bytes:
    """Return a PNG of the first page of an OFD file."""
    document = read_ofd(content)
    page = document.pages[0]
    x0, y0, width, height = page.box if page.box else document.physical_box
    canvas = Image.new("RGB", (round(width * scale), round(height * scale)), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for item in page.paths:
        _path(draw, item, scale)
    for image in page.images:
        _image(canvas, image.data, image.boundary, scale)
    fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    for text in page.texts:
        font = _font(document, text.font_id, round(text.size * scale), fonts)
        x, y = text.x, text.y  # the reader gives the baseline origin in page coordinates
        for index, character in enumerate(text.text):
            draw.text((x * scale, y * scale), character, font=font, fill=(0, 0, 0), anchor="ls")
            x += text.delta_x[index] if index < len(text.delta_x) else text.size
    for picture, box in _stamps(document):
        _image(canvas, picture, box, scale)
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def _font(document: OfdDocument, font_id: str, size: int, cache: dict) -> ImageFont.FreeTypeFont:
    key = (font_id, size)
    if key not in cache:
        info = document.fonts.get(font_id)
        data = document.package.get_part(info.file_path) if info and info.file_path else None
        cache[key] = ImageFont.truetype(io.BytesIO(data), max(size, 1)) if data else ImageFont.load_default(size)
    return cache[key]


def _image(canvas: Image.Image, data: bytes | None, box, scale: float) -> None:
    if not data:
        return
    with Image.open(io.BytesIO(data)) as picture:
        picture = picture.convert("RGBA")
        size = (max(1, round(box[2] * scale)), max(1, round(box[3] * scale)))
        picture = picture.resize(size, Image.LANCZOS)
        canvas.paste(picture, (round(box[0] * scale), round(box[1] * scale)), picture)


def _path(draw: ImageDraw.ImageDraw, item: PathItem, scale: float) -> None:
    ox, oy = item.boundary[0], item.boundary[1]
    shapes = _polylines(item.data)
    for points, closed in shapes:
        pixels = [((ox + x) * scale, (oy + y) * scale) for x, y in points]
        if len(pixels) < 2:
            continue
        if item.fill and closed:
            draw.polygon(pixels, fill=tuple(item.fill_color or (0, 0, 0))[:3])
        if item.stroke:
            width = max(1, round(item.line_width * scale))
            color = tuple(item.stroke_color or (0, 0, 0))[:3]
            draw.line(pixels + ([pixels[0]] if closed else []), fill=color, width=width, joint="curve")


def _polylines(data: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """Split OFD abbreviated path data (S/M/L/Q/B/C) into polylines, curves flattened."""
    tokens = _TOKEN.findall(data)
    shapes: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    index = 0

    def numbers(count: int) -> list[float]:
        nonlocal index
        values = [float(v) for v in tokens[index:index + count]]
        index += count
        return values

    while index < len(tokens):
        op = tokens[index]
        index += 1
        if op in {"S", "M"}:
            if current:
                shapes.append((current, False))
            current = [tuple(numbers(2))]
        elif op == "L":
            current.append(tuple(numbers(2)))
        elif op in {"Q", "B"}:
            values = numbers(4 if op == "Q" else 6)
            start = current[-1] if current else (values[0], values[1])
            controls = [start] + [tuple(values[i:i + 2]) for i in range(0, len(values), 2)]
            current.extend(_bezier(controls, 12))
        elif op == "C":
            if current:
                shapes.append((current, True))
            current = []
        # Unknown operators (A) are skipped with their numbers by the next operator search.
    if current:
        shapes.append((current, False))
    return shapes


def _bezier(points: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    result = []
    for step in range(1, steps + 1):
        t = step / steps
        layer = points
        while len(layer) > 1:
            layer = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(layer, layer[1:], strict=False)]
        result.append(layer[0])
    return result


def _stamps(document: OfdDocument):
    """Yield (seal picture, box) for every stamp annotation of the document's signatures."""
    for signature in document.signatures:
        value = signature.signed_value(document.package)
        if not value:
            continue
        try:
            seal = asn1.SESSignature.load(value)["to_sign"]["eseal"].dump()
            picture = read_seal(seal).picture
        except Exception:  # noqa: BLE001 - a picture is optional; the verifier reports broken seals
            continue
        for annot in signature.stamp_annots:
            yield picture, annot.boundary
