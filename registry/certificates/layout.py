"""The certificate page layout as data: positions in mm, fonts, sizes, colours.

The layout lives in one JSON file (``layout.json`` beside this module by default); another province
points the setting ``CERTIFICATE_LAYOUT_FILE`` at its own file and changes nothing in the code. This
module only loads and checks it, so a typo fails when the layout is loaded, not halfway through
issuing a certificate.

Item types (all coordinates in mm, origin top-left, y downwards; ``y`` of text is the baseline):

* ``text``: ``text`` (may hold ``{placeholders}``), ``font``, ``size``, ``x``, ``y``, ``align``
  (left|center|right, relative to ``x``), ``color``, optional ``max_width``/``min_size`` (shrink to fit)
  and ``max_lines``/``line_height`` (wrap).
* ``field``: a label in the label column and a ``value`` template in the value column, at ``y``;
  style from ``field_style``; same fitting options as text.
* ``specialties``: one line per registered specialty (``options.specialty_format``) from ``y``, every
  ``line_height``, at most ``max_lines``.
* ``image``: ``source`` (photo|signature) fitted inside ``box`` keeping its aspect ratio; optional frame.
* ``qr``: the verification QR code with its quiet zone's top-left at ``x``, ``y``; ``module`` size,
  ``error`` level, ``border`` in modules, optional caption below it.
* ``stamp``: where the authority's seal is drawn (the signature's StampAnnot), ``box``.
* ``rect``, ``line``, ``corners``: decorative strokes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_LAYOUT_FILE = Path(__file__).with_name("layout.json")

_REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("text", "font", "size", "x", "y"),
    "field": ("label", "value", "y"),
    "specialties": ("label", "y", "line_height", "max_lines"),
    "image": ("source", "box"),
    "qr": ("x", "y", "module"),
    "stamp": ("box",),
    "rect": ("box", "line_width", "color"),
    "line": ("from", "to", "line_width", "color"),
    "corners": ("box", "length", "line_width", "color"),
}
_IMAGE_SOURCES = {"photo", "signature"}


class LayoutError(ValueError):
    """The layout file is missing something or refers to an unknown font or colour."""


@dataclass(frozen=True)
class FontSpec:
    """A font of the layout: the installed family and style to embed, and the name written in the OFD."""

    family: str
    style: str
    ofd_name: str
    serif: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    """A loaded, checked certificate layout."""

    name: str
    page_width: float
    page_height: float
    fonts: Mapping[str, FontSpec]
    colors: Mapping[str, tuple[int, int, int]]
    options: Mapping[str, Any]
    field_style: Mapping[str, Any]
    items: tuple[Mapping[str, Any], ...]

    def color(self, key: str | list[int] | None, default: str = "ink") -> tuple[int, int, int]:
        """Return an RGB colour by name (or a literal [r, g, b])."""
        if isinstance(key, list):
            return (int(key[0]), int(key[1]), int(key[2]))
        return self.colors[key or default]

    @property
    def stamp_box(self) -> tuple[float, float, float, float] | None:
        """Return the box of the seal picture, or None when the layout has no stamp."""
        for item in self.items:
            if item["type"] == "stamp":
                x, y, w, h = item["box"]
                return (float(x), float(y), float(w), float(h))
        return None


def load_layout(path: str | Path | None = None) -> Layout:
    """Return the layout in a JSON file (the bundled Chongqing layout when path is None)."""
    file = Path(path) if path else DEFAULT_LAYOUT_FILE
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LayoutError(f"证书版式文件无法读取：{file}：{exc}") from None
    return parse_layout(raw)


def parse_layout(raw: Mapping[str, Any]) -> Layout:
    """Return a Layout from already-decoded JSON data, checking every reference."""
    try:
        fonts = {key: FontSpec(**spec) for key, spec in raw["fonts"].items()}
        colors = {key: (int(v[0]), int(v[1]), int(v[2])) for key, v in raw["colors"].items()}
        layout = Layout(
            name=str(raw.get("name", "")),
            page_width=float(raw["page"]["width"]),
            page_height=float(raw["page"]["height"]),
            fonts=fonts,
            colors=colors,
            options=dict(raw.get("options", {})),
            field_style=dict(raw.get("field_style", {})),
            items=tuple(dict(item) for item in raw["items"]),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise LayoutError(f"证书版式不完整：{exc!r}") from None
    _check(layout)
    return layout


def _check(layout: Layout) -> None:
    style = layout.field_style
    for key in ("font", "size", "label_x", "label_width", "value_x"):
        if any(item["type"] in ("field", "specialties") for item in layout.items) and key not in style:
            raise LayoutError(f"证书版式 field_style 缺少 {key}")
    if style.get("font") and style["font"] not in layout.fonts:
        raise LayoutError(f"证书版式引用了未定义的字体 {style['font']}")
    stamps = 0
    for index, item in enumerate(layout.items):
        kind = item.get("type")
        if kind not in _REQUIRED:
            raise LayoutError(f"证书版式第 {index + 1} 项类型未知：{kind}")
        missing = [key for key in _REQUIRED[kind] if key not in item]
        if missing:
            raise LayoutError(f"证书版式第 {index + 1} 项（{kind}）缺少 {', '.join(missing)}")
        for key in ("font", "caption_font"):
            if key in item and item[key] not in layout.fonts:
                raise LayoutError(f"证书版式第 {index + 1} 项引用了未定义的字体 {item[key]}")
        for key in ("color", "frame_color", "caption_color"):
            value = item.get(key)
            if isinstance(value, str) and value not in layout.colors:
                raise LayoutError(f"证书版式第 {index + 1} 项引用了未定义的颜色 {value}")
        if kind == "image" and item["source"] not in _IMAGE_SOURCES:
            raise LayoutError(f"证书版式第 {index + 1} 项图像来源未知：{item['source']}")
        if kind == "stamp":
            stamps += 1
        for key in ("box",):
            if key in item and (len(item[key]) != 4 or item[key][2] <= 0 or item[key][3] <= 0):
                raise LayoutError(f"证书版式第 {index + 1} 项的 box 无效")
    if stamps > 1:
        raise LayoutError("证书版式只能有一个签章位置")
