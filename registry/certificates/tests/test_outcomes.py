"""The verification vocabulary: wording, JSON form, and how a seal report is classified."""

from __future__ import annotations

from datetime import datetime

import pytest

from registry.certificates.document import build_certificate, build_certificate_parts
from registry.certificates.outcomes import WORDING, Outcome, answer, classify_report
from registry.ofd.package import read_package, write_package
from registry.seal import verify_ofd
from registry.seal.demo import create_demo_pki


@pytest.fixture(scope="module")
def sealed(data_for_module, layout, authority, sign_time) -> bytes:
    return build_certificate(data_for_module, layout=layout, signer=authority.signer, seal=authority.seal,
                             sign_time=sign_time)


@pytest.fixture(scope="module")
def data_for_module(photo, signature_image, sign_time):
    from registry.certificates.demo import demo_certificate_data
    from registry.clock import LOCAL_ZONE

    return demo_certificate_data(photo=photo, signature=signature_image,
                                 issue_date=sign_time.astimezone(LOCAL_ZONE).date())


def _classify(content: bytes, authority) -> Outcome | None:
    return classify_report(verify_ofd(content, trust_roots=[authority.trust_root], strict=True))


def test_every_outcome_has_a_title_and_a_reason():
    assert set(WORDING) == set(Outcome)
    assert all(wording.title and wording.reason.endswith("。") for wording in WORDING.values())


def test_an_answer_carries_code_reason_and_as_of(clock_now):
    superseded = answer(Outcome.SUPERSEDED, as_of=clock_now, superseded_on="2026年12月1日", successor="/x")
    assert superseded.to_dict() == {
        "outcome": "superseded", "title": "已失效（已被新证书替代）",
        "reason": "该电子证书已于2026年12月1日被新版本替代，请以最新证书为准。",
        "as_of": clock_now.isoformat(), "trustworthy": False,
        "details": {"superseded_on": "2026年12月1日", "successor": "/x"},
    }
    assert answer(Outcome.VALID, as_of=clock_now).trustworthy
    assert not answer(Outcome.STATUS_UNAVAILABLE, as_of=clock_now).trustworthy


def test_an_answer_needs_an_aware_time():
    with pytest.raises(ValueError):
        answer(Outcome.VALID, as_of=datetime(2026, 12, 1))


def test_an_intact_certificate_of_this_authority_leaves_the_answer_to_its_live_status(sealed, authority):
    assert _classify(sealed, authority) is None


def test_one_changed_byte_is_tampering(sealed, authority):
    parts = dict(read_package(sealed).parts)
    name = next(n for n in parts if n.endswith("Content.xml"))
    content = bytearray(parts[name])
    content[len(content) // 2] ^= 0x01
    parts[name] = bytes(content)
    assert _classify(write_package(parts), authority) is Outcome.TAMPERED


def test_an_added_unsigned_page_is_tampering(sealed, authority):
    parts = {**read_package(sealed).parts, "Doc_0/Pages/Page_1/Content.xml": b"<extra/>"}
    assert _classify(write_package(parts), authority) is Outcome.TAMPERED


def test_a_forged_authority_copying_the_names_is_not_issued_here(data_for_module, layout, authority, sign_time,
                                                                  tmp_path, clock_now):
    forged = create_demo_pki(tmp_path, now=clock_now)  # the same subject names, another root and key
    content = build_certificate(data_for_module, layout=layout, signer=forged.signer, seal=forged.seal,
                                sign_time=sign_time)
    assert verify_ofd(content).valid  # without trust roots it looks valid: the trust roots decide
    assert _classify(content, authority) is Outcome.NOT_ISSUED_HERE


@pytest.mark.parametrize("content", [b"", b"not a zip", b"%PDF-1.7\n"])
def test_a_file_that_is_no_package_is_not_a_certificate(content, authority):
    assert _classify(content, authority) is Outcome.NOT_A_CERTIFICATE


def test_an_unsealed_ofd_is_not_a_certificate(data_for_module, layout, authority, sign_time):
    unsealed = build_certificate_parts(data_for_module, layout=layout, sign_time=sign_time).to_bytes()
    assert _classify(unsealed, authority) is Outcome.NOT_A_CERTIFICATE
