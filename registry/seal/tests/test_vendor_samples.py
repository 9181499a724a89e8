"""The verifier gives, on the four vendor samples, exactly the results their README states."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.seal import Status, Verdict, verify_ofd


def _report(shared_dir: Path, name: str):
    return verify_ofd((shared_dir / "standards" / "ofd-samples" / name).read_bytes())


def _statuses(report, code: str) -> list[Status]:
    return [step.status for step in report.steps if step.code == code]


def test_the_bw_tax_invoice_passes_every_check(shared_dir: Path) -> None:
    report = _report(shared_dir, "ofdrw-sign_v4signed.ofd")

    assert report.verdict is Verdict.VALID
    assert report.step("signed_value.parse").params["version"] == "4"
    assert _statuses(report, "reference.digest") == [Status.OK] * 13
    for code in ("data_hash", "signer.signature", "seal.maker_signature", "seal.signer_listed",
                 "seal.validity", "cert.validity", "coverage"):
        assert report.step(code).status is Status.OK, code
    assert report.step("cert.chain").status is Status.SKIPPED
    assert "not checked" in report.step("cert.chain").message


def test_the_kinggrid_invoice_with_a_relative_signature_path_passes(shared_dir: Path) -> None:
    report = _report(shared_dir, "ofdrw-converter_999.ofd")

    assert report.verdict is Verdict.VALID
    assert report.exit_code == 0
    assert _statuses(report, "reference.digest") == [Status.OK] * 20
    assert report.step("signer.signature").status is Status.OK
    assert report.step("seal.maker_signature").status is Status.OK
    # KingGrid did not reference OFD.xml: reported, not fatal (readers accept it).
    coverage = report.step("coverage")
    assert coverage.status is Status.WARNING
    assert coverage.params["files"] == "OFD.xml"


def test_the_kinggrid_invoice_fails_in_strict_mode_because_ofd_xml_is_unsigned(shared_dir: Path) -> None:
    data = (shared_dir / "standards" / "ofd-samples" / "ofdrw-converter_999.ofd").read_bytes()

    report = verify_ofd(data, strict=True)

    assert report.verdict is Verdict.INVALID
    assert report.failures[0].code == "coverage"


def test_the_ofdrw_document_signed_after_its_seal_expired_is_invalid_at_seal_validity(shared_dir: Path) -> None:
    report = _report(shared_dir, "ofdrw-reader_SESV4SignDoc.ofd")

    assert report.verdict is Verdict.INVALID
    assert report.exit_code == 1
    # Cryptographically intact...
    assert _statuses(report, "reference.digest") == [Status.OK] * 5
    for code in ("seal.stored_copy", "data_hash", "signer.signature", "seal.maker_signature", "seal.signer_listed"):
        assert report.step(code).status is Status.OK, code
    # ...but the seal had expired when it was used: that is the first failing step.
    first = report.failures[0]
    assert first.code == "seal.validity"
    assert "expired" in first.message
    assert first.params["end"] == "2022-04-22 02:09:00 UTC"
    assert first.params["at"] == "2026-08-04 02:08:09 UTC"


def test_the_ofdrw_document_passes_the_seal_validity_step_when_evaluated_inside_the_window(
    shared_dir: Path,
) -> None:
    from datetime import UTC, datetime

    data = (shared_dir / "standards" / "ofd-samples" / "ofdrw-reader_SESV4SignDoc.ofd").read_bytes()

    report = verify_ofd(data, at=datetime(2021, 6, 1, tzinfo=UTC))

    assert report.step("seal.validity").status is Status.OK
    assert report.verdict is Verdict.VALID


def test_the_rewritten_legacy_v1_document_fails_every_xml_digest_and_data_hash(shared_dir: Path) -> None:
    report = _report(shared_dir, "ofdrw-converter_n.ofd")

    assert report.verdict is Verdict.INVALID
    assert report.step("signed_value.parse").params["version"] == "1"
    digests = {step.params["file"]: step.status for step in report.steps if step.code == "reference.digest"}
    assert digests == {
        "Doc_0/Document.xml": Status.FAILED,
        "Doc_0/Pages/Page_0/Content.xml": Status.FAILED,
        "Doc_0/Pages/Page_1/Content.xml": Status.FAILED,
        "Doc_0/PublicRes.xml": Status.FAILED,
        "OFD.xml": Status.FAILED,
        # the binary seal still matches, digested as SM3(Z || file)
        "Doc_0/Signs/Sign_0/Seal.esl": Status.OK,
    }
    assert report.failures[0].code == "reference.digest"
    assert report.step("data_hash").status is Status.FAILED
    assert report.step("seal.maker_signature").status is Status.OK
    # The outer signature verifies only in the vendor's non-standard form: flagged, not trusted silently.
    signer = report.step("signer.signature")
    assert signer.status is Status.WARNING
    assert "non-standard" in signer.message


@pytest.mark.parametrize(
    "name",
    ["ofdrw-sign_v4signed.ofd", "ofdrw-converter_999.ofd", "ofdrw-reader_SESV4SignDoc.ofd", "ofdrw-converter_n.ofd"],
)
def test_a_vendor_sample_is_untrusted_when_checked_against_an_unrelated_root(
    shared_dir: Path, authority, name: str
) -> None:
    data = (shared_dir / "standards" / "ofd-samples" / name).read_bytes()

    report = verify_ofd(data, trust_roots=[authority.trust_root])

    assert report.step("cert.chain").status is Status.FAILED
    assert report.verdict is Verdict.INVALID
