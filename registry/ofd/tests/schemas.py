"""Test helper: validate OFD parts against the GB/T 33190 schemas in the shared material."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

# Which schema checks which part (ofd-xsd/README.md), keyed by the root element's local name.
SCHEMA_FOR_ROOT = {
    "OFD": "OFD.xsd",
    "Document": "Document.xsd",
    "Page": "Page.xsd",
    "Res": "Res.xsd",
    "Signatures": "Signatures.xsd",
    "Signature": "Signature.xsd",
}


# The 2016 XSD types the signature IDs (Signature/@ID, MaxSignId, StampAnnot/@ID) as xs:ID, which
# must start with a letter, where the standard's text and every vendor file use plain numbers, the
# ST_ID of every other ID (the seal brief, pitfall 18). Our seals use numbers too, because ofd.js
# computes a stamp's stacking order from its number (registry/seal/sign.py), so these three are
# checked as ST_ID; nothing else in the schemas is changed.
SIGNATURE_ID_SCHEMAS = ("Signatures.xsd", "Signature.xsd")


def load_schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """Return the schemas, each parsed from its own file so the relative includes resolve."""
    folder = shared_dir / "standards" / "ofd-xsd"
    schemas = {}
    for root, name in SCHEMA_FOR_ROOT.items():
        tree = etree.parse(str(folder / name))
        if name in SIGNATURE_ID_SCHEMAS:
            for node in tree.iter("{http://www.w3.org/2001/XMLSchema}*"):
                if node.get("type") == "xs:ID":
                    node.set("type", "ST_ID")
        schemas[root] = etree.XMLSchema(tree)
    return schemas


def assert_valid(schemas: dict[str, etree.XMLSchema], name: str, data: bytes) -> None:
    """Raise AssertionError with the schema's messages unless the part validates."""
    root = etree.fromstring(data)
    local = etree.QName(root).localname
    schema = schemas[local]
    if not schema.validate(root):
        errors = "\n".join(str(error) for error in schema.error_log)
        raise AssertionError(f"{name} does not validate against {SCHEMA_FOR_ROOT[local]}:\n{errors}")
