"""The document model the writer turns into OFD parts: a few pages of text, images and paths.

Coordinates are millimetres, origin at the top-left of the page, y downwards. Resource identity is by
object (a Font or Image instance); the writer assigns the numeric IDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

Box = tuple[float, float, float, float]  # x, y, width, height in mm
Color = tuple[int, int, int]  # RGB 0-255

A4_PORTRAIT: Box = (0, 0, 210, 297)


@dataclass(frozen=True, eq=False)
class Font:
    """A font resource; `data` is an embedded font file (TrueType) or None to use the reader's."""

    name: str
    family: str | None = None
    data: bytes | None = None
    file_name: str | None = None
    serif: bool = False
    bold: bool = False
    fixed_width: bool = False


@dataclass(frozen=True, eq=False)
class Image:
    """A bitmap resource (stored as given, never re-encoded)."""

    data: bytes
    format: str  # "PNG" or "JPEG"
    file_name: str | None = None


@dataclass(frozen=True)
class TextObject:
    """One line of text; `advances` are the n-1 distances between successive glyph origins (mm)."""

    text: str
    font: Font
    size: float
    x: float  # baseline origin of the first glyph, page coordinates
    y: float
    advances: tuple[float, ...]
    color: Color = (0, 0, 0)
    weight: int | None = None
    name: str | None = None

    @property
    def width(self) -> float:
        """Return the distance from the first glyph origin to the last glyph's end (approximation)."""
        return sum(self.advances) + (self.size if self.text else 0)


@dataclass(frozen=True)
class ImageObject:
    """An image stretched to a rectangle of the page."""

    image: Image
    box: Box
    name: str | None = None


@dataclass(frozen=True)
class PathObject:
    """A path in page coordinates of its boundary box; `data` is AbbreviatedData relative to the box."""

    box: Box
    data: str
    stroke: bool = True
    fill: bool = False
    line_width: float | None = None
    stroke_color: Color | None = None
    fill_color: Color | None = None
    rule: str | None = None  # "NonZero" or "Even-Odd"
    name: str | None = None


GraphicObject = TextObject | ImageObject | PathObject


@dataclass
class Page:
    """One page: a physical box and its graphic objects in drawing order (later on top)."""

    objects: list[GraphicObject] = field(default_factory=list)
    box: Box = A4_PORTRAIT


@dataclass(frozen=True)
class DocInfo:
    """The metadata of OFD.xml's DocInfo; custom_data are name/value pairs, kept in order."""

    doc_id: str
    creation_date: date
    title: str | None = None
    author: str | None = None
    subject: str | None = None
    creator: str | None = None
    creator_version: str | None = None
    custom_data: tuple[tuple[str, str], ...] = ()


@dataclass
class Document:
    """A whole OFD document (one Doc_0)."""

    info: DocInfo
    pages: list[Page] = field(default_factory=list)
    with_signatures: bool = False  # write the DocBody/Signatures pointer for a seal added later
