"""The sealed certificate: verifies, carries the stamp where the layout says, and detects tampering."""

from __future__ import annotations

import pytest

from registry.certificates.document import build_certificate, build_certificate_parts
from registry.ofd.package import write_package
from registry.ofd.reader import read_ofd
from registry.seal import verify_ofd


@pytest.fixture
def sealed(data, layout, authority, sign_time):
    return build_certificate_parts(
        data, layout=layout, signer=authority.signer, seal=authority.seal, sign_time=sign_time
    )


def test_the_sealed_certificate_verifies(sealed, authority):
    report = verify_ofd(sealed.to_bytes(), trust_roots=[authority.trust_root], strict=True)
    assert report.valid, [(step.code, step.message) for step in report.failures]
    assert not report.warnings


def test_the_stamp_sits_on_page_one_over_the_authority_name(sealed, layout):
    document = read_ofd(sealed.to_bytes())
    [signature] = document.signatures
    [stamp] = signature.stamp_annots
    assert stamp.page_ref == document.pages[0].id == "1"
    assert stamp.boundary == layout.stamp_box
    authority = next(item for item in document.pages[0].texts if item.text == "重庆市住房和城乡建设委员会")
    x, y, w, h = stamp.boundary
    assert x < authority.x + 32 < x + w and y < authority.y < y + h
    assert signature.signed_value(document.package)
    assert signature.seal_path == "Doc_0/Signs/Sign_0/Seal.esl"


def test_every_part_but_signatures_xml_is_referenced(sealed):
    document = read_ofd(sealed.to_bytes())
    [signature] = document.signatures
    referenced = {ref.lstrip("/") for ref, _ in signature.references}
    unsigned = set(sealed.parts) - referenced
    assert unsigned == {"Doc_0/Signs/Signatures.xml", signature.path, signature.signed_value_path}


def test_the_signature_parts_validate_against_the_schemas(sealed, validate):
    for name in ("OFD.xml", "Doc_0/Signs/Signatures.xml", "Doc_0/Signs/Sign_0/Signature.xml"):
        validate(name, sealed.parts[name])


def test_the_layout_parts_are_written_once_and_not_rewritten_by_sealing(data, layout, sealed, sign_time):
    unsealed = build_certificate_parts(data, layout=layout, sign_time=sign_time)
    for name, content in unsealed.parts.items():
        if name != "OFD.xml":
            assert sealed.parts[name] == content, name


@pytest.mark.parametrize("part", ["Doc_0/Pages/Page_0/Content.xml", "OFD.xml", "Doc_0/Res/font_3.ttf"])
def test_a_changed_byte_is_detected(sealed, authority, part):
    parts = dict(sealed.parts)
    content = bytearray(parts[part])
    content[len(content) // 2] ^= 0x01
    parts[part] = bytes(content)
    report = verify_ofd(write_package(parts), trust_roots=[authority.trust_root])
    assert not report.valid


def test_build_certificate_returns_the_zipped_sealed_package(data, layout, authority, sign_time):
    data_bytes = build_certificate(
        data, layout=layout, signer=authority.signer, seal=authority.seal, sign_time=sign_time
    )
    assert data_bytes[:2] == b"PK"
    assert len(read_ofd(data_bytes).signatures) == 1


def test_a_signer_without_a_seal_is_refused(data, layout, authority, sign_time):
    with pytest.raises(ValueError):
        build_certificate(data, layout=layout, signer=authority.signer, sign_time=sign_time)
