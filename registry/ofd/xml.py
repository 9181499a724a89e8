"""Small XML helpers for OFD parts: a byte-exact writer and a hardened parser.

The writer builds text directly rather than through a serialiser, so the bytes depend only on the
input (attribute order as given, no pretty-printing) and every element carries the literal ``ofd:``
prefix that ofd.js looks for. The parser refuses entities, network access and huge trees, because
packages arrive from the public verification page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

OFD_NS = "http://www.ofdspec.org/2016"
# Files written before the 2016 edition use this URI; we read them, never write them.
LEGACY_NS = "http://www.ofdspec.org"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
MAX_XML_BYTES = 8 * 1024 * 1024


class XmlError(Exception):
    """A part is not well-formed XML or is refused as hostile."""


def escape_text(value: str) -> str:
    """Return text escaped for element content."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(value: str) -> str:
    """Return text escaped for a double-quoted attribute value."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def num(value: float | int | Decimal) -> str:
    """Format a number as plain decimal with at most 3 decimals and no trailing zeros."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    text = _FORMATTED.get(value)
    if text is None:
        text = f"{float(value):.3f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if len(_FORMATTED) < 65536:  # layout constants and font advances recur on every document
            _FORMATTED[value] = text
    return text


_FORMATTED: dict[float | Decimal, str] = {}


def nums(values: Iterable[float | int]) -> str:
    """Format a sequence of numbers as an ST_Array (space separated)."""
    return " ".join(num(v) for v in values)


@dataclass
class Element:
    """An element of the ofd: namespace, written with the ofd: prefix."""

    name: str
    attrs: list[tuple[str, str]] = field(default_factory=list)  # values already escaped
    children: list[Element | str] = field(default_factory=list)  # a str is an element already written
    text: str | None = None

    def add(self, name: str, text: str | None = None, **attrs: object) -> Element:
        """Append a child element and return it."""
        child = E(name, text, **attrs)
        self.children.append(child)
        return child

    def write(self, out: list[str]) -> None:
        """Append the serialised element to a list of strings."""
        out.append("<ofd:" + self.name)
        for key, value in self.attrs:
            out.append(f' {key}="{value}"')
        if not self.children and self.text is None:
            out.append("/>")
            return
        out.append(">")
        if self.text is not None:
            out.append(escape_text(self.text))
        for child in self.children:
            if isinstance(child, str):
                out.append(child)
            else:
                child.write(out)
        out.append(f"</ofd:{self.name}>")


def E(name: str, text: str | None = None, *children: Element, **attrs: object) -> Element:  # noqa: N802
    """Create an element; attributes whose value is None are left out, booleans become true/false.

    String values are escaped here, once; numbers are formatted with num.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif isinstance(value, (int, float, Decimal)):
            pairs.append((key, num(value)))  # digits, a sign and a point: nothing to escape
        else:
            pairs.append((key, escape_attr(str(value))))
    return Element(name, pairs, list(children), text)


def element_xml(element: Element) -> str:
    """Return one element serialised (no declaration, no namespace declaration), to reuse as a child."""
    out: list[str] = []
    element.write(out)
    return "".join(out)


def to_bytes(root: Element) -> bytes:
    """Serialise a root element with the XML declaration and the ofd namespace, as UTF-8."""
    root.attrs.insert(0, ("xmlns:ofd", OFD_NS))
    try:
        out = [XML_DECLARATION]
        root.write(out)
    finally:
        root.attrs.pop(0)
    return "".join(out).encode("utf-8")


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_xml(data: bytes, name: str = "part") -> etree._Element:
    """Parse untrusted XML bytes, refusing DTDs with entities, network access and oversized input."""
    if len(data) > MAX_XML_BYTES:
        raise XmlError(f"{name}: XML part larger than the accepted maximum")
    # A leading BOM is tolerated (some producers write one); lxml handles it for UTF-8.
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlError(f"{name}: not well-formed XML: {exc}") from None
    if root is None:
        raise XmlError(f"{name}: empty XML document")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # OFD parts never need a DTD; one is how entity expansion attacks begin.
        raise XmlError(f"{name}: a DOCTYPE is not accepted in OFD parts")
    return root


def local(element: etree._Element) -> str:
    """Return an element's local name whatever its namespace (or none)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """Return the first child with the given local name, in any namespace."""
    for item in element:
        if local(item) == name:
            return item
    return None


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Return all children with the given local name, in any namespace."""
    return [item for item in element if local(item) == name]


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    """Return all descendants with the given local name, in document order."""
    return [item for item in element.iter() if local(item) == name]


def child_text(element: etree._Element, name: str) -> str | None:
    """Return the stripped text of the first child with the given local name, or None."""
    found = child(element, name)
    if found is None:
        return None
    return (found.text or "").strip()
