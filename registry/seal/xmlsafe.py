"""Parse untrusted OFD XML parts safely and look elements up by local name.

OFD files never need a DTD, so any document type declaration is refused outright (no entity
expansion, no external fetch). Elements are matched by local name so files using the pre-2016
namespace URI still read.
"""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 8 * 1024 * 1024

OFD_NS = "http://www.ofdspec.org/2016"


class XmlError(Exception):
    """The bytes are not acceptable XML."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes) -> etree._Element:
    """Return the root element of an XML part, or raise XmlError."""
    if len(data) > MAX_XML_BYTES:
        raise XmlError("XML part larger than the accepted maximum")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlError("XML with a document type declaration is not accepted")
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlError(f"malformed XML: {exc}") from None
    if root is None:
        raise XmlError("empty XML document")
    return root


def local_name(element: etree._Element) -> str:
    """Return the local name of an element ('' for comments and other non-elements)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Return the child elements with the given local name, in document order."""
    return [child for child in element if local_name(child) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """Return the first child element with the given local name, or None."""
    for item in element:
        if local_name(item) == name:
            return item
    return None


def child_text(element: etree._Element, name: str) -> str | None:
    """Return the stripped text of the first child with the given local name, or None."""
    found = child(element, name)
    if found is None:
        return None
    return (found.text or "").strip()
