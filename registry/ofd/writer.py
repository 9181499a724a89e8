"""Turn a Document into OFD parts (GB/T 33190-2016) and a package.

Conventions (see the implementer brief, section 2): one ``Doc_0``; every element has the ``ofd:``
prefix; paths inside Document.xml and Res files are relative; fonts live in PublicRes.xml, images in
DocumentRes.xml, their files in ``Doc_0/Res/``; pages are ``Pages/Page_N``. IDs are assigned in a fixed
order (pages first, so the first page is ID 1, then fonts, images, layers and graphic units), which
makes the output a pure function of the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from registry.ofd.model import Box, Color, Document, Font, Image, ImageObject, Page, PathObject, TextObject
from registry.ofd.package import write_package
from registry.ofd.xml import E, Element, element_xml, num, nums, to_bytes

DOC_ROOT = "Doc_0"
SIGNATURES_LOC = f"{DOC_ROOT}/Signs/Signatures.xml"
IMAGE_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "JPG": "jpg", "BMP": "bmp", "GIF": "gif", "TIFF": "tif"}


class WriterError(ValueError):
    """The document model cannot be written (an inconsistent or unsupported input)."""


@dataclass(frozen=True)
class WrittenDocument:
    """The parts of a written document in package order, and the IDs a seal needs."""

    parts: dict[str, bytes]
    page_ids: tuple[str, ...]
    max_unit_id: int

    def to_bytes(self) -> bytes:
        """Return the zipped package of the parts."""
        return write_package(self.parts)


def write_document(document: Document) -> WrittenDocument:
    """Return the OFD parts of a document, deterministic for equal input."""
    if not document.pages:
        raise WriterError("a document needs at least one page")
    ids = _IdAllocator()
    page_ids = [ids.next() for _ in document.pages]

    fonts: dict[int, tuple[int, Font]] = {}
    images: dict[int, tuple[int, Image]] = {}
    for page in document.pages:
        for obj in page.objects:
            if isinstance(obj, TextObject) and id(obj.font) not in fonts:
                fonts[id(obj.font)] = (0, obj.font)
            elif isinstance(obj, ImageObject) and id(obj.image) not in images:
                images[id(obj.image)] = (0, obj.image)
    for key, (_, font) in list(fonts.items()):
        fonts[key] = (ids.next(), font)
    for key, (_, image) in list(images.items()):
        images[key] = (ids.next(), image)

    parts: dict[str, bytes] = {}
    res_files: list[tuple[str, bytes]] = []
    public_res = _res_root()
    if fonts:
        fonts_el = public_res.add("Fonts")
        for font_id, font in fonts.values():
            file_name = None
            if font.data is not None:
                file_name = font.file_name or f"font_{font_id}.ttf"
                res_files.append((file_name, font.data))
            font_el = fonts_el.add(
                "Font",
                ID=font_id,
                FontName=font.name,
                FamilyName=font.family or font.name,
                Serif=True if font.serif else None,
                Bold=True if font.bold else None,
                FixedWidth=True if font.fixed_width else None,
            )
            if file_name:
                font_el.add("FontFile", file_name)
    document_res = _res_root()
    if images:
        media_el = document_res.add("MultiMedias")
        for image_id, image in images.values():
            fmt = image.format.upper()
            file_name = image.file_name or f"image_{image_id}.{IMAGE_EXTENSIONS.get(fmt, fmt.lower())}"
            res_files.append((file_name, image.data))
            media_el.add("MultiMedia", ID=image_id, Type="Image", Format=fmt).add("MediaFile", file_name)
    names = [name for name, _ in res_files]
    if len(set(names)) != len(names):
        raise WriterError("two resources share a file name")

    page_parts: list[tuple[str, bytes]] = []
    for index, page in enumerate(document.pages):
        content = _page_xml(page, document.pages[0].box, ids, fonts, images)
        page_parts.append((f"{DOC_ROOT}/Pages/Page_{index}/Content.xml", content))

    max_unit_id = ids.last
    parts["OFD.xml"] = _ofd_xml(document)
    parts[f"{DOC_ROOT}/Document.xml"] = _document_xml(
        document, page_ids, max_unit_id, bool(fonts), bool(images)
    )
    if fonts:
        parts[f"{DOC_ROOT}/PublicRes.xml"] = to_bytes(public_res)
    if images:
        parts[f"{DOC_ROOT}/DocumentRes.xml"] = to_bytes(document_res)
    for name, data in res_files:
        parts[f"{DOC_ROOT}/Res/{name}"] = data
    parts.update(page_parts)
    return WrittenDocument(parts, tuple(str(i) for i in page_ids), max_unit_id)


def write_ofd(document: Document) -> bytes:
    """Return the OFD package bytes of an (unsigned) document."""
    return write_document(document).to_bytes()


class _IdAllocator:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _res_root() -> Element:
    return E("Res", BaseLoc="Res")


def _ofd_xml(document: Document) -> bytes:
    info = document.info
    doc_info = E("DocInfo")
    doc_info.add("DocID", info.doc_id)
    for tag, value in (("Title", info.title), ("Author", info.author), ("Subject", info.subject)):
        if value:
            doc_info.add(tag, value)
    doc_info.add("CreationDate", info.creation_date.isoformat())
    if info.creator:
        doc_info.add("Creator", info.creator)
    if info.creator_version:
        doc_info.add("CreatorVersion", info.creator_version)
    if info.custom_data:
        customs = doc_info.add("CustomDatas")
        for name, value in info.custom_data:
            customs.add("CustomData", value, Name=name)
    body = E("DocBody", None, doc_info)
    body.add("DocRoot", f"{DOC_ROOT}/Document.xml")
    if document.with_signatures:
        body.add("Signatures", SIGNATURES_LOC)
    return to_bytes(E("OFD", None, body, Version="1.0", DocType="OFD"))


def _document_xml(
    document: Document, page_ids: Sequence[int], max_unit_id: int, has_fonts: bool, has_images: bool
) -> bytes:
    common = E("CommonData")
    common.add("MaxUnitID", str(max_unit_id))
    common.add("PageArea").add("PhysicalBox", nums(document.pages[0].box))
    if has_fonts:
        common.add("PublicRes", "PublicRes.xml")
    if has_images:
        common.add("DocumentRes", "DocumentRes.xml")
    pages = E("Pages")
    for index, page_id in enumerate(page_ids):
        pages.add("Page", ID=page_id, BaseLoc=f"Pages/Page_{index}/Content.xml")
    return to_bytes(E("Document", None, common, pages))


def _page_xml(
    page: Page,
    default_box: Box,
    ids: _IdAllocator,
    fonts: dict[int, tuple[int, Font]],
    images: dict[int, tuple[int, Image]],
) -> bytes:
    root = E("Page")
    if tuple(page.box) != tuple(default_box):
        root.add("Area").add("PhysicalBox", nums(page.box))
    layer = root.add("Content").add("Layer", ID=ids.next(), Type="Body")
    for obj in page.objects:
        if isinstance(obj, TextObject):
            layer.children.append(_text_xml(obj, ids.next(), fonts[id(obj.font)][0]))
        elif isinstance(obj, ImageObject):
            x, y, w, h = obj.box
            layer.add(
                "ImageObject",
                ID=ids.next(),
                Name=obj.name,
                Boundary=nums(obj.box),
                CTM=nums((w, 0, 0, h, 0, 0)),
                ResourceID=images[id(obj.image)][0],
            )
        elif isinstance(obj, PathObject):
            layer.children.append(_path_xml(obj, ids.next()))
        else:  # pragma: no cover - guarded by the type
            raise WriterError(f"unsupported graphic object {type(obj).__name__}")
    return to_bytes(root)


def _color(name: str, color: Color) -> Element:
    if len(color) != 3 or any(not 0 <= c <= 255 for c in color):
        raise WriterError(f"colour out of range: {color}")
    return E(name, Value=" ".join(str(int(c)) for c in color))


# Serialised graphic units by everything that goes into their XML. A certificate's frame, labels and
# fixed text are the same units with the same IDs on every document, so most are written only once.
_UNIT_XML: dict[tuple, str] = {}


def _remember(key: tuple, make) -> str:
    xml = _UNIT_XML.get(key)
    if xml is None:
        xml = element_xml(make())
        if len(_UNIT_XML) >= 4096:
            _UNIT_XML.clear()
        _UNIT_XML[key] = xml
    return xml


def _text_xml(obj: TextObject, unit_id: int, font_id: int) -> str:
    key = (obj.text, obj.size, obj.x, obj.y, obj.advances, obj.color, obj.weight, obj.name, unit_id, font_id)
    return _remember(key, lambda: _text_el(obj, unit_id, font_id))


def _path_xml(obj: PathObject, unit_id: int) -> str:
    return _remember((obj, unit_id), lambda: _path_el(obj, unit_id))


def _text_el(obj: TextObject, unit_id: int, font_id: int) -> Element:
    count = len(obj.text)
    if count == 0:
        raise WriterError("empty text object")
    if len(obj.advances) != count - 1:
        raise WriterError(f"text {obj.text!r} needs {count - 1} advances, got {len(obj.advances)}")
    # Boundary: from the ascender line to below the descender, wide enough for the last glyph.
    width = obj.width + obj.size * 0.2
    box = (obj.x, obj.y - obj.size, width, obj.size * 1.35)
    text = E(
        "TextObject",
        ID=unit_id,
        Name=obj.name,
        Boundary=nums(box),
        Font=font_id,
        Size=obj.size,
        Weight=obj.weight,
    )
    if obj.color != (0, 0, 0):
        text.children.append(_color("FillColor", obj.color))
    code = text.add("TextCode", obj.text, X=0, Y=obj.size)
    if count > 1:
        code.attrs.append(("DeltaX", compress_deltas(obj.advances)))
    return text


def compress_deltas(values: Sequence[float]) -> str:
    """Return an ST_Array of advances, runs of three or more equal values written as ``g N v``."""
    out: list[str] = []
    index = 0
    formatted = [num(v) for v in values]
    while index < len(formatted):
        run = 1
        while index + run < len(formatted) and formatted[index + run] == formatted[index]:
            run += 1
        if run >= 3:
            out.append(f"g {run} {formatted[index]}")
        else:
            out.extend(formatted[index : index + run])
        index += run
    return " ".join(out)


def _path_el(obj: PathObject, unit_id: int) -> Element:
    path = E(
        "PathObject",
        ID=unit_id,
        Name=obj.name,
        Boundary=nums(obj.box),
        LineWidth=obj.line_width,
        Stroke=None if obj.stroke else False,
        Fill=True if obj.fill else None,
        Rule=obj.rule,
    )
    if obj.stroke_color is not None:
        path.children.append(_color("StrokeColor", obj.stroke_color))
    if obj.fill_color is not None:
        path.children.append(_color("FillColor", obj.fill_color))
    path.add("AbbreviatedData", obj.data)
    return path
