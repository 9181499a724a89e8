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


def load_schemas(shared_dir: Path) -> dict[str, etree.XMLSchema]:
    """Return the schemas, each parsed from its own file so the relative includes resolve."""
    folder = shared_dir / "standards" / "ofd-xsd"
    return {root: etree.XMLSchema(etree.parse(str(folder / name))) for root, name in SCHEMA_FOR_ROOT.items()}


def assert_valid(schemas: dict[str, etree.XMLSchema], name: str, data: bytes) -> None:
    """Raise AssertionError with the schema's messages unless the part validates."""
    root = etree.fromstring(data)
    local = etree.QName(root).localname
    schema = schemas[local]
    if not schema.validate(root):
        errors = "\n".join(str(error) for error in schema.error_log)
        raise AssertionError(f"{name} does not validate against {SCHEMA_FOR_ROOT[local]}:\n{errors}")
