"""seal_package: what is hashed and signed, byte for byte, and what it refuses to do."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from asn1crypto import core
from asn1crypto.algos import DSASignature

from registry.ofd.package import read_package, write_package
from registry.ofd.xml import children, parse_xml
from registry.seal import SealError, Verdict, seal_package, verify_ofd
from registry.seal.asn1 import SESSignature
from registry.seal.crypto import sm3
from registry.seal.seal import read_seal

from .helpers import minimal_parts

SIGN_DIR = "Doc_0/Signs/Sign_0"
SM2_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123  # n of GB/T 32918.5's curve


def _references(signature_xml: bytes) -> dict[str, str]:
    root = parse_xml(signature_xml)
    signed_info = children(root, "SignedInfo")[0]
    references = children(signed_info, "References")[0]
    assert references.get("CheckMethod") == "1.2.156.10197.1.401"
    return {
        item.get("FileRef"): children(item, "CheckValue")[0].text for item in children(references, "Reference")
    }


def test_it_references_every_file_except_signatures_xml_with_its_sm3_digest(sealed_parts) -> None:
    references = _references(sealed_parts[f"{SIGN_DIR}/Signature.xml"])

    expected = {
        "/" + name for name in sealed_parts
        if name not in ("Doc_0/Signs/Signatures.xml", f"{SIGN_DIR}/Signature.xml", f"{SIGN_DIR}/SignedValue.dat")
    }
    assert set(references) == expected
    assert "/OFD.xml" in references and f"/{SIGN_DIR}/Seal.esl" in references
    for ref, value in references.items():
        assert base64.b64decode(value) == sm3(sealed_parts[ref[1:]])


def test_it_inserts_the_signatures_pointer_into_ofd_xml_without_touching_other_bytes(sealed_parts) -> None:
    original = minimal_parts()["OFD.xml"]
    pointer = b"<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>"

    assert sealed_parts["OFD.xml"] == original.replace(b"</ofd:DocBody>", pointer + b"</ofd:DocBody>")


def test_it_keeps_an_existing_signatures_pointer_unchanged(authority, sign_time) -> None:
    parts = minimal_parts(with_signatures_pointer=True)

    sealed = seal_package(parts, signer=authority.signer, seal=authority.seal, page_id="1",
                          stamp_box=(1, 2, 3, 4), sign_time=sign_time)

    assert sealed["OFD.xml"] == parts["OFD.xml"]


def test_it_writes_signatures_xml_with_numeric_ids_as_vendors_do(sealed_parts, sign_time) -> None:
    assert sealed_parts["Doc_0/Signs/Signatures.xml"] == (
        b'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
        b"<ofd:MaxSignId>2</ofd:MaxSignId>"
        b'<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/></ofd:Signatures>'
    )
    signature_xml = sealed_parts[f"{SIGN_DIR}/Signature.xml"]
    assert b'<ofd:StampAnnot ID="2" PageRef="1" Boundary="140 200 40 40"/>' in signature_xml
    assert b"<ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue>" in signature_xml
    stamp = sign_time.strftime("%Y%m%d%H%M%SZ").encode()
    assert b"<ofd:SignatureDateTime>" + stamp + b"</ofd:SignatureDateTime>" in signature_xml


def test_the_signed_value_is_a_v4_ses_signature_exactly_as_the_brief_specifies(
    sealed_parts, authority, sign_time
) -> None:
    data = sealed_parts[f"{SIGN_DIR}/SignedValue.dat"]
    outer = core.Sequence.load(data)

    assert len(outer) == 4  # no timeStamp
    signature = SESSignature.load(data)
    tbs = signature["to_sign"]
    assert len(core.Sequence.load(tbs.dump())) == 5  # version, eseal, timeInfo, dataHash, propertyInfo: no extDatas
    assert tbs["version"].native == 4
    assert tbs["eseal"].dump() == authority.seal == sealed_parts[f"{SIGN_DIR}/Seal.esl"]
    # GeneralizedTime (tag 0x18, 15 bytes) in UTC, whole seconds.
    assert tbs["time_info"].dump() == b"\x18\x0f" + sign_time.strftime("%Y%m%d%H%M%SZ").encode()
    assert tbs["data_hash"].dump() == b"\x03\x21\x00" + sm3(sealed_parts[f"{SIGN_DIR}/Signature.xml"])
    assert tbs["property_info"].native == "/Doc_0/Signs/Sign_0/Signature.xml"
    assert signature["cert"].native == authority.signer.certificate
    assert signature["signature_alg_id"].dotted == "1.2.156.10197.1.501"
    raw_signature = signature["signature"].dump()
    assert raw_signature[2] == 0  # BIT STRING with no unused bits
    # DER SEQUENCE{r, s}, not raw r||s. Its length varies (an INTEGER drops leading zero bytes and adds one
    # before a high bit), so the test reads it rather than bounding its length.
    body = signature["signature"].contents[1:]  # after the unused-bits byte
    pair = DSASignature.load(body, strict=True)
    assert pair.dump(force=True) == body  # minimal DER: the encoding a strict reader expects
    assert 0 < pair["r"].native < SM2_ORDER and 0 < pair["s"].native < SM2_ORDER


def test_a_sealed_package_reopens_and_verifies_with_the_trust_root(sealed_ofd, authority) -> None:
    report = verify_ofd(sealed_ofd, trust_roots=[authority.trust_root])

    assert report.verdict is Verdict.VALID, report.failures
    assert report.warnings == []
    assert read_package(sealed_ofd).parts["Doc_0/Signs/Sign_0/Signature.xml"].startswith(b"<?xml")


def test_a_second_seal_can_be_added_and_both_verify(sealed_parts, authority, sign_time) -> None:
    again = seal_package(sealed_parts, signer=authority.signer, seal=authority.seal, page_id="1",
                         stamp_box=(20, 200, 40, 40), sign_time=sign_time + timedelta(days=1))

    assert b'MaxSignId>4<' in again["Doc_0/Signs/Signatures.xml"]
    assert "Doc_0/Signs/Sign_1/SignedValue.dat" in again
    report = verify_ofd(write_package(again), trust_roots=[authority.trust_root])
    assert report.verdict is Verdict.VALID, report.failures
    assert [s.signature for s in report.steps if s.code == "signer.signature"] == ["1", "3"]


def test_a_seal_added_to_a_file_with_s_prefixed_ids_numbers_on_from_them(sealed_parts, authority, sign_time) -> None:
    # Files sealed before the IDs became plain numbers wrote "s001"/"s002" (Signatures.xml is not
    # digested, so this is such a file as far as numbering goes).
    older = dict(sealed_parts)
    older["Doc_0/Signs/Signatures.xml"] = (
        older["Doc_0/Signs/Signatures.xml"].replace(b">2<", b">s002<").replace(b'ID="1"', b'ID="s001"')
    )
    again = seal_package(older, signer=authority.signer, seal=authority.seal, page_id="1",
                         stamp_box=(20, 200, 40, 40), sign_time=sign_time + timedelta(days=1))

    signatures = again["Doc_0/Signs/Signatures.xml"]
    assert b"<ofd:MaxSignId>4</ofd:MaxSignId>" in signatures
    assert b'ID="s001"' in signatures and b'<ofd:Signature ID="3" ' in signatures
    report = verify_ofd(write_package(again), trust_roots=[authority.trust_root])
    assert report.verdict is Verdict.VALID, report.failures


def test_it_refuses_a_signer_whose_certificate_the_seal_does_not_list(authority, other_authority, sign_time) -> None:
    with pytest.raises(SealError, match="not listed"):
        seal_package(minimal_parts(), signer=other_authority.signer, seal=authority.seal, page_id="1",
                     stamp_box=(1, 2, 3, 4), sign_time=sign_time)


@pytest.mark.parametrize("outside", ["before", "after"])
def test_it_refuses_to_use_a_seal_outside_its_validity_window(authority, outside) -> None:
    info = read_seal(authority.seal)
    moment = info.valid_start - timedelta(seconds=1) if outside == "before" else info.valid_end + timedelta(seconds=1)
    with pytest.raises(SealError, match="not valid at the signing time"):
        seal_package(minimal_parts(), signer=authority.signer, seal=authority.seal, page_id="1",
                     stamp_box=(1, 2, 3, 4), sign_time=moment)


def test_it_refuses_a_stamp_on_a_page_the_document_does_not_have(authority, sign_time) -> None:
    with pytest.raises(SealError, match="no page with ID '7'"):
        seal_package(minimal_parts(), signer=authority.signer, seal=authority.seal, page_id="7",
                     stamp_box=(1, 2, 3, 4), sign_time=sign_time)


def test_it_refuses_a_naive_signing_time(authority) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seal_package(minimal_parts(), signer=authority.signer, seal=authority.seal, page_id="1",
                     stamp_box=(1, 2, 3, 4), sign_time=datetime(2026, 11, 24, 9, 30))


def test_it_does_not_change_any_input_part_other_than_ofd_xml(sealed_parts) -> None:
    for name, data in minimal_parts().items():
        if name != "OFD.xml":
            assert sealed_parts[name] == data, name
