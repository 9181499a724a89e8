"""Tampering with a package we sealed is detected, and the report names the right step."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from asn1crypto import core
from PIL import Image

from registry.ofd.package import write_package
from registry.seal import Status, Verdict, seal_package, verify_ofd
from registry.seal.asn1 import SESSignature
from registry.seal.seal import read_seal
from registry.seal.sign import der_sequence

from .helpers import minimal_parts

SIGN_DIR = "Doc_0/Signs/Sign_0"
CONTENT_FILES = [
    "OFD.xml",
    "Doc_0/Document.xml",
    "Doc_0/PublicRes.xml",
    "Doc_0/DocumentRes.xml",
    "Doc_0/Res/qr.png",
    "Doc_0/Pages/Page_0/Content.xml",
    f"{SIGN_DIR}/Seal.esl",
]


def _change_one_byte(name: str, data: bytes) -> bytes:
    """Return data with exactly one byte changed, keeping XML well-formed (a space becomes a tab)."""
    if name.endswith(".xml"):
        position = data.index(b" xmlns:ofd")
        return data[:position] + b"\t" + data[position + 1:]
    position = len(data) // 2
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


def _verify(parts: dict[str, bytes], **kwargs):
    return verify_ofd(write_package(parts), **kwargs)


def _failed(report) -> list[tuple[str, str]]:
    return [(step.code, step.params.get("file", "")) for step in report.failures]


def test_the_untouched_package_is_valid(sealed_parts, authority) -> None:
    assert _verify(dict(sealed_parts), trust_roots=[authority.trust_root]).verdict is Verdict.VALID


def test_the_test_covers_every_file_of_the_sealed_package(sealed_parts) -> None:
    assert set(sealed_parts) == {
        *CONTENT_FILES, "Doc_0/Signs/Signatures.xml", f"{SIGN_DIR}/Signature.xml", f"{SIGN_DIR}/SignedValue.dat",
    }


@pytest.mark.parametrize("name", CONTENT_FILES)
def test_one_byte_changed_in_a_content_file_fails_that_files_digest(sealed_parts, name: str) -> None:
    parts = dict(sealed_parts)
    parts[name] = _change_one_byte(name, parts[name])

    report = _verify(parts)

    assert report.verdict is Verdict.INVALID
    assert report.failures[0].code == "reference.digest"
    assert report.failures[0].params["file"] == name
    assert "modified after signing" in report.failures[0].message
    digest_failures = [step.params["file"] for step in report.failures if step.code == "reference.digest"]
    assert digest_failures == [name]


def test_one_byte_changed_in_signature_xml_fails_the_data_hash(sealed_parts) -> None:
    parts = dict(sealed_parts)
    name = f"{SIGN_DIR}/Signature.xml"
    parts[name] = _change_one_byte(name, parts[name])

    report = _verify(parts)

    assert _failed(report) == [("data_hash", name)]


def test_one_byte_changed_in_the_signature_value_fails_the_signers_signature(sealed_parts) -> None:
    parts = dict(sealed_parts)
    name = f"{SIGN_DIR}/SignedValue.dat"
    data = parts[name]
    parts[name] = data[:-1] + bytes([data[-1] ^ 0x01])  # last byte of s

    report = _verify(parts)

    assert [code for code, _ in _failed(report)] == ["signer.signature"]


def test_one_byte_changed_in_the_seal_inside_the_signed_value_is_detected(sealed_parts) -> None:
    parts = dict(sealed_parts)
    name = f"{SIGN_DIR}/SignedValue.dat"
    parts[name] = _change_one_byte(name, parts[name])  # the middle lies in the seal picture

    report = _verify(parts)

    assert [code for code, _ in _failed(report)] == ["seal.stored_copy", "signer.signature", "seal.maker_signature"]


def test_changing_signatures_xml_harmlessly_is_not_detected_by_design(sealed_parts) -> None:
    # Signatures.xml is left unsigned so that a later seal can be appended (brief §3.4).
    parts = dict(sealed_parts)
    name = "Doc_0/Signs/Signatures.xml"
    parts[name] = _change_one_byte(name, parts[name])

    assert _verify(parts).verdict is Verdict.VALID


def test_removing_the_signature_from_signatures_xml_makes_the_document_unsigned(sealed_parts) -> None:
    parts = dict(sealed_parts)
    parts["Doc_0/Signs/Signatures.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016"/>'
    )

    report = _verify(parts)

    assert _failed(report) == [("signatures.list", "Doc_0/Signs/Signatures.xml")]


def test_a_swapped_image_is_detected_by_its_digest(sealed_parts) -> None:
    parts = dict(sealed_parts)
    other = Image.new("RGB", (21, 21), (0, 0, 0))
    buffer = io.BytesIO()
    other.save(buffer, format="PNG")
    parts["Doc_0/Res/qr.png"] = buffer.getvalue()

    report = _verify(parts)

    assert _failed(report) == [("reference.digest", "Doc_0/Res/qr.png")]


def test_a_removed_reference_is_detected_by_the_data_hash_and_leaves_the_file_uncovered(sealed_parts) -> None:
    parts = dict(sealed_parts)
    name = f"{SIGN_DIR}/Signature.xml"
    xml = parts[name]
    start = xml.index(b'<ofd:Reference FileRef="/Doc_0/Res/qr.png">')
    end = xml.index(b"</ofd:Reference>", start) + len(b"</ofd:Reference>")
    parts[name] = xml[:start] + xml[end:]

    report = _verify(parts)

    assert _failed(report) == [("data_hash", name)]
    coverage = report.step("coverage")
    assert coverage.status is Status.WARNING
    assert coverage.params["files"] == "Doc_0/Res/qr.png"


def test_an_appended_unsigned_file_is_reported_as_uncovered(sealed_parts) -> None:
    parts = dict(sealed_parts)
    parts["Doc_0/Res/extra.png"] = b"\x89PNG not signed"

    report = _verify(parts)
    strict = _verify(parts, strict=True)

    assert report.step("coverage").status is Status.WARNING
    assert report.step("coverage").params["files"] == "Doc_0/Res/extra.png"
    assert strict.verdict is Verdict.INVALID
    assert _failed(strict) == [("coverage", "")]


def test_a_package_re_signed_by_another_key_fails_the_seal_list_and_the_chain(
    sealed_parts, authority, other_authority
) -> None:
    # Keep the authority's seal but sign TBS_Sign with another key and certificate.
    parts = dict(sealed_parts)
    name = f"{SIGN_DIR}/SignedValue.dat"
    original = SESSignature.load(parts[name])
    tbs = original["to_sign"].dump()
    forged_signature = other_authority.signer.sign(tbs)
    parts[name] = der_sequence(
        tbs,
        core.OctetString(other_authority.signer.certificate).dump(),
        original["signature_alg_id"].dump(),
        core.OctetBitString(forged_signature).dump(),
    )

    report = _verify(parts, trust_roots=[authority.trust_root])

    assert report.step("signer.signature").status is Status.OK  # the forger's own signature is fine...
    assert [code for code, _ in _failed(report)] == ["seal.signer_listed", "cert.chain"]  # ...but not allowed


def test_a_package_sealed_entirely_by_another_authority_fails_only_the_chain(other_authority, authority, sign_time) -> None:
    parts = seal_package(minimal_parts(), signer=other_authority.signer, seal=other_authority.seal, page_id="1",
                         stamp_box=(140, 200, 40, 40), sign_time=sign_time)

    trusted = _verify(parts, trust_roots=[other_authority.trust_root])
    untrusted = _verify(parts, trust_roots=[authority.trust_root])

    assert trusted.verdict is Verdict.VALID
    assert _failed(untrusted) == [("cert.chain", "")]
    assert "signer and seal maker" in untrusted.failures[0].message


def test_a_document_checked_long_after_the_seal_expired_is_still_valid_at_its_signing_time(
    sealed_parts, authority
) -> None:
    report = _verify(dict(sealed_parts))
    later = _verify(dict(sealed_parts), at=read_seal(authority.seal).valid_end + timedelta(days=1))

    assert report.verdict is Verdict.VALID
    assert [code for code, _ in _failed(later)] == ["seal.validity", "cert.validity"]
