"""Hostile input never crashes the verifier: it ends in a clean 'invalid' or 'unreadable' report."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.ofd.package import write_package
from registry.seal import Report, Status, Verdict, verify_ofd

SIGN_DIR = "Doc_0/Signs/Sign_0"
SIGNATURE_XML = f"{SIGN_DIR}/Signature.xml"
SIGNED_VALUE = f"{SIGN_DIR}/SignedValue.dat"


def _verify(parts: dict[str, bytes], **kwargs) -> Report:
    return verify_ofd(write_package(parts), **kwargs)


@pytest.mark.parametrize("data", [b"", b"PK", b"PK\x03\x04" + b"\x00" * 100, b"%PDF-1.7\n", bytes(range(256)) * 8])
def test_bytes_that_are_not_a_zip_are_unreadable(data: bytes) -> None:
    report = verify_ofd(data)

    assert report.verdict is Verdict.UNREADABLE
    assert report.exit_code == 2
    assert [step.code for step in report.steps] == ["package.open"]


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_package_is_unreadable(sealed_ofd: bytes, fraction: float) -> None:
    report = verify_ofd(sealed_ofd[: int(len(sealed_ofd) * fraction)])

    assert report.verdict is Verdict.UNREADABLE


def test_a_zip_without_ofd_xml_is_unreadable() -> None:
    report = verify_ofd(write_package({"readme.txt": b"hello"}))

    assert report.verdict is Verdict.UNREADABLE
    assert "OFD.xml" in report.steps[0].message


def test_a_zip_bomb_is_refused_before_it_is_inflated(sealed_parts) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", sealed_parts["OFD.xml"])
        archive.writestr("Doc_0/Res/bomb.bin", b"\x00" * (25 * 1024 * 1024))

    report = verify_ofd(buffer.getvalue())

    assert report.verdict is Verdict.UNREADABLE
    assert "compression ratio" in report.steps[0].message


def test_an_entity_expansion_bomb_in_ofd_xml_is_refused(sealed_parts) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">'
        b"<ofd:DocBody>&lol3;</ofd:DocBody></ofd:OFD>"
    )
    report = _verify({**sealed_parts, "OFD.xml": laughs})

    assert report.verdict is Verdict.UNREADABLE
    assert report.step("package.entry").status is Status.FAILED


def test_an_external_entity_in_signature_xml_is_refused(sealed_parts) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016">&e;</ofd:Signature>'
    )
    report = _verify({**sealed_parts, SIGNATURE_XML: xxe})

    assert report.step("signature.description").status is Status.FAILED
    assert "DOCTYPE is not accepted" in report.step("signature.description").message


def test_a_huge_xml_part_is_refused_without_parsing(sealed_parts) -> None:
    filler = random.Random(0).randbytes(5 * 1024 * 1024).hex().encode()  # incompressible: not a ZIP bomb
    huge = b'<?xml version="1.0"?><ofd:Signature xmlns:ofd="x" a="' + filler + b'"/>'

    report = _verify({**sealed_parts, SIGNATURE_XML: huge})

    assert report.verdict is Verdict.INVALID
    assert "larger than the accepted maximum" in report.step("signature.description").message


def test_deeply_nested_xml_is_refused(sealed_parts) -> None:
    nested = b"<a>" * 100_000 + b"</a>" * 100_000

    report = _verify({**sealed_parts, SIGNATURE_XML: nested})

    assert report.step("signature.description").status is Status.FAILED


@pytest.mark.parametrize(
    "signed_value",
    [
        b"",
        b"\x30",
        b"\x30\x82\xff\xff\x02\x01\x04",  # length beyond the data
        b"\x30\x09\x02\x01\x01\x02\x01\x02\x02\x01\x03",  # a SEQUENCE of three integers
        b"\x30\x80" * 5000,  # indefinite lengths nested deep
        b"\x04\x03abc",
    ],
)
def test_broken_der_in_the_signed_value_fails_its_parse_step(sealed_parts, signed_value: bytes) -> None:
    report = _verify({**sealed_parts, SIGNED_VALUE: signed_value})

    assert report.verdict is Verdict.INVALID
    assert report.step("signed_value.parse").status is Status.FAILED


def test_a_truncated_signed_value_fails_its_parse_step(sealed_parts) -> None:
    report = _verify({**sealed_parts, SIGNED_VALUE: sealed_parts[SIGNED_VALUE][:-10]})

    assert report.step("signed_value.parse").status is Status.FAILED


@pytest.mark.parametrize(
    ("missing", "code"),
    [
        ("Doc_0/Signs/Signatures.xml", "signatures.list"),
        (SIGNATURE_XML, "signature.description"),
        (SIGNED_VALUE, "signed_value.parse"),
        ("Doc_0/Pages/Page_0/Content.xml", "reference.digest"),
        (f"{SIGN_DIR}/Seal.esl", "reference.digest"),
    ],
)
def test_a_missing_part_fails_the_step_that_needs_it(sealed_parts, missing: str, code: str) -> None:
    parts = {name: data for name, data in sealed_parts.items() if name != missing}

    report = _verify(parts)

    assert report.verdict is Verdict.INVALID
    assert report.failures[0].code == code
    assert "missing" in report.failures[0].message


def test_paths_escaping_the_package_root_never_leave_the_package(sealed_parts) -> None:
    signatures = (
        b'<?xml version="1.0"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
        b'<ofd:Signature ID="s001" BaseLoc="../../../../../etc/passwd"/></ofd:Signatures>'
    )
    signature_xml = sealed_parts[SIGNATURE_XML].replace(b'FileRef="/OFD.xml"', b'FileRef="/../../../etc/hostname"')

    escaped_list = _verify({**sealed_parts, "Doc_0/Signs/Signatures.xml": signatures})
    escaped_ref = _verify({**sealed_parts, SIGNATURE_XML: signature_xml})

    assert escaped_list.failures[0].code == "signature.description"
    assert escaped_list.failures[0].params["file"] == "etc/passwd"
    missing = [s for s in escaped_ref.failures if s.code == "reference.digest"]
    assert [s.params["file"] for s in missing] == ["/../../../etc/hostname"]


def test_a_zip_entry_named_with_dot_dot_is_kept_inside_the_package(sealed_parts) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sealed_parts.items():
            archive.writestr(name, data)
        archive.writestr("../../evil.xml", b"<x/>")

    report = verify_ofd(buffer.getvalue())

    assert report.step("coverage").params["files"] == "evil.xml"


def test_thousands_of_signature_entries_are_refused(sealed_parts) -> None:
    entry = b'<ofd:Signature ID="s001" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>'
    signatures = (
        b'<?xml version="1.0"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
        + entry * 5000 + b"</ofd:Signatures>"
    )

    report = _verify({**sealed_parts, "Doc_0/Signs/Signatures.xml": signatures})

    assert report.failures[0].code == "signatures.list"
    assert "too many" in report.failures[0].message


def test_a_certificate_that_is_not_sm2_fails_cleanly(sealed_parts) -> None:
    from asn1crypto import core

    from registry.seal.asn1 import SESSignature
    from registry.seal.sign import der_sequence

    original = SESSignature.load(sealed_parts[SIGNED_VALUE])
    forged = der_sequence(
        original["to_sign"].dump(), core.OctetString(b"not a certificate").dump(),
        original["signature_alg_id"].dump(), original["signature"].dump(),
    )

    report = _verify({**sealed_parts, SIGNED_VALUE: forged})

    assert report.step("signer.signature").status is Status.FAILED
    assert report.step("cert.validity").status is Status.FAILED


# --- fuzzing --------------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_mutated_package_bytes_always_give_a_report(sealed_ofd: bytes, data: st.DataObject) -> None:
    mutated = bytearray(sealed_ofd)
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        position = data.draw(st.integers(0, len(mutated) - 1), label="position")
        mutated[position] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        mutated = mutated[: data.draw(st.integers(0, len(mutated)), label="length")]

    report = verify_ofd(bytes(mutated))

    assert isinstance(report, Report)
    assert report.verdict in set(Verdict)
    assert report.steps


@FUZZ
@given(data=st.data())
def test_any_change_to_a_signed_part_is_never_reported_valid(sealed_parts, data: st.DataObject) -> None:
    names = sorted(name for name in sealed_parts if name != "Doc_0/Signs/Signatures.xml")
    name = data.draw(st.sampled_from(names), label="part")
    original = sealed_parts[name]
    mutated = bytearray(original)
    kind = data.draw(st.sampled_from(["flip", "truncate", "append"]), label="kind")
    if kind == "flip":
        position = data.draw(st.integers(0, len(mutated) - 1), label="position")
        mutated[position] ^= data.draw(st.integers(1, 255), label="xor")
    elif kind == "truncate":
        mutated = mutated[: data.draw(st.integers(0, len(mutated) - 1), label="length")]
    else:
        mutated += data.draw(st.binary(min_size=1, max_size=64), label="suffix")

    report = _verify({**sealed_parts, name: bytes(mutated)})

    assert report.verdict is not Verdict.VALID, (name, kind)


def _many_signatures_over_big_parts(sealed_parts, *, signatures: int, parts: int, size: int) -> dict[str, bytes]:
    """Return a package whose every signature entry lists the same large parts (a digesting attack)."""
    import base64
    import re

    big = {f"Doc_0/Res/big{i}.bin": random.Random(i).randbytes(size) for i in range(parts)}
    references = "".join(
        f'<ofd:Reference FileRef="/{name}"><ofd:CheckValue>{base64.b64encode(b"x" * 32).decode()}</ofd:CheckValue>'
        "</ofd:Reference>"
        for name in big
    ).encode()
    signature_xml = re.sub(rb"(<ofd:References[^>]*>).*(</ofd:References>)", rb"\1" + references + rb"\2",
                           sealed_parts[SIGNATURE_XML], flags=re.S)
    entry = b'<ofd:Signature ID="s001" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>'
    listing = (b'<?xml version="1.0"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
               + entry * signatures + b"</ofd:Signatures>")
    return {**sealed_parts, **big, SIGNATURE_XML: signature_xml, "Doc_0/Signs/Signatures.xml": listing}


def test_each_part_is_digested_once_however_many_signatures_list_it(sealed_parts, monkeypatch) -> None:
    from registry.seal import verify as verify_module

    size, calls = 64 * 1024, []
    real = verify_module.sm3
    monkeypatch.setattr(verify_module, "sm3", lambda data: calls.append(len(data)) or real(data))
    parts = _many_signatures_over_big_parts(sealed_parts, signatures=64, parts=20, size=size)

    report = _verify(parts)

    assert report.verdict is Verdict.INVALID
    assert sum(1 for length in calls if length == size) == 20


def test_a_package_asking_for_too_much_digesting_stops_with_a_clean_failure(sealed_parts, monkeypatch) -> None:
    from registry.seal import verify as verify_module

    size = 64 * 1024
    monkeypatch.setattr(verify_module, "MAX_DIGEST_BYTES", 5 * size)
    parts = _many_signatures_over_big_parts(sealed_parts, signatures=8, parts=20, size=size)

    report = _verify(parts)

    assert report.verdict is Verdict.INVALID
    stopped = [step for step in report.failures if "more digesting" in step.message]
    assert stopped and stopped[0].code == "reference.digest"
