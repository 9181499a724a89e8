"""Read an OFD package (ours or another vendor's) into pages, text, images, paths and signatures.

Real files deviate from the schema (Version 1.1, numeric signature IDs, other element orders, relative
or absolute paths, a template referenced as ``TPLS/...`` but stored as ``Tpls/...``), so lookups are
by local element name and paths fall back to a case-insensitive match. Anything unreadable ends in an
``OfdReadError``; the raw bytes of every part stay available for signature checks.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from lxml import etree

from registry.ofd.package import Package, PackageError, normalise_name, read_package, resolve
from registry.ofd.xml import XmlError, child, child_text, children, descendants, local, parse_xml

MAX_PAGES = 500
MAX_GLYPHS_PER_CODE = 100_000


class OfdReadError(Exception):
    """The bytes are not a readable OFD document."""


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FontInfo:
    """A font resource as declared (the file is not parsed)."""

    id: str
    name: str
    family: str | None
    file_path: str | None


@dataclass(frozen=True)
class MediaInfo:
    """A multimedia resource and the package path of its file."""

    id: str
    type: str
    format: str | None
    path: str | None


@dataclass(frozen=True)
class TextItem:
    """One TextCode: its characters and where the first glyph's baseline origin lands on the page."""

    text: str
    x: float
    y: float
    size: float
    font_id: str
    boundary: Box
    delta_x: tuple[float, ...] = ()
    object_id: str | None = None
    from_template: bool = False


@dataclass(frozen=True)
class ImageItem:
    """An ImageObject with its resource resolved (data is None when the file is missing)."""

    resource_id: str
    boundary: Box
    ctm: tuple[float, ...] | None
    format: str | None
    path: str | None
    data: bytes | None
    object_id: str | None = None
    from_template: bool = False


@dataclass(frozen=True)
class PathItem:
    """A PathObject: its AbbreviatedData is relative to the boundary origin (after the CTM)."""

    boundary: Box
    data: str
    stroke: bool
    fill: bool
    rule: str
    line_width: float
    fill_color: tuple[int, ...] | None
    stroke_color: tuple[int, ...] | None
    ctm: tuple[float, ...] | None
    object_id: str | None = None
    from_template: bool = False


@dataclass
class PageView:
    """One page of the document with its graphic content in drawing order by kind."""

    id: str
    path: str
    box: Box
    texts: list[TextItem] = field(default_factory=list)
    images: list[ImageItem] = field(default_factory=list)
    paths: list[PathItem] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return every text run of the page joined by newlines, in file order."""
        return "\n".join(item.text for item in self.texts)


@dataclass(frozen=True)
class StampAnnotInfo:
    """Where a signature's seal picture is drawn."""

    id: str
    page_ref: str
    boundary: Box


@dataclass(frozen=True)
class SignatureInfo:
    """A signature listed in Signatures.xml, with the parts it points to (paths may be missing)."""

    id: str
    type: str
    path: str
    signed_value_path: str | None
    seal_path: str | None
    check_method: str | None
    references: tuple[tuple[str, str], ...]  # (package path as written, CheckValue base64)
    stamp_annots: tuple[StampAnnotInfo, ...]
    signature_datetime: str | None
    provider: str | None

    def signed_value(self, package: Package) -> bytes | None:
        """Return the bytes of SignedValue.dat, or None when missing."""
        return package.get_part(self.signed_value_path) if self.signed_value_path else None


@dataclass
class OfdDocument:
    """An OFD document as read: metadata, pages, resources, signatures and the raw package."""

    package: Package
    version: str | None
    doc_type: str | None
    document_path: str
    doc_info: dict[str, str]
    custom_data: dict[str, str]
    physical_box: Box
    max_unit_id: int | None
    pages: list[PageView]
    fonts: dict[str, FontInfo]
    media: dict[str, MediaInfo]
    signatures_path: str | None
    signatures: list[SignatureInfo]

    @property
    def parts(self) -> dict[str, bytes]:
        """Return the raw bytes of every part, keyed by package path."""
        return dict(self.package.parts)

    @property
    def text(self) -> str:
        """Return the text of every page, pages separated by blank lines."""
        return "\n\n".join(page.text for page in self.pages)


def read_ofd(data: bytes) -> OfdDocument:
    """Return the document in an OFD package, raising OfdReadError for anything unreadable."""
    try:
        package = read_package(data)
        return _Reader(package).read()
    except (PackageError, XmlError) as exc:
        raise OfdReadError(str(exc)) from None
    except RecursionError:
        raise OfdReadError("document nesting too deep") from None


class _Reader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self._lower = {name.lower(): name for name in package.parts}

    # -- paths -------------------------------------------------------------------------------

    def find(self, *candidates: str | None) -> str | None:
        """Return the first candidate path present in the package (case-insensitive fallback)."""
        for candidate in candidates:
            if not candidate:
                continue
            name = normalise_name(candidate)
            if name in self.package.parts:
                return name
            folded = self._lower.get(name.lower())
            if folded is not None:
                return folded
        return None

    def xml(self, path: str) -> etree._Element:
        return parse_xml(self.package.parts[path], path)

    # -- document ----------------------------------------------------------------------------

    def read(self) -> OfdDocument:
        root = self.xml("OFD.xml")
        if local(root) != "OFD":
            raise OfdReadError("OFD.xml does not have an OFD root element")
        body = child(root, "DocBody")
        if body is None:
            raise OfdReadError("OFD.xml has no DocBody")
        doc_root = child_text(body, "DocRoot")
        if not doc_root:
            raise OfdReadError("OFD.xml has no DocRoot")
        document_path = self.find(resolve("", doc_root))
        if document_path is None:
            raise OfdReadError(f"the document root {doc_root} is missing")
        doc_dir = posixpath.dirname(document_path)

        doc_info: dict[str, str] = {}
        custom_data: dict[str, str] = {}
        info_el = child(body, "DocInfo")
        if info_el is not None:
            for item in info_el:
                name = local(item)
                if name == "CustomDatas":
                    for entry in children(item, "CustomData"):
                        custom_data[entry.get("Name", "")] = (entry.text or "").strip()
                elif name and len(item) == 0:
                    doc_info[name] = (item.text or "").strip()

        document = self.xml(document_path)
        common = child(document, "CommonData")
        if common is None:
            raise OfdReadError("Document.xml has no CommonData")
        page_area = child(common, "PageArea")
        physical_box = _page_area_box(page_area) or (0.0, 0.0, 210.0, 297.0)
        max_unit = child_text(common, "MaxUnitID")

        fonts: dict[str, FontInfo] = {}
        media: dict[str, MediaInfo] = {}
        for tag in ("PublicRes", "DocumentRes"):
            for res_el in children(common, tag):
                self._read_res(doc_dir, (res_el.text or "").strip(), fonts, media)

        templates: dict[str, str] = {}
        for tpl in children(common, "TemplatePage"):
            loc = tpl.get("BaseLoc", "")
            path = self.find(resolve(doc_dir, loc), resolve("", loc))
            if path and tpl.get("ID"):
                templates[tpl.get("ID", "")] = path

        pages: list[PageView] = []
        pages_el = child(document, "Pages")
        page_entries = children(pages_el, "Page") if pages_el is not None else []
        if len(page_entries) > MAX_PAGES:
            raise OfdReadError("too many pages")
        for page_el in page_entries:
            loc = page_el.get("BaseLoc", "")
            path = self.find(resolve(doc_dir, loc), resolve("", loc))
            if path is None:
                raise OfdReadError(f"page {loc} is missing")
            pages.append(self._read_page(page_el.get("ID", ""), path, physical_box, templates, fonts, media))

        signatures_path = None
        signatures: list[SignatureInfo] = []
        signatures_loc = child_text(body, "Signatures")
        if signatures_loc:
            signatures_path = self.find(resolve("", signatures_loc), resolve(doc_dir, signatures_loc))
            if signatures_path is not None:
                signatures = self._read_signatures(signatures_path, doc_dir)

        return OfdDocument(
            package=self.package,
            version=root.get("Version"),
            doc_type=root.get("DocType"),
            document_path=document_path,
            doc_info=doc_info,
            custom_data=custom_data,
            physical_box=physical_box,
            max_unit_id=_int_or_none(max_unit),
            pages=pages,
            fonts=fonts,
            media=media,
            signatures_path=signatures_path,
            signatures=signatures,
        )

    def _read_res(
        self, base_dir: str, loc: str, fonts: dict[str, FontInfo], media: dict[str, MediaInfo]
    ) -> None:
        if not loc:
            return
        path = self.find(resolve(base_dir, loc), resolve("", loc))
        if path is None:
            return  # readers carry on without a missing resource file
        res = self.xml(path)
        res_dir = posixpath.dirname(path)
        res_base = resolve(res_dir, res.get("BaseLoc", "")) if res.get("BaseLoc") else res_dir
        for font in descendants(res, "Font"):
            file_loc = child_text(font, "FontFile")
            file_path = None
            if file_loc:
                file_path = self.find(resolve(res_base, file_loc), resolve(res_dir, file_loc))
            fonts[font.get("ID", "")] = FontInfo(
                id=font.get("ID", ""),
                name=font.get("FontName", ""),
                family=font.get("FamilyName"),
                file_path=file_path,
            )
        for item in descendants(res, "MultiMedia"):
            file_loc = child_text(item, "MediaFile")
            file_path = None
            if file_loc:
                file_path = self.find(
                    resolve(res_base, file_loc), resolve(res_dir, file_loc), resolve(base_dir, file_loc)
                )
            media[item.get("ID", "")] = MediaInfo(
                id=item.get("ID", ""), type=item.get("Type", ""), format=item.get("Format"), path=file_path
            )

    # -- pages -------------------------------------------------------------------------------

    def _read_page(
        self,
        page_id: str,
        path: str,
        default_box: Box,
        templates: dict[str, str],
        fonts: dict[str, FontInfo],
        media: dict[str, MediaInfo],
    ) -> PageView:
        root = self.xml(path)
        page_dir = posixpath.dirname(path)
        for res_el in children(root, "PageRes"):
            self._read_res(page_dir, (res_el.text or "").strip(), fonts, media)
        box = _page_area_box(child(root, "Area")) or default_box
        view = PageView(id=page_id, path=path, box=box)
        for tpl in children(root, "Template"):
            tpl_path = templates.get(tpl.get("TemplateID", ""))
            if tpl_path and tpl_path != path:
                tpl_root = self.xml(tpl_path)
                self._read_content(tpl_root, view, media, from_template=True)
        self._read_content(root, view, media, from_template=False)
        return view

    def _read_content(
        self, root: etree._Element, view: PageView, media: dict[str, MediaInfo], *, from_template: bool
    ) -> None:
        content = child(root, "Content")
        if content is None:
            return
        for layer in children(content, "Layer"):
            self._read_units(layer, view, media, from_template)

    def _read_units(
        self, parent: etree._Element, view: PageView, media: dict[str, MediaInfo], from_template: bool
    ) -> None:
        for unit in parent:
            name = local(unit)
            if name == "TextObject":
                view.texts.extend(_text_items(unit, from_template))
            elif name == "ImageObject":
                res_id = unit.get("ResourceID", "")
                info = media.get(res_id)
                data = self.package.parts.get(info.path) if info and info.path else None
                view.images.append(
                    ImageItem(
                        resource_id=res_id,
                        boundary=_box(unit.get("Boundary")),
                        ctm=_floats(unit.get("CTM")) if unit.get("CTM") else None,
                        format=info.format if info else None,
                        path=info.path if info else None,
                        data=data,
                        object_id=unit.get("ID"),
                        from_template=from_template,
                    )
                )
            elif name == "PathObject":
                view.paths.append(
                    PathItem(
                        boundary=_box(unit.get("Boundary")),
                        data=child_text(unit, "AbbreviatedData") or "",
                        stroke=unit.get("Stroke", "true").strip().lower() != "false",
                        fill=unit.get("Fill", "false").strip().lower() == "true",
                        rule=unit.get("Rule", "NonZero"),
                        line_width=_float(unit.get("LineWidth"), 0.353),
                        fill_color=_color(child(unit, "FillColor")),
                        stroke_color=_color(child(unit, "StrokeColor")),
                        ctm=_floats(unit.get("CTM")) if unit.get("CTM") else None,
                        object_id=unit.get("ID"),
                        from_template=from_template,
                    )
                )
            elif name in ("PageBlock", "CompositeObject"):
                self._read_units(unit, view, media, from_template)

    # -- signatures --------------------------------------------------------------------------

    def _read_signatures(self, path: str, doc_dir: str) -> list[SignatureInfo]:
        root = self.xml(path)
        sig_dir = posixpath.dirname(path)
        result: list[SignatureInfo] = []
        for entry in children(root, "Signature"):
            loc = entry.get("BaseLoc", "")
            sig_path = self.find(resolve(sig_dir, loc), resolve(doc_dir, loc), resolve("", loc))
            if sig_path is None:
                raise OfdReadError(f"signature {loc} is missing")
            result.append(
                self._read_signature(entry.get("ID", ""), entry.get("Type", "Seal"), sig_path, doc_dir)
            )
        return result

    def _read_signature(self, sig_id: str, sig_type: str, path: str, doc_dir: str) -> SignatureInfo:
        root = self.xml(path)
        here = posixpath.dirname(path)
        signed_info = child(root, "SignedInfo")
        if signed_info is None:
            raise OfdReadError(f"{path} has no SignedInfo")

        def locate(loc: str | None) -> str | None:
            if not loc:
                return None
            return self.find(resolve(here, loc), resolve("", loc), resolve(doc_dir, loc)) or resolve(
                here, loc
            )

        references_el = child(signed_info, "References")
        references: list[tuple[str, str]] = []
        if references_el is not None:
            for ref in children(references_el, "Reference"):
                references.append((ref.get("FileRef", ""), child_text(ref, "CheckValue") or ""))
        stamps = tuple(
            StampAnnotInfo(
                id=stamp.get("ID", ""),
                page_ref=stamp.get("PageRef", ""),
                boundary=_box(stamp.get("Boundary")),
            )
            for stamp in children(signed_info, "StampAnnot")
        )
        seal_el = child(signed_info, "Seal")
        provider_el = child(signed_info, "Provider")
        return SignatureInfo(
            id=sig_id,
            type=sig_type,
            path=path,
            signed_value_path=locate(child_text(root, "SignedValue")),
            seal_path=locate(child_text(seal_el, "BaseLoc")) if seal_el is not None else None,
            check_method=references_el.get("CheckMethod") if references_el is not None else None,
            references=tuple(references),
            stamp_annots=stamps,
            signature_datetime=child_text(signed_info, "SignatureDateTime"),
            provider=provider_el.get("ProviderName") if provider_el is not None else None,
        )


def _text_items(unit: etree._Element, from_template: bool) -> list[TextItem]:
    boundary = _box(unit.get("Boundary"))
    size = _float(unit.get("Size"), 0.0)
    ctm = _floats(unit.get("CTM")) if unit.get("CTM") else None
    items: list[TextItem] = []
    x = y = 0.0
    for code in children(unit, "TextCode"):
        text = code.text or ""
        if code.get("X") is not None:
            x = _float(code.get("X"), 0.0)
        if code.get("Y") is not None:
            y = _float(code.get("Y"), 0.0)
        deltas = expand_deltas(code.get("DeltaX"), len(text))
        px, py = x, y
        if ctm and len(ctm) == 6:
            a, b, c, d, e, f = ctm
            px, py = a * x + c * y + e, b * x + d * y + f
        items.append(
            TextItem(
                text=text,
                x=boundary[0] + px,
                y=boundary[1] + py,
                size=size,
                font_id=unit.get("Font", ""),
                boundary=boundary,
                delta_x=deltas,
                object_id=unit.get("ID"),
                from_template=from_template,
            )
        )
        x += sum(deltas)
    return items


def expand_deltas(value: str | None, length: int) -> tuple[float, ...]:
    """Return the advances of a DeltaX/DeltaY array, expanding ``g N v`` runs (bounded by the text length)."""
    if not value:
        return ()
    tokens = value.split()
    out: list[float] = []
    index = 0
    limit = min(max(length, 1), MAX_GLYPHS_PER_CODE)
    while index < len(tokens) and len(out) < limit:
        token = tokens[index]
        if token == "g":
            if index + 2 >= len(tokens):
                raise OfdReadError(f"truncated 'g' run in {value[:40]!r}")
            count = _int_or_none(tokens[index + 1])
            if count is None or count < 0:
                raise OfdReadError(f"bad 'g' count in {value[:40]!r}")
            step = _float(tokens[index + 2], 0.0)
            out.extend([step] * min(count, limit - len(out)))
            index += 3
        else:
            out.append(_float(token, 0.0))
            index += 1
    return tuple(out)


def _page_area_box(area: etree._Element | None) -> Box | None:
    if area is None:
        return None
    for tag in ("PhysicalBox", "ApplicationBox", "ContentBox"):
        value = child_text(area, tag)
        if value:
            return _box(value)
    return None


def _float(value: str | None, default: float) -> float:
    if value is None or not value.strip():
        return default
    try:
        result = float(value)
    except ValueError:
        raise OfdReadError(f"not a number: {value[:40]!r}") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise OfdReadError(f"not a finite number: {value[:40]!r}")
    return result


def _floats(value: str | None) -> tuple[float, ...]:
    if not value:
        return ()
    return tuple(_float(token, 0.0) for token in value.replace(",", " ").split()[:64])


def _box(value: str | None) -> Box:
    numbers = _floats(value)
    if len(numbers) != 4:
        raise OfdReadError(f"not a box: {str(value)[:40]!r}")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _color(element: etree._Element | None) -> tuple[int, ...] | None:
    if element is None or not element.get("Value"):
        return None
    value = element.get("Value", "")
    tokens = value.split()
    try:
        return tuple(
            int(token[1:], 16) if token.startswith("#") else int(float(token)) for token in tokens[:4]
        )
    except ValueError:
        return None
